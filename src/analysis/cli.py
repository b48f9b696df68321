"""The `ehelse` command line: one entry point for every job.

Messages are in Norwegian for the analysts who run it. Bad input or arguments end with one
line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import polars as pl
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from analysis import config

app = typer.Typer(
    name="ehelse",
    help="Status for kommunenes innføring av nasjonale e-helseløsninger (KS).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

YearOpt = Annotated[
    int | None,
    typer.Option("--year", help="Kommuneinndeling for dette året (standard: inneværende år)."),
]


def fail(message: str) -> NoReturn:
    """Stop with one line and exit code 2: the input or the arguments cannot be used."""
    err_console.print(f"[bold red]Feil:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _year(year: int | None) -> int:
    return year if year is not None else config.default_year()


@app.command()
def kommune(
    query: Annotated[
        str, typer.Argument(help="Kommunenavn, kommunenummer eller organisasjonsnummer.")
    ],
    year: YearOpt = None,
) -> None:
    """Vis én kommune: nummer, navn, fylke og befolkning."""
    from analysis.reference import (
        DivisionError,
        division_for,
        load_register,
        population,
        resolver,
    )

    y = _year(year)
    try:
        res = resolver(y).resolve(query)
    except DivisionError as exc:
        fail(str(exc))
    if not res.resolved:
        hint = f" Mente du: {res.candidates_text()}?" if res.candidates else ""
        what = "flertydig" if res.match == "ambiguous" else "ukjent"
        fail(f"{query!r} er {what} ({res.note}).{hint}")
    reg = load_register(y).filter(pl.col("kommunenummer") == res.kommunenummer).row(0, named=True)
    pop = population(y).filter(pl.col("kommunenummer") == res.kommunenummer)
    table = Table(title=f"{reg['kommunenummer']} {reg['kommunenavn_norsk']}", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Kommunenummer", reg["kommunenummer"])
    table.add_row("Navn", reg["kommunenavn_norsk"])
    names = [
        n for n in [reg["kommunenavn"], *reg["parallelle_navn"]] if n != reg["kommunenavn_norsk"]
    ]
    if names:
        table.add_row("Parallelle navn", ", ".join(dict.fromkeys(names)))
    table.add_row("Fylke", f"{reg['fylkesnummer']} {reg['fylkesnavn']}")
    if reg["organisasjonsnummer"]:
        table.add_row("Organisasjonsnummer", reg["organisasjonsnummer"])
    if pop.height:
        row = pop.row(0, named=True)
        table.add_row(
            "Befolkning",
            f"{row['befolkning']:,}".replace(",", "\u00a0")
            + f" (1.1.{row['befolkning_dato'].year}, SSB 07459)",
        )
    table.add_row("Inndeling", f"kommuneinndelingen fra {division_for(y)}")
    if res.match != "exact":
        table.add_row("Funnet som", f"{res.match} {res.note}".strip())
    console.print(table)


def _read_table(path: Path) -> pl.DataFrame:
    from analysis.ingest.readers import ROW, ReadError, read_table

    try:
        return read_table(path).drop(ROW)
    except ReadError as exc:
        fail(str(exc))


@app.command()
def resolve(
    input: Annotated[Path, typer.Argument(help="CSV- eller XLSX-fil med kommuner.")],
    column: Annotated[str, typer.Option("--column", help="Kolonnen som holder kommunen.")],
    out: Annotated[Path, typer.Option("--out", help="CSV-filen som skrives.")],
    county_column: Annotated[
        str | None, typer.Option("--county-column", help="Kolonne med fylke (valgfri).")
    ] = None,
    year: YearOpt = None,
) -> None:
    """Finn kommunenummer for hver rad i en liste (navn, nummer eller organisasjonsnummer)."""
    from analysis.reference import DivisionError, resolver

    df = _read_table(input)
    for col in (column, county_column):
        if col is not None and col not in df.columns:
            fail(f"{input}: fant ikke kolonnen {col!r}; kolonnene er {', '.join(df.columns)}")
    try:
        r = resolver(_year(year))
    except DivisionError as exc:
        fail(str(exc))
    counties = df[county_column].to_list() if county_column else [None] * df.height
    results = [r.resolve(v, c) for v, c in zip(df[column].to_list(), counties, strict=True)]
    added = pl.DataFrame(
        {
            "kommunenummer": [x.kommunenummer for x in results],
            "kommunenavn": [x.kommunenavn for x in results],
            "match": [x.match for x in results],
            "candidates": [
                x.candidates_text() if not x.resolved or x.match != "exact" else "" for x in results
            ],
        },
        schema={k: pl.String for k in ("kommunenummer", "kommunenavn", "match", "candidates")},
    )
    clash = [c for c in added.columns if c in df.columns]
    if clash:
        df = df.rename({c: f"{c}_inndata" for c in clash})
    result = pl.concat([df, added], how="horizontal")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    result.write_csv(tmp)
    tmp.replace(out)
    counts = result.group_by("match").len().sort("match")
    summary = ", ".join(f"{m}: {n}" for m, n in counts.iter_rows())
    console.print(f"Skrev {result.height} rader til {out} ({summary}).")
    unresolved = result.filter(pl.col("kommunenummer").is_null()).height
    if unresolved:
        console.print(
            f"[yellow]{unresolved} rader er flertydige eller ukjente: se kolonnene match og candidates.[/]"
        )


@app.command()
def query(
    sql: Annotated[str | None, typer.Argument(help="SQL mot tabellene (se --schema).")] = None,
    show_schema: Annotated[
        bool, typer.Option("--schema", help="Vis tabellene og kolonnene.")
    ] = False,
    csv: Annotated[Path | None, typer.Option("--csv", help="Skriv svaret til CSV.")] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Skriv svaret til Excel.")] = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="Mappen med prosesserte data.")
    ] = None,
) -> None:
    """Still spørsmål med SQL (DuckDB) mot de prosesserte tabellene. Bare lesing."""
    from analysis.load import MissingDataError
    from analysis.query import VIEW_DOCS, QueryError, run, schema

    try:
        if show_schema:
            cols = schema(data)
            table = Table(title="Tabeller og kolonner")
            for name in ("tabell", "kolonne", "type", "beskrivelse"):
                table.add_column(name)
            last = None
            for c in cols:
                label = f"{c.view}\n[dim]{VIEW_DOCS.get(c.view, '')}[/]" if c.view != last else ""
                table.add_row(label, c.column, c.dtype, c.description)
                last = c.view
            console.print(table)
            return
        if not sql:
            fail("Oppgi en SQL-spørring, eller --schema for å se tabellene.")
        result = run(sql, data)
    except (QueryError, MissingDataError) as exc:
        fail(str(exc))
    if csv is not None:
        result.write_csv(csv)
        console.print(f"Skrev {result.height} rader til {csv}.")
    if xlsx is not None:
        result.write_excel(xlsx, autofit=True, freeze_panes=(1, 0))
        console.print(f"Skrev {result.height} rader til {xlsx}.")
    if csv is None and xlsx is None:
        _print_frame(result)


def _print_frame(df: pl.DataFrame, limit: int = 200) -> None:
    """A frame as a rich table, at most ``limit`` rows (the rest counted)."""
    table = Table(show_lines=False)
    for col in df.columns:
        table.add_column(col, overflow="fold")
    for row in df.head(limit).iter_rows():
        # Cells are data: escape rich markup so a name with [brackets] or HTML prints as text.
        table.add_row(*("" if v is None else escape(str(v)) for v in row))
    console.print(table)
    if df.height > limit:
        console.print(f"[dim]... {df.height - limit} rader til (bruk --csv eller --xlsx)[/]")


def main() -> None:  # pragma: no cover - the console script calls app() directly
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
