"""`ehelse ingest`: read every catalogued source into the processed tables, rejects counted."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from analysis.cli.console import (
    INGEST_WIDE,
    console,
    err_console,
    ingest_reasons,
    ingest_table,
)
from analysis.cli.options import YearOpt
from analysis.escape import terminal_text


def ingest(
    raw: Annotated[
        Path | None,
        typer.Option("--raw", help="Rådatamappen med sources.yaml (standard: data/raw)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Mappen tabellene skrives til (standard: data/processed/<inndeling>).",
        ),
    ] = None,
    year: YearOpt = None,
) -> None:
    """Les alle kildene i katalogen, finn kommunene og skriv de bearbeidede tabellene."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from analysis.ingest.pipeline import run_ingest

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console(),
        transient=True,
        disable=not err_console().is_terminal,
    ) as bar:
        task = bar.add_task("Leser kildene", total=None)

        def report(message: str, done: int, total: int) -> None:
            bar.update(
                task, description=f"Leser {terminal_text(message)}", completed=done, total=total
            )

        summary = run_ingest(raw, out, year, progress=report)

    # A console made now, so the layout follows this call's terminal width (COLUMNS).
    screen = Console()
    screen.print(ingest_table(summary, screen.width))
    if screen.width < INGEST_WIDE:
        reasons = ingest_reasons(summary)
        if reasons:
            screen.print("Grunner til avvisning:", highlight=False)
            for line in reasons:
                screen.print(line, highlight=False)
    counts = ", ".join(f"{name} {n}" for name, n in summary.tables.items())
    console().print(f"Tabeller: {counts}.", highlight=False)
    if summary.rows_rejected:
        console().print(
            f"[yellow]{summary.rows_rejected} rader ble avvist;[/] se avvist.parquet for rad, "
            "kolonne, verdier og grunn.",
            highlight=False,
        )
    for w in summary.warnings:
        err_console().print(f"[bold yellow]Merk:[/] {terminal_text(w)}", highlight=False)
    if summary.synthetic:
        names = ", ".join(terminal_text(s) for s in summary.synthetic)
        n = len(summary.synthetic)
        console().print(
            f"[bold yellow]Merk:[/] {n} {'kilde er' if n == 1 else 'kilder er'} syntetiske "
            f"eksempeldata ({names}); tallene fra dem er ikke virkelige.",
            highlight=False,
        )
