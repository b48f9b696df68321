"""National figures as published: a count of municipalities per solution at a date, with its
source, kept beside the municipality-level data so that the report can show both.

Published series name what they count in free text ("Kjernejournal SHT – tilgjengeliggjort");
the committed mapping ``data/publisert_beskrivelser.csv`` turns that into (solution, step).
Figures about something outside the portfolio (Akson) are kept with no solution. Dates keep the
precision the source gives (year, month, day, or none).

A file may name the solution and the indicator in two columns (``losning``, ``indikator``);
the description is then "<solution> – <indicator>", read through the same mapping. A source
catalogued with ``counted_only`` keeps only dated rows of a solution and step we count, and
with ``row_types`` only rows whose type column (``kategori``) is one of them; every other row
goes to the rejects with its reason, so rows read = kept + rejected.
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
from analysis.schemas import TRINN, Publisert, polars_schema

FIELDS = [
    "dato",
    "beskrivelse",
    "indikator",
    "kategori",
    "antall",
    "nevner",
    "kilde",
    "merknad",
    "losning",
    "trinn",
]
SCHEMA: dict[str, Any] = {**polars_schema(Publisert), ROW: pl.Int64}


def ingest_published(source: Source, df: pl.DataFrame, ctx: Context) -> SourceResult:
    cols = raw_columns(df)
    found = find_columns(cols, FIELDS, source.columns, ctx.where(source))
    require(found, [["beskrivelse", "indikator"], "antall"], cols, ctx.where(source))
    text_col = found.get("beskrivelse", found.get("indikator"))
    out: list[dict[str, Any]] = []
    records: list[tuple[dict[str, Any], str | None, str]] = []
    seen: dict[tuple[Any, ...], int] = {}

    def cell(row: dict[str, Any], name: str) -> str | None:
        return row[found[name]] if name in found else None

    def description(row: dict[str, Any]) -> str | None:
        if "beskrivelse" in found:
            return cell(row, "beskrivelse")
        indicator, head = cell(row, "indikator"), cell(row, "losning")
        if indicator is None:
            return None
        return f"{head} – {indicator}" if head is not None else indicator

    for row in df.iter_rows(named=True):
        values = tuple(row[c] for c in cols)
        try:
            if values in seen:
                raise RowError(f"duplikat av rad {seen[values]}", None)
            seen[values] = row[ROW]
            text = description(row)
            if text is None:
                raise RowError("mangler beskrivelse", text_col)
            kind = cell(row, "kategori")
            if source.row_types and kind not in source.row_types:
                raise RowError(
                    f"{kind or 'uten type'}, ikke en telling av kommuner (kolonnen type; "
                    f"telles: {', '.join(source.row_types)})",
                    found.get("kategori"),
                )
            date_text = cell(row, "dato")
            parsed = parse_date(date_text)
            if date_text is not None and parsed is None:
                raise RowError(f"ugyldig dato {date_text!r}", found.get("dato"))
            if parsed is None and source.counted_only:
                raise RowError(
                    "mangler dato: kilden oppgir ingen dato, så tallet kan ikke stå i tidsserien",
                    found.get("dato"),
                )
            if parsed is not None and parsed.dato > ctx.today:
                raise RowError(f"dato i fremtiden ({parsed.dato.isoformat()})", found.get("dato"))
            desc = parse_description(text)
            losning, trinn = desc.losning, desc.trinn
            if "beskrivelse" in found and cell(row, "losning") is not None:
                losning = parse_solution(cell(row, "losning"))
            if cell(row, "trinn") is not None:
                step = parse_status(cell(row, "trinn"))
                trinn = step.trinn if step is not None and step.trinn in TRINN else None
            if source.counted_only and losning is None:
                raise RowError(
                    f"ikke en aktivitet vi teller: {cell(row, 'losning') or text!r}",
                    found.get("losning", text_col),
                )
            count = parse_count(cell(row, "antall"), found["antall"])
            if count is None:
                raise RowError("mangler antall", found["antall"])
            if source.counted_only and trinn is None:
                raise RowError(
                    f"ikke et trinn vi teller: {text!r} (se publisert_beskrivelser.csv)", text_col
                )
            denominator = parse_count(cell(row, "nevner"), found.get("nevner"))
        except RowError as bad:
            records.append((row, bad.column, bad.reason))
            continue
        note = cell(row, "merknad")
        if denominator is not None:
            note = f"av {denominator}" + (f"; {note}" if note else "")
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
                "merknad": note,
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
