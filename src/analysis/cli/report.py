"""`ehelse report`: build the status report (HTML and PDF), reading the raw data in first when
the processed data are missing or stale."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from analysis import config
from analysis.cli.console import console, fail
from analysis.cli.options import DataOpt, RegionOpt, ReportFormatOpt, YearOpt, report_year


def report(
    year: YearOpt = None,
    region: RegionOpt = None,
    formats: ReportFormatOpt = "html,pdf",
    data: DataOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Mappen rapporten skrives til (standard: report/_output)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Bygg på nytt selv om ingenting er endret.")
    ] = False,
) -> None:
    """Bygg statusrapporten som HTML og PDF (med Quarto hvis det er installert).

    En rapport som allerede er bygd av de samme dataene, kapitlene og den samme koden, bygges
    ikke på nytt (bruk --force)."""
    from analysis.render import render

    if data is not None and not data.is_dir():
        fail(f"{data}: mappen finnes ikke")
    if data is None:
        _ingest_if_stale(report_year(year))
    result = render(
        year=year,
        region=region,
        formats=formats.split(","),
        processed_dir=data,
        output_dir=out,
        force=force,
        progress=lambda msg: console().print(msg, highlight=False),
    )
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
    from analysis import ingest
    from analysis.ingest.pipeline import run_ingest
    from analysis.load import processed_dir

    if os.environ.get(config.ENV_PROCESSED):
        return
    folder = processed_dir(None, year)
    pointer = folder / "current"  # switched last by every ingest (analysis.outputs)
    if pointer.is_file():
        built = pointer.stat().st_mtime_ns
        roots = [config.RAW_DIR, Path(ingest.__file__).resolve().parent]
        if not any(
            f.stat().st_mtime_ns > built for r in roots for f in r.rglob("*") if f.is_file()
        ):
            return
    console().print(f"Leser inn dataene for {year} til {folder} ...", highlight=False)
    run_ingest(out=folder, year=year)
