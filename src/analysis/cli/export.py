"""`ehelse export`: the status in one Excel workbook (status, municipalities, counties, messages)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analysis.cli.console import console, fail
from analysis.cli.options import (
    AsOfOpt,
    DataOpt,
    RegionOpt,
    YearOpt,
    as_of_date,
    county,
    data_folder,
)


def export(
    xlsx: Annotated[Path, typer.Option("--xlsx", help="Excel-filen som skrives (.xlsx).")],
    region: RegionOpt = None,
    as_of: AsOfOpt = None,
    year: YearOpt = None,
    data: DataOpt = None,
) -> None:
    """Skriv statusen til én Excel-fil: status, kommuner x løsninger, fylker og meldinger."""
    from analysis.load import MissingDataError, load_manifest
    from analysis.tools import lookup
    from analysis.tools.export import build_sheets, write_workbook

    if xlsx.suffix.lower() != ".xlsx":
        fail(f"--xlsx: {xlsx} må slutte på .xlsx")
    if not xlsx.parent.is_dir():
        fail(f"--xlsx: mappen {xlsx.parent} finnes ikke")
    day = as_of_date(as_of)
    folder = data_folder(year, data)
    tables = lookup.load_tables(folder)
    chosen = county(region, tables.division)
    when = day if day is not None else lookup.default_as_of(tables, year)
    try:
        manifest: dict[str, object] | None = load_manifest(folder)
    except MissingDataError:  # a hand-made folder without a manifest: the sheet says less
        manifest = None
    sheets = build_sheets(tables, when, chosen, manifest)
    write_workbook(xlsx, sheets)
    counts = ", ".join(f"{s.name} {s.frame.height}" for s in sheets[:-1])
    where = f"{chosen[0]} {chosen[1]}" if chosen else "hele landet"
    console().print(
        f"Skrev {xlsx} ({where}, status per {when:%d.%m.%Y}): {counts} rader.", highlight=False
    )
    if tables.synthetic:
        console().print(
            "[bold yellow]Merk:[/] tallene per kommune er SYNTETISKE eksempeldata (Eksempeldata), "
            "ikke virkelige tall; arket «Om dataene» sier det samme.",
            highlight=False,
        )
