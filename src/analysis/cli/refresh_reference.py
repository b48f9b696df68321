"""`ehelse refresh-reference`: fetch a new year's division, population and boundaries."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analysis.cli.console import console, err_console, fail


def refresh_reference(
    year: Annotated[
        int, typer.Option("--year", help="Året kommuneinndelingen gjelder fra (1. januar).")
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Hent året på nytt selv om mappen finnes.")
    ] = False,
    skip_population: Annotated[
        bool,
        typer.Option("--skip-population", help="Ikke hent befolkning (før SSB har publisert)."),
    ] = False,
    skip_boundaries: Annotated[
        bool,
        typer.Option("--skip-boundaries", help="Ikke hent kommunegrenser fra Kartverket."),
    ] = False,
    boundary_file: Annotated[
        Path | None,
        typer.Option(
            "--boundaries",
            help="Importer kommunegrenser fra en nedlastet GeoJSON-fil (Kartverket) for en "
            "inndeling som finnes; henter ingenting fra nettet.",
        ),
    ] = None,
    county_file: Annotated[
        Path | None,
        typer.Option(
            "--county-boundaries",
            help="Fylkesgrenser (GeoJSON) til --boundaries; uten den slås kommunene sammen.",
        ),
    ] = None,
    attribution: Annotated[
        str | None,
        typer.Option(
            "--attribution",
            help="Kildetekst til kartene for --boundaries (standard: © Kartverket, CC BY 4.0).",
        ),
    ] = None,
) -> None:
    """Hent kommuneinndeling, befolkning og kommunegrenser for et nytt år fra SSB og Kartverket."""
    from analysis.reference.refresh import refresh

    if boundary_file is not None:
        from analysis.reference.boundary_import import import_boundaries

        imported = import_boundaries(year, boundary_file, county_file, attribution=attribution)
        console().print(imported.summary(), highlight=False, soft_wrap=True)
        return
    if county_file is not None or attribution is not None:
        fail("--county-boundaries og --attribution hører til --boundaries FIL.")
    result = refresh(
        year,
        force=force,
        population=not skip_population,
        boundaries=not skip_boundaries,
        progress=lambda message: err_console().print(message, highlight=False),
    )
    console().print(result.summary(), highlight=False, soft_wrap=True)
