"""`ehelse liste`: which municipalities of a county are at a step of a solution, by name."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from analysis.cli.console import fail, rows_text
from analysis.cli.options import (
    AsOfOpt,
    DataOpt,
    YearOpt,
    as_of_date,
    county,
    data_folder,
)
from analysis.escape import terminal_text
from analysis.fmt import format_date

if TYPE_CHECKING:
    import polars as pl

    from analysis.tools.liste import MunicipalityList

FORMATS = ("table", "csv", "xlsx")
SYNTHETIC_NOTE = (
    "Eksempeldata: radene merket «eksempel» bygger på SYNTETISKE data, ikke virkelige tall."
)
HEADERS = {
    "kommunenummer": "Kommunenummer",
    "kommunenavn": "Kommune",
    "fylkesnummer": "Fylkesnummer",
    "fylkesnavn": "Fylke",
    "losning": "Løsning (id)",
    "aktivitet": "Løsning",
    "trinn": "Trinn (id)",
    "trinn_tekst": "Trinn",
    "siden": "Siden",
    "telles": "Teller mot ambisjonen",
    "befolkning": "Innbyggere",
    "syntetisk": "Eksempeldata",
}


def liste(
    fylke: Annotated[
        str | None, typer.Option("--fylke", help="Ett fylke: nummer (42) eller navn (Agder).")
    ] = None,
    losning: Annotated[
        str | None,
        typer.Option("--losning", help="Løsningen: id eller navn (digihelse, Kjernejournal)."),
    ] = None,
    trinn: Annotated[
        str | None,
        typer.Option(
            "--trinn",
            help="Trinnet kommunene står på: ikke_startet, planlagt, tilgjengelig eller i_bruk "
            "(flere med komma).",
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="table (standard), csv eller xlsx (xlsx trenger --out).",
            show_default=False,
        ),
    ] = "table",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Skriv listen til fil (.xlsx gir Excel, ellers CSV)."),
    ] = None,
    excel_csv: Annotated[
        bool, typer.Option("--excel-csv", help="CSV for Excel: semikolon, BOM, dd.mm.åååå.")
    ] = False,
    as_of: AsOfOpt = None,
    year: YearOpt = None,
    data: DataOpt = None,
) -> None:
    """List kommunene i et fylke etter løsning og trinn (samme status som `ehelse status`)."""
    from analysis import _io
    from analysis.tools import lookup
    from analysis.tools.liste import municipality_list, parse_steps, solution_names
    from analysis.tools.tablefile import file_kind, write_table

    if fmt not in FORMATS:
        fail(f"--format: {fmt!r} er ukjent; velg table, csv eller xlsx")
    if fmt == "xlsx" and out is None:
        fail("--format xlsx trenger --out FIL.xlsx")
    kind = None
    if out is not None:
        kind = file_kind(out, excel_csv)
        if fmt == "xlsx" and kind != "xlsx":
            fail(f"--out: {out} må slutte på .xlsx med --format xlsx")
        if fmt == "csv" and kind == "xlsx":
            fail(f"--out: {out} er en .xlsx-fil; bruk --format xlsx eller en .csv-fil")
        _io.check_file(out)
    steps = parse_steps(trinn)
    day = as_of_date(as_of)
    t = lookup.load_tables(data_folder(year, data))
    chosen = county(fylke, t.division) if fylke is not None else None
    solutions = [lookup.find_solution(losning, solution_names(t))] if losning else []
    when = day if day is not None else lookup.default_as_of(t, year)
    result = municipality_list(t, when, chosen, solutions, steps)
    df = result.frame
    title = _title(result)
    if out is not None and kind is not None:
        notes = [title, SYNTHETIC_NOTE] if result.synthetic else [title]
        labelled = df.rename(HEADERS) if kind == "xlsx" else df
        write_table(out, labelled, kind, sheet="Kommuner", notes=notes)
        Console(stderr=True).print(
            f"Skrev {rows_text(df.height)} til {terminal_text(out)}.", highlight=False
        )
        if result.synthetic:
            Console(stderr=True).print(f"[bold yellow]{SYNTHETIC_NOTE}[/]", highlight=False)
        return
    if fmt == "csv":
        sys.stdout.write(df.write_csv(date_format="%Y-%m-%d"))
        if result.synthetic:
            Console(stderr=True).print(f"[bold yellow]{SYNTHETIC_NOTE}[/]", highlight=False)
        return
    terminal = Console()
    terminal.print(terminal_text(title), highlight=False)
    terminal.print(_table(df, len(result.solutions) > 1, terminal.width, result.synthetic))
    shown = f"{rows_text(df.height)} av {result.in_scope} i omfanget"
    terminal.print(f"{shown}.", highlight=False)
    if result.synthetic:
        terminal.print(f"[bold yellow]{SYNTHETIC_NOTE}[/]", highlight=False)


def _title(result: MunicipalityList) -> str:
    where = result.county[1] if result.county else "hele landet"
    what = ", ".join(result.solutions.values()) or "alle løsninger"
    steps = " eller ".join(s.replace("_", " ") for s in result.steps) or "alle trinn"
    return f"{what} – {where}, trinn: {steps}, per {format_date(result.as_of)}"


def _table(df: pl.DataFrame, per_solution: bool, width: int, synthetic: bool) -> Table:
    """The list for the terminal: the columns that fit its width, names never cut."""
    from analysis.cli.console import plain_table

    table = plain_table("")
    table.add_column("Nr", no_wrap=True)
    table.add_column("Kommune", no_wrap=True)
    if width >= 70:
        table.add_column("Fylke", overflow="fold")
    if per_solution:
        table.add_column("Løsning", overflow="fold")
    table.add_column("Trinn", no_wrap=True)
    table.add_column("Siden", no_wrap=True)
    if synthetic:
        table.add_column("", no_wrap=True)  # the synthetic mark
    for r in df.iter_rows(named=True):
        cells = [r["kommunenummer"], terminal_text(r["kommunenavn"])]
        if width >= 70:
            cells.append(terminal_text(r["fylkesnavn"]))
        if per_solution:
            cells.append(terminal_text(r["aktivitet"] or r["losning"]))
        cells += [r["trinn_tekst"], format_date(r["siden"])]
        if synthetic:
            cells.append("[yellow]eksempel[/]" if r["syntetisk"] else "")
        table.add_row(*cells)
    return table
