"""National figures as published: a count of municipalities per solution at a date, with its
source, kept beside the municipality-level data so that the report can show both.

Published series name what they count in free text ("Kjernejournal SHT – tilgjengeliggjort");
the committed mapping ``data/publisert_beskrivelser.csv`` turns that into (solution, step).
Figures about something outside the portfolio (Akson) are kept with no solution. Dates keep the
precision the source gives (year, month, day, or none).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from analysis.ingest.catalogue import Source
from analysis.ingest.columns import find_columns, require
from analysis.ingest.common import (
    Context,
    RowError,
    SourceResult,
    parse_count,
    raw_columns,
    reject_records,
)
from analysis.ingest.labels import parse_date, parse_description, parse_solution, parse_status
from analysis.ingest.readers import ROW
from analysis.schemas import TRINN

FIELDS = ["dato", "beskrivelse", "antall", "kilde", "merknad", "losning", "trinn"]
SCHEMA: dict[str, Any] = {
    "kilde_id": pl.String,
    "dato": pl.Date,
    "dato_presisjon": pl.String,
    "losning": pl.String,
    "trinn": pl.String,
    "beskrivelse": pl.String,
    "antall": pl.Int64,
    "kilde": pl.String,
    "merknad": pl.String,
    "syntetisk": pl.Boolean,
    ROW: pl.Int64,
}


def ingest_published(source: Source, df: pl.DataFrame, ctx: Context) -> SourceResult:
    cols = raw_columns(df)
    found = find_columns(cols, FIELDS, source.columns, ctx.where(source))
    require(found, ["beskrivelse", "antall"], cols, ctx.where(source))
    out: list[dict[str, Any]] = []
    records: list[tuple[dict[str, Any], str | None, str]] = []
    seen: dict[tuple[Any, ...], int] = {}

    def cell(row: dict[str, Any], name: str) -> str | None:
        return row[found[name]] if name in found else None

    for row in df.iter_rows(named=True):
        values = tuple(row[c] for c in cols)
        try:
            if values in seen:
                raise RowError(f"duplikat av rad {seen[values]}", None)
            seen[values] = row[ROW]
            text = cell(row, "beskrivelse")
            if text is None:
                raise RowError("mangler beskrivelse", found["beskrivelse"])
            count = parse_count(cell(row, "antall"), found["antall"])
            if count is None:
                raise RowError("mangler antall", found["antall"])
            date_text = cell(row, "dato")
            parsed = parse_date(date_text)
            if date_text is not None and parsed is None:
                raise RowError(f"ugyldig dato {date_text!r}", found.get("dato"))
            if parsed is not None and parsed.dato > ctx.today:
                raise RowError(f"dato i fremtiden ({parsed.dato.isoformat()})", found.get("dato"))
            desc = parse_description(text)
            losning, trinn = desc.losning, desc.trinn
            if cell(row, "losning") is not None:
                losning = parse_solution(cell(row, "losning"))
            if cell(row, "trinn") is not None:
                step = parse_status(cell(row, "trinn"))
                trinn = step.trinn if step is not None and step.trinn in TRINN else None
        except RowError as bad:
            records.append((row, bad.column, bad.reason))
            continue
        out.append(
            {
                "kilde_id": source.id,
                "dato": parsed.dato if parsed else None,
                "dato_presisjon": parsed.presisjon if parsed else "ukjent",
                "losning": losning,
                "trinn": trinn,
                "beskrivelse": text,
                "antall": count,
                "kilde": cell(row, "kilde") or source.title,
                "merknad": cell(row, "merknad"),
                "syntetisk": source.synthetic,
                ROW: row[ROW],
            }
        )
    frame = pl.DataFrame(out, schema=SCHEMA, orient="row")
    return SourceResult(
        source,
        "",
        df.height,
        kept_rows=frame[ROW],
        rejects=reject_records(records, source, cols),
        tables={"publisert": frame.drop(ROW)},
    )
