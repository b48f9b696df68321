"""The options several commands share, declared once, and their reading into values."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from analysis import config
from analysis.cli.console import fail
from analysis.dates import written_date

YearOpt = Annotated[
    int | None,
    typer.Option(
        "--year",
        help="Rapportåret; kommuneinndelingen følger av det (standard: report_year i sources.yaml).",
    ),
]
DataOpt = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Mappen med prosesserte data (standard: data/processed/<inndeling> for året).",
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Dato for statusen (dd.mm.åååå eller åååå-mm-dd; standard: slutten av rapportåret).",
    ),
]
RegionOpt = Annotated[
    str | None,
    typer.Option("--region", help="Ett fylke: nummer (46) eller navn."),
]

TABLE_FORMATS = ("table", "csv", "json")
TableFormatOpt = Annotated[
    str,
    typer.Option(
        "--format", help="table (standard), csv eller json til standard ut.", show_default=False
    ),
]
ReportFormatOpt = Annotated[
    str,
    typer.Option(
        "--format", help="html, pdf eller html,pdf (standard: begge).", show_default=False
    ),
]


def report_year(year: int | None) -> int:
    """--year, else the report year of the catalogue."""
    return year if year is not None else config.default_year()


def data_folder(year: int | None, data: Path | None) -> Path:
    """The processed data for the report year (its division's folder) unless --data says."""
    from analysis.load import processed_dir

    return processed_dir(data, report_year(year))


def option_date(value: str | None, option: str) -> date | None:
    """A date option as a person writes it: 31.12.2023 (or 1.7.2022) or ISO 2023-12-31; None
    when it is not given. Anything else, or a day that does not exist (31.02.2023), ends in
    one line naming ``option``."""
    if value is None:
        return None
    parts = written_date(value)
    if parts is None:
        fail(f"{option}: {value!r} er ikke en dato; skriv dd.mm.åååå (31.12.2023)")
    try:
        return date(*parts)
    except ValueError:  # only from the constructor above: the date does not exist
        fail(f"{option}: {value!r} finnes ikke som dato")


def as_of_date(value: str | None) -> date | None:
    """--as-of as a date; None when it is not given (the edition's default then applies)."""
    return option_date(value, "--as-of")


def table_format(value: str) -> str:
    """--format of the commands that print a table or write csv/json to stdout."""
    if value not in TABLE_FORMATS:
        fail(f"--format: {value!r} er ukjent; velg table, csv eller json")
    return value


def county(value: str | None, division: int) -> tuple[str, str] | None:
    """--region as (number, name) of a county of the division; an unknown one ends with the
    closest counties."""
    from analysis.reference.find import NotFoundError, find_county

    if value is None:
        return None
    try:
        return find_county(value, division)
    except NotFoundError as exc:
        fail(f"--region: {exc}")
