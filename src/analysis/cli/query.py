"""`ehelse query`: read-only SQL (DuckDB) over the processed tables, to the terminal or a file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from analysis import _io
from analysis.cli.console import console, err_console, fail, print_frame, schema_table
from analysis.cli.options import DataOpt, TableFormatOpt, table_format
from analysis.escape import terminal_text


def query(
    sql: Annotated[str | None, typer.Argument(help="SQL mot tabellene (se --schema).")] = None,
    show_schema: Annotated[
        bool, typer.Option("--schema", help="Vis tabellene og kolonnene.")
    ] = False,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Skriv svaret til CSV (- : til standard ut).")
    ] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Skriv svaret til Excel.")] = None,
    fmt: TableFormatOpt = "table",
    timeout: Annotated[
        float,
        typer.Option("--timeout", help="Stopp spørringen etter så mange sekunder (0: aldri)."),
    ] = 60.0,
    memory: Annotated[
        float | None,
        typer.Option("--memory", help="Minnegrense i GiB (standard: en firedel av minnet)."),
    ] = None,
    data: DataOpt = None,
) -> None:
    """Still spørsmål med SQL (DuckDB) mot de prosesserte tabellene. Bare lesing."""
    from analysis.tools.query import GIB, VIEW_DOCS, answer, schema

    table_format(fmt)
    if timeout < 0:
        fail(f"--timeout må være 0 eller mer, fikk {timeout:g}")
    if memory is not None and memory <= 0:
        fail(f"--memory må være mer enn 0 GiB, fikk {memory:g}")
    to_stdout = fmt != "table" or str(csv) == "-"
    for target in (csv, xlsx):
        if target is not None and str(target) != "-":
            _io.check_file(target)
    if show_schema:
        console().print(schema_table(schema(data), VIEW_DOCS))
        return
    if not sql:
        fail("Oppgi en SQL-spørring, eller --schema for å se tabellene.")
    limit = None if memory is None else int(memory * GIB)
    got = answer(sql, data, timeout_s=timeout or None, memory_limit=limit)
    result = got.frame
    # Messages go to stderr when the answer itself goes to stdout.
    note = err_console() if to_stdout else console()
    if fmt == "json":
        sys.stdout.write(result.write_json() + "\n")
    elif fmt == "csv" or str(csv) == "-":
        sys.stdout.write(result.write_csv(date_format="%Y-%m-%d"))
    if csv is not None and str(csv) != "-":
        _io.write_file(csv, result.write_csv)
        note.print(f"Skrev {result.height} rader til {terminal_text(csv)}.", highlight=False)
    if xlsx is not None:
        _io.write_file(xlsx, lambda tmp: result.write_excel(tmp, autofit=True, freeze_panes=(1, 0)))
        note.print(f"Skrev {result.height} rader til {terminal_text(xlsx)}.", highlight=False)
    if csv is None and xlsx is None and fmt == "table":
        print_frame(result)
    if got.touches_synthetic:
        note.print(f"[bold yellow]Merk:[/] {synthetic_note(got)}", highlight=False)


def synthetic_note(got: Any) -> str:
    """The closing note of an answer that rests on synthetic example data."""
    rows = got.synthetic_rows
    if rows is not None:
        return (
            f"{rows} av {got.frame.height} rader i svaret er SYNTETISKE eksempeldata "
            "(kolonnen syntetisk), ikke virkelige tall."
        )
    read = ", ".join(f"{v} ({n} av {total} rader)" for v, (n, total) in got.synthetic_views.items())
    return f"svaret bygger på SYNTETISKE eksempeldata i {read}, ikke virkelige tall."
