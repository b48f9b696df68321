"""`ehelse report`: build the status report (HTML and PDF), reading the raw data in first when
the processed data are missing or stale."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from analysis import config
from analysis.cli.console import console, fail

if TYPE_CHECKING:
    from analysis.render import RenderResult
from analysis.cli.options import DataOpt, ReportFormatOpt, YearOpt, option_date, report_year
from analysis.cli.unchanged import ALL, unchanged_results

ReportRegionOpt = Annotated[
    str | None,
    typer.Option(
        "--region",
        help="Ett fylke: nummer (46) eller navn; «all» gir alle fylkesutgavene i én kjøring.",
    ),
]


def report(
    year: YearOpt = None,
    region: ReportRegionOpt = None,
    formats: ReportFormatOpt = "html,pdf",
    data: DataOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Mappen rapporten skrives til (standard: report/_output)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Bygg på nytt selv om ingenting er endret.")
    ] = False,
    publisert: Annotated[
        str | None,
        typer.Option(
            "--publisert",
            help=(
                "Publiseringsdatoen på forsiden (DD.MM.ÅÅÅÅ eller ÅÅÅÅ-MM-DD). Uten den viser forsiden datoen "
                "rapporten ble laget, og sier at det ikke er en publiseringsdato."
            ),
        ),
    ] = None,
) -> None:
    """Bygg statusrapporten som HTML og PDF (med Quarto hvis det er installert).

    En rapport som allerede er bygd av de samme dataene, kapitlene og den samme koden, bygges
    ikke på nytt (bruk --force). --region all bygger alle fylkesutgavene for året."""
    from analysis.render import render_editions

    if data is not None and not data.is_dir():
        fail(f"{data}: mappen finnes ikke")
    when = option_date(publisert, "--publisert")
    every = region is not None and region.strip().lower() == ALL
    regions = None if every else [region]
    t0 = time.perf_counter()
    results = None if force else unchanged_results(formats, year, regions, data, out, when)
    if results is None:
        if data is None:
            _ingest_if_stale(report_year(year))
        results = render_editions(
            year=year,
            regions=regions,
            processed_dir=data,
            output_dir=out,
            formats=formats.split(","),
            force=force,
            progress=lambda msg: console().print(msg, highlight=False),
            published=when,
        )
    for result in results:
        _report_result(result)
    if len(results) > 1:
        made = sum(not r.unchanged for r in results)
        console().print(
            f"{len(results)} utgaver, {made} bygd på {time.perf_counter() - t0:.1f} s.",
            highlight=False,
        )


def _report_result(result: RenderResult) -> None:
    if result.unchanged:
        names = ", ".join(str(p) for p in result.outputs)
        console().print(
            f"Rapporten er oppdatert ({names}); --force bygger på nytt.", highlight=False
        )
        return
    for path in result.outputs:
        size = path.stat().st_size / 1e6
        extra = f", {result.pdf_pages} sider" if path.suffix == ".pdf" else ""
        console().print(f"Skrev {path} ({size:.1f} MB{extra}).", highlight=False)
    steps = [("kjøring", "execute"), ("HTML", "html"), ("PDF", "pdf"), ("Quarto", "quarto")]
    timing = ", ".join(
        f"{name} {result.timings[key]:.1f} s" for name, key in steps if key in result.timings
    )
    if timing:
        console().print(f"Tid: {timing}.", highlight=False)


def _ingest_if_stale(year: int) -> None:
    """Read the raw data into the report year's division folder when that folder is missing or
    older than the raw data or the ingest code, so `ehelse report --year 2024` just works."""
    from analysis.load import processed_dir

    if os.environ.get(config.ENV_PROCESSED):
        return
    from analysis.render.stamp import newer_than, raw_roots

    folder = processed_dir(None, year)
    pointer = folder / "current"  # switched last by every ingest (analysis.outputs)
    if pointer.is_file() and not newer_than(pointer, raw_roots()):
        return
    from analysis.ingest.pipeline import run_ingest

    console().print(f"Leser inn dataene for {year} til {folder} ...", highlight=False)
    run_ingest(out=folder, year=year)
