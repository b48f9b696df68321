"""Adoption files: which municipality reached which step of which solution, and when.

Three shapes are read:

* long: one row per municipality (and step), with a status label and a date;
* combined: one cell holding both ("2022-11 tatt i bruk (sammen med St. Olavs hospital)"), as in
  Helseplattformen's roll-out list;
* wide: one date column per step ("Tilgjengelig dato", "I bruk dato"), one event per filled cell.

The solution comes from the catalogue entry or from a solution column (through the committed
vocabulary). Every row ends as events in ``adopsjon`` or as a reject with its reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import MutableMapping, Sequence
from typing import Any

import polars as pl

from analysis.dates import month_end
from analysis.ingest.catalogue import Source
from analysis.ingest.columns import ColumnError, find_columns, missing_column, require
from analysis.ingest.common import (
    REASON,
    REF_FIELDS,
    Context,
    RowError,
    SourceResult,
    check_duplicates,
    raw_columns,
    reject_records,
    rejects_from,
    resolve_frame,
    start_checks,
)
from analysis.ingest.labels import (
    NO_STEP,
    parse_date,
    parse_solution,
    parse_status,
    remark,
    split_date_status,
)
from analysis.ingest.readers import ROW
from analysis.schemas import TRINN, Adopsjon, Status, polars_schema

FIELDS = [
    *REF_FIELDS,
    "fylke",
    "losning",
    "trinn",
    "dato",
    "dato_status",
    "dato_planlagt",
    "dato_tilgjengelig",
    "dato_i_bruk",
    "merknad",
]
WIDE = {"dato_planlagt": "planlagt", "dato_tilgjengelig": "tilgjengelig", "dato_i_bruk": "i_bruk"}
EVENT_SCHEMA: dict[str, Any] = polars_schema(Adopsjon)
STATUS_SCHEMA: dict[str, Any] = polars_schema(Status)

# An event already kept, by (losning, kommunenummer, trinn, dato): (source id, row).
Seen = MutableMapping[tuple[str, str, str, dt.date], tuple[str, int]]


def _join_notes(*notes: str | None) -> str | None:
    return "; ".join(n for n in notes if n) or None


def _rows_text(rows: Sequence[int]) -> str:
    rows = sorted(rows)
    if len(rows) == 1:
        return str(rows[0])
    return ", ".join(str(r) for r in rows[:-1]) + f" og {rows[-1]}"


def ingest_adoption(source: Source, df: pl.DataFrame, ctx: Context, seen: Seen) -> SourceResult:
    """Events and rejects of one adoption file; ``seen`` carries events kept from other files."""
    cols = raw_columns(df)
    found = find_columns(cols, FIELDS, source.columns, ctx.where(source))
    require(found, [REF_FIELDS], cols, ctx.where(source))
    if source.solution is None:
        require(found, ["losning"], cols, ctx.where(source))
    wide = [f for f in WIDE if f in found]
    long = "trinn" in found or "dato_status" in found
    date_col: str | None = found.get("dato")
    if long and date_col is None and "dato_status" not in found:
        if len(wide) != 1:
            raise ColumnError(missing_column(ctx.where(source), "dato", cols))
        date_col = found[wide[0]]
    if not long and not wide:
        raise ColumnError(missing_column(ctx.where(source), "trinn", cols))

    work = check_duplicates(start_checks(df), cols)
    work = resolve_frame(work, found, ctx.resolver, source.county_hint)
    early = work.filter(pl.col(REASON).is_not_null())
    records: list[tuple[dict[str, Any], str | None, str]] = []
    candidates: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for row in work.filter(pl.col(REASON).is_null()).iter_rows(named=True):
        try:
            solution = _solution(row, found, source)
            if long:
                events = [_long_event(row, found, date_col, source, ctx)]
            else:
                events = _wide_events(row, found, wide, source, ctx)
        except RowError as r:
            records.append((row, r.column, r.reason))
            continue
        base = {
            "kilde_id": source.id,
            "losning": solution,
            "kommunenummer": row["__knr"],
            "syntetisk": source.synthetic,
            "rad": row[ROW],
            "kommune_inndata": row["__kinndata"],
            "treff": row["__treff"],
        }
        extra = row[found["merknad"]] if "merknad" in found else None
        candidates.append(
            (row, [base | e | {"merknad": _join_notes(extra, e["merknad"])} for e in events])
        )

    # Two statuses for the same municipality, solution and date in one file: both are wrong.
    if long:
        groups: dict[tuple[str, str, dt.date], list[int]] = defaultdict(list)
        for i, (_, evs) in enumerate(candidates):
            e = evs[0]
            groups[(e["losning"], e["kommunenummer"], e["dato"])].append(i)
        bad: set[int] = set()
        for idxs in groups.values():
            if len({candidates[i][1][0]["trinn"] for i in idxs}) > 1:
                rows = [candidates[i][0][ROW] for i in idxs]
                why = (
                    "motstridende status for samme kommune, løsning og dato "
                    f"(rad {_rows_text(rows)})"
                )
                for i in idxs:
                    records.append((candidates[i][0], found.get("trinn"), why))
                bad.update(idxs)
        candidates = [c for i, c in enumerate(candidates) if i not in bad]

    kept_events: list[dict[str, Any]] = []
    kept_rows: list[int] = []
    for row, evs in sorted(candidates, key=lambda c: c[0][ROW]):
        fresh: list[dict[str, Any]] = []
        first_dup: str | None = None
        for e in evs:
            key = (e["losning"], e["kommunenummer"], e["trinn"], e["dato"])
            if key in seen:
                other_id, other_row = seen[key]
                first_dup = first_dup or (
                    f"duplikat av rad {other_row} (samme kommune, løsning, trinn og dato)"
                    if other_id == source.id
                    else f"samme hendelse som kilden {other_id!r} rad {other_row}"
                )
                continue
            seen[key] = (source.id, row[ROW])
            fresh.append(e)
        if fresh:
            kept_events.extend(fresh)
            kept_rows.append(row[ROW])
        else:
            records.append((row, None, first_dup or "ingen hendelse"))

    rejects = pl.concat([rejects_from(early, source, cols), reject_records(records, source, cols)])
    events_df = pl.DataFrame(kept_events, schema=EVENT_SCHEMA, orient="row")
    return SourceResult(
        source,
        "",
        df.height,
        kept_rows=pl.Series(ROW, kept_rows, pl.Int64),
        rejects=rejects.sort("rad", nulls_last=True),
        tables={"adopsjon": events_df},
    )


def _solution(row: dict[str, Any], found: dict[str, str], source: Source) -> str:
    text = row[found["losning"]] if "losning" in found else None
    if text is None:
        if source.solution is None:
            raise RowError("mangler løsning", found.get("losning"))
        return source.solution
    solution = parse_solution(text)
    if solution is None:
        raise RowError(f"ukjent løsning {text!r}", found["losning"])
    return solution


def _long_event(
    row: dict[str, Any], found: dict[str, str], date_col: str | None, source: Source, ctx: Context
) -> dict[str, Any]:
    combined = found.get("dato_status")
    date_text, status_text = None, None
    if combined is not None:
        date_text, status_text = split_date_status(row[combined])
    status_col = found.get("trinn", combined)
    if "trinn" in found and row[found["trinn"]] is not None:
        status_text = row[found["trinn"]]
    if date_col is not None and row[date_col] is not None:
        date_text = row[date_col]
    if status_text is None:
        raise RowError("mangler status", status_col)
    step = parse_status(status_text)
    if step is None:
        raise RowError(f"ukjent status {status_text!r}", status_col)
    if step.trinn == NO_STEP:
        raise RowError(f"ikke et trinn: status {status_text!r} (ingen hendelse)", status_col)
    event = _dated(step.trinn, date_text, date_col or combined, source, ctx, step.future_as_planned)
    event["merknad"] = _join_notes(remark(status_text), event["merknad"])
    return event


def _dated(
    trinn: str,
    date_text: str | None,
    column: str | None,
    source: Source,
    ctx: Context,
    future_as_planned: bool = False,
) -> dict[str, Any]:
    """The event for a step at a date, with the checks every date gets."""
    if date_text is None:
        raise RowError("mangler dato", column)
    parsed = parse_date(date_text)
    if parsed is None:
        raise RowError(f"ugyldig dato {date_text!r}", column)
    dato, precision, note = parsed.dato, parsed.presisjon, None
    if dato > ctx.today and future_as_planned:
        trinn, note = "planlagt", f"oppgitt innføringsdato {date_text}"
    if trinn == "planlagt" and source.planned_event_date == "accessed":
        # The source says the step is planned as of when it was read; its date is the plan's.
        note = _join_notes(
            note, f"planlagt innføring {date_text}; trinnet datert da kilden ble lest"
        )
        dato, precision = source.accessed, "dag"
    if dato > ctx.today:
        raise RowError(f"dato i fremtiden ({dato.isoformat()})", column)
    return {"trinn": trinn, "dato": dato, "dato_presisjon": precision, "merknad": note}


def _wide_events(
    row: dict[str, Any], found: dict[str, str], wide: list[str], source: Source, ctx: Context
) -> list[dict[str, Any]]:
    events = [
        _dated(WIDE[f], row[found[f]], found[f], source, ctx)
        for f in wide
        if row[found[f]] is not None
    ]
    if not events:
        raise RowError("mangler dato", found[wide[0]])
    return events


# -- status --------------------------------------------------------------------------------------


def status_snapshots(
    events: pl.DataFrame,
    municipalities: Sequence[str],
    end: dt.date,
    synthetic_solutions: set[str] | None = None,
) -> pl.DataFrame:
    """Month-end snapshots: the highest step each municipality had reached for each solution.

    From the month of the first event (of any solution, so every solution covers the same
    months) through ``end``, every municipality of the division gets a row per solution;
    ``trinn`` is null before its first event (not started). ``syntetisk`` is true when an event
    so far came from synthetic data, and for not-started rows when any of the solution's
    sources is synthetic.
    """
    if events.is_empty():
        return pl.DataFrame(schema=STATUS_SCHEMA)
    synthetic_solutions = synthetic_solutions or set()
    rank = {t: i for i, t in enumerate(TRINN)}
    ev = events.select(
        "losning",
        "kommunenummer",
        pl.col("dato").dt.month_end().alias("dato"),
        pl.col("trinn").replace_strict(rank, return_dtype=pl.Int8).alias("rang"),
        pl.col("syntetisk"),
    )
    per_month = ev.group_by("losning", "kommunenummer", "dato").agg(
        pl.col("rang").max(), pl.col("syntetisk").any()
    )
    first = ev["dato"].min()
    assert isinstance(first, dt.date)
    start = first.replace(day=1)
    months = pl.date_range(start, max(month_end(end), start), "1mo", eager=True).dt.month_end()
    solutions = pl.DataFrame({"losning": sorted(set(ev["losning"].to_list()))})
    munis = pl.DataFrame(
        {"kommunenummer": list(municipalities)}, schema={"kommunenummer": pl.String}
    )
    grid = (
        solutions.join(munis, how="cross")
        .join(months.to_frame("dato"), how="cross")
        .join(per_month, on=["losning", "kommunenummer", "dato"], how="left")
    )
    grid = grid.sort("losning", "kommunenummer", "dato").with_columns(
        pl.col("rang").cum_max().forward_fill().over("losning", "kommunenummer"),
        pl.col("syntetisk")
        .cast(pl.Int8)
        .cum_max()
        .forward_fill()
        .over("losning", "kommunenummer")
        .cast(pl.Boolean),
    )
    labels = dict(enumerate(TRINN))
    return grid.select(
        "losning",
        "kommunenummer",
        "dato",
        pl.col("rang").replace_strict(labels, return_dtype=pl.String, default=None).alias("trinn"),
        pl.col("syntetisk").fill_null(pl.col("losning").is_in(sorted(synthetic_solutions))),
    )
