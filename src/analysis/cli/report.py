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
    publisert: Annotated[
        str | None,
        typer.Option(
            "--publisert",
            help=(
                "Publiseringsdatoen på forsiden (ÅÅÅÅ-MM-DD). Uten den viser forsiden datoen "
                "rapporten ble laget, og sier at det ikke er en publiseringsdato."
            ),
        ),
    ] = None,
) -> None:
    """Bygg statusrapporten som HTML og PDF (med Quarto hvis det er installert).

    En rapport som allerede er bygd av de samme dataene, kapitlene og den samme koden, bygges
    ikke på nytt (bruk --force)."""
    from analysis.render.publish import LAST_RUN, render

    if data is not None and not data.is_dir():
        fail(f"{data}: mappen finnes ikke")
    if data is None:
        _ingest_if_stale(report_year(year))
    paths = render(
        year=year,
        region=region,
        formats=formats.split(","),
        processed_dir=data,
        output_dir=out,
        force=force,
        progress=lambda msg: console.print(msg, highlight=False),
        published=publisert,
    )
    skipped = LAST_RUN.get("skipped") or []
    if len(skipped) == len(paths):
        names = ", ".join(str(p) for p in paths)
        console.print(f"Rapporten er oppdatert ({names}); --force bygger på nytt.", highlight=False)
        return
    for path in paths:
        size = path.stat().st_size / 1e6
        extra = f", {LAST_RUN['pdf_pages']} sider" if path.suffix == ".pdf" else ""
        console.print(f"Skrev {path} ({size:.1f} MB{extra}).", highlight=False)
    steps = [
        ("kjøring", LAST_RUN.get("execute_s")),
        ("HTML", LAST_RUN.get("html_s")),
        ("PDF", LAST_RUN.get("pdf_s")),
        ("Quarto", LAST_RUN.get("quarto_s")),
    ]
    timing = ", ".join(f"{name} {s:.1f} s" for name, s in steps if s is not None)
    if timing:
        console.print(f"Tid: {timing}.", highlight=False)


def _ingest_if_stale(year: int) -> None:
    """Read the raw data into the report year's division folder when that folder is missing or
    older than the raw data or the ingest code, so `ehelse report --year 2024` just works."""
    from analysis import ingest
    from analysis.edition.params import ENV_PROCESSED, data_folder
    from analysis.ingest.pipeline import run

    if os.environ.get(ENV_PROCESSED):
        return
    folder = data_folder(year)
    pointer = folder / "current"  # switched last by every ingest (analysis._io)
    if pointer.is_file():
        built = pointer.stat().st_mtime_ns
        roots = [config.RAW_DIR, Path(ingest.__file__).resolve().parent]
        if not any(
            f.stat().st_mtime_ns > built for r in roots for f in r.rglob("*") if f.is_file()
        ):
            return
    console.print(f"Leser inn dataene for {year} til {folder} ...", highlight=False)
    run(out=folder, year=year)
