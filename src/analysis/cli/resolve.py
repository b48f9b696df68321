"""`ehelse resolve`: the municipality number for every row of a list, ambiguity kept visible."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analysis import _io
from analysis.cli.console import console, fail
from analysis.cli.options import YearOpt, report_year
from analysis.escape import terminal_text


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
    from analysis.ingest.readers import ROW, read_table
    from analysis.reference import resolver

    _io.check_file(out)  # before the work: a folder or /dev/null/x is a one-line error
    df = read_table(input).drop(ROW)
    for col in (column, county_column):
        if col is not None and col not in df.columns:
            fail(f"{input}: fant ikke kolonnen {col!r}; kolonnene er {', '.join(df.columns)}")
    r = resolver(report_year(year))
    counties = df[county_column].to_list() if county_column else [None] * df.height
    results = [r.resolve(v, c) for v, c in zip(df[column].to_list(), counties, strict=True)]
    import polars as pl

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
    _io.write_file(out, result.write_csv)
    counts = result.group_by("match").len().sort("match")
    summary = ", ".join(f"{m}: {n}" for m, n in counts.iter_rows())
    console.print(
        f"Skrev {result.height} rader til {terminal_text(out)} ({terminal_text(summary)}).",
        highlight=False,
    )
    unresolved = result.filter(pl.col("kommunenummer").is_null()).height
    if unresolved:
        console.print(
            f"[yellow]{unresolved} rader er flertydige eller ukjente: se kolonnene match og candidates.[/]"
        )
