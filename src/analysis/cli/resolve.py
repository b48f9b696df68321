"""`ehelse resolve`: the municipality number for every row of a list, doubt kept visible.

Every row gets a status: «funnet», «utgått» (a name merged away: the successor's number, and
the old name in the note), «usikker» (a misspelling close to a name: no number, the suggestions
listed), «flertydig» or «ukjent». A county column (``--county-column``, or a column called
Fylke when there is one) settles names found in several counties.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analysis import _io
from analysis.cli.console import console, fail, rows_text
from analysis.cli.options import YearOpt, report_year
from analysis.escape import terminal_text

ADDED = ("kommunenummer", "kommunenavn", "status", "treff", "merknad", "forslag")
COUNTY_COLUMNS = ("fylke", "fylkesnavn", "fylkesnummer", "fylkenavn", "fylkenr")


def county_column_of(columns: list[str], column: str) -> str | None:
    """The column that holds the county, found by its name (Fylke, fylkesnavn ...)."""
    for c in columns:
        if c != column and c.strip().casefold() in COUNTY_COLUMNS:
            return c
    return None


def resolve(
    input: Annotated[Path, typer.Argument(help="CSV- eller XLSX-fil med kommuner.")],
    column: Annotated[str, typer.Option("--column", help="Kolonnen som holder kommunen.")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Filen som skrives: .xlsx gir en Excel-fil, ellers CSV (UTF-8, komma).",
        ),
    ],
    county_column: Annotated[
        str | None,
        typer.Option(
            "--county-column",
            help="Kolonne med fylke (standard: kolonnen Fylke om den finnes).",
        ),
    ] = None,
    excel_csv: Annotated[
        bool,
        typer.Option(
            "--excel-csv",
            help="CSV for Excel: semikolon, BOM og datoer som dd.mm.åååå.",
        ),
    ] = False,
    year: YearOpt = None,
) -> None:
    """Finn kommunenummer for hver rad i en liste (navn, nummer eller organisasjonsnummer)."""
    from analysis.ingest.readers import ROW, read_table
    from analysis.reference import resolver
    from analysis.reference.resolution import STATUSES
    from analysis.tools.tablefile import file_kind, write_table

    kind = file_kind(out, excel_csv)
    _io.check_file(out)  # before the work: a folder or /dev/null/x is a one-line error
    df = read_table(input).drop(ROW)
    for col in (column, county_column):
        if col is not None and col not in df.columns:
            fail(f"{input}: fant ikke kolonnen {col!r}; kolonnene er {', '.join(df.columns)}")
    found_county = county_column is None and county_column_of(df.columns, column) is not None
    if county_column is None:
        county_column = county_column_of(df.columns, column)
    r = resolver(report_year(year))
    counties = df[county_column].to_list() if county_column else [None] * df.height
    results = [r.resolve(v, c) for v, c in zip(df[column].to_list(), counties, strict=True)]
    import polars as pl

    added = pl.DataFrame(
        {
            "kommunenummer": [x.kommunenummer for x in results],
            "kommunenavn": [x.kommunenavn for x in results],
            "status": [x.status for x in results],
            "treff": [x.match for x in results],
            "merknad": [x.note for x in results],
            "forslag": [
                x.candidates_text() if x.status in ("usikker", "flertydig", "ukjent") else ""
                for x in results
            ],
        },
        schema=dict.fromkeys(ADDED, pl.String),
    )
    clash = [c for c in added.columns if c in df.columns]
    if clash:
        df = df.rename({c: f"{c}_inndata" for c in clash})
    result = pl.concat([df, added], how="horizontal")
    write_table(out, result, kind, sheet="Kommuner")
    counts = result["status"].value_counts()
    by_status = dict(zip(counts["status"], counts["count"], strict=True))
    summary = ", ".join(f"{s}: {by_status[s]}" for s in STATUSES if by_status.get(s))
    what = {"xlsx": "Excel-fil", "excel-csv": "CSV for Excel", "csv": "CSV"}[kind]
    console().print(
        f"Skrev {rows_text(result.height)} til {terminal_text(out)} ({what}; "
        f"{terminal_text(summary)}).",
        highlight=False,
    )
    if found_county:
        console().print(
            f"Fylke fra kolonnen {terminal_text(county_column)!r}.",
            highlight=False,
        )
    notes = {
        "utgått": "har navn eller nummer på en kommune som er slått sammen eller har byttet "
        "navn: nummeret er etterfølgerens (se merknad).",
        "usikker": "likner en kommune uten å være et kjent navn: ikke noe nummer, se forslag.",
        "flertydig": "passer flere kommuner: oppgi fylke, se forslag.",
        "ukjent": "er ingen kjent kommune: se forslag.",
    }
    for status, text in notes.items():
        n = by_status.get(status, 0)
        if n:
            console().print(f"[yellow]{rows_text(n)} {text}[/]", highlight=False)
