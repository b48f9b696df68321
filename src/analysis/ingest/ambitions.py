"""The portfolio tables: the activities with their ambitions and published status
(``ambisjoner``), and the sector's shared measures (``tiltak``).

The status a table publishes is kept as published (``status_publisert`` with ``status_dato``),
beside what the municipality-level data says, so the report can show both and their difference.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import polars as pl

from analysis.dates import month_end
from analysis.ingest.catalogue import Source
from analysis.ingest.columns import find_columns, require
from analysis.ingest.common import (
    Context,
    IngestError,
    RowError,
    SourceResult,
    parse_count,
    raw_columns,
    reject_records,
)
from analysis.ingest.labels import SOLUTION_ID, parse_date, parse_solution
from analysis.ingest.readers import ROW
from analysis.schemas import Ambisjoner, Tiltak, polars_schema

AMBITION_FIELDS = [
    "aktivitet_id",
    "nr",
    "aktivitet",
    "innsatsomrade",
    "eier",
    "tidsramme",
    "status_publisert",
    "ambisjon",
    "omfang",
    "merknad",
    "kilde",
]
AMBITION_SCHEMA: dict[str, Any] = polars_schema(Ambisjoner)
MEASURE_FIELDS = ["nr", "innsatsomrade", "tiltak", "eier", "tidsramme", "status", "kilde"]
MEASURE_SCHEMA: dict[str, Any] = polars_schema(Tiltak)


def status_date_from_header(header: str) -> dt.date | None:
    """The month a status column names ("status_april_2023" -> 2023-04-30), at its month end."""
    m = re.search(r"([a-zæøå]+)[\s_\-]+(\d{4})", header.casefold())
    parsed = parse_date(f"{m[1]} {m[2]}") if m else None
    return month_end(parsed.dato) if parsed and parsed.presisjon == "maaned" else None


def _field(row: dict[str, Any], found: dict[str, str], name: str) -> str | None:
    return row[found[name]] if name in found else None


def ingest_ambitions(source: Source, df: pl.DataFrame, ctx: Context) -> SourceResult:
    cols = raw_columns(df)
    found = find_columns(cols, AMBITION_FIELDS, source.columns, ctx.where(source))
    require(found, ["aktivitet_id", "aktivitet", "ambisjon"], cols, ctx.where(source))
    status_date = source.status_date
    if status_date is None and "status_publisert" in found:
        status_date = status_date_from_header(found["status_publisert"])
    # The portfolio the ambitions belong to: an edition uses the newest one at or before its year.
    year = source.portfolio_year or (status_date.year if status_date else None)
    if year is None:
        raise IngestError(
            f"{ctx.where(source)}: porteføljeåret mangler; oppgi portfolio_year i katalogen "
            f"(eller status_date) (kilden {source.id!r})"
        )
    out: list[dict[str, Any]] = []
    records: list[tuple[dict[str, Any], str | None, str]] = []
    first: dict[str, int] = {}
    for row in df.iter_rows(named=True):
        try:
            text = _field(row, found, "aktivitet_id")
            if text is None:
                raise RowError("mangler løsning", found["aktivitet_id"])
            losning = parse_solution(text) or (text if SOLUTION_ID.match(text) else None)
            if losning is None:
                raise RowError(f"ukjent løsning {text!r}", found["aktivitet_id"])
            if losning in first:
                raise RowError(f"duplikat av rad {first[losning]}", found["aktivitet_id"])
            aktivitet = _field(row, found, "aktivitet")
            if aktivitet is None:
                raise RowError("mangler aktivitet", found["aktivitet"])
            ambisjon = parse_count(_field(row, found, "ambisjon"), found["ambisjon"])
            status = parse_count(
                _field(row, found, "status_publisert"), found.get("status_publisert")
            )
        except RowError as bad:
            records.append((row, bad.column, bad.reason))
            continue
        first[losning] = row[ROW]
        out.append(
            {
                "losning": losning,
                "portefolje_aar": year,
                "nr": _field(row, found, "nr") or "",
                "aktivitet": aktivitet,
                "innsatsomrade": _field(row, found, "innsatsomrade") or "",
                "eier": _field(row, found, "eier"),
                "tidsramme": _field(row, found, "tidsramme"),
                "ambisjon": ambisjon,
                "status_publisert": status,
                "status_dato": status_date if status is not None else None,
                "omfang": _field(row, found, "omfang") or "",
                "merknad": _field(row, found, "merknad"),
                "kilde": _field(row, found, "kilde") or source.title,
                "kilde_id": source.id,
                "syntetisk": source.synthetic,
                ROW: row[ROW],
            }
        )
    return _result(source, df, out, records, cols, "ambisjoner", AMBITION_SCHEMA)


def ingest_measures(source: Source, df: pl.DataFrame, ctx: Context) -> SourceResult:
    cols = raw_columns(df)
    found = find_columns(cols, MEASURE_FIELDS, source.columns, ctx.where(source))
    require(found, ["tiltak"], cols, ctx.where(source))
    out: list[dict[str, Any]] = []
    records: list[tuple[dict[str, Any], str | None, str]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for row in df.iter_rows(named=True):
        values = tuple(row[c] for c in cols)
        if values in seen:
            records.append((row, None, f"duplikat av rad {seen[values]}"))
            continue
        seen[values] = row[ROW]
        if _field(row, found, "tiltak") is None:
            records.append((row, found["tiltak"], "mangler tiltak"))
            continue
        out.append(
            {
                "kilde_id": source.id,
                **{f: _field(row, found, f) for f in MEASURE_FIELDS if f != "kilde"},
                "kilde": _field(row, found, "kilde") or source.title,
                "syntetisk": source.synthetic,
                ROW: row[ROW],
            }
        )
    return _result(source, df, out, records, cols, "tiltak", MEASURE_SCHEMA)


def _result(
    source: Source,
    df: pl.DataFrame,
    out: list[dict[str, Any]],
    records: list[tuple[dict[str, Any], str | None, str]],
    cols: list[str],
    table: str,
    schema: dict[str, Any],
) -> SourceResult:
    frame = pl.DataFrame(out, schema={**schema, ROW: pl.Int64}, orient="row")
    return SourceResult(
        source,
        "",
        df.height,
        kept_rows=frame[ROW],
        rejects=reject_records(records, source, cols),
        tables={table: frame.drop(ROW)},
    )
