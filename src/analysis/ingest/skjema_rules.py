"""Which form answers are counted: conflicts are listed, never resolved silently.

The rule (docs/metode.md, «Statusskjema»):

1. Between two forms that disagree about one municipality and activity, the answer received
   last counts (the catalogue's date_accessed, then the catalogue's order); both are listed.
2. An owner's registry (any adoption source that is not a form) beats a self-report for the
   step it records: a form is contradicted when the registry had the municipality on a higher
   step by the time the form was received, or when a registry that records the answered step
   for the solution, read on or after the answer's date, has the municipality on that step at
   another date or not at that step or higher at all. The registry's events count, and the
   answer is listed beside them.
3. Every other answered step becomes an adoption event with its provenance, unless the same
   event is already there (dates compared at the coarser of the two precisions).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from analysis.ingest.adoption import EVENT_SCHEMA, Seen
from analysis.ingest.common import SourceResult
from analysis.ingest.skjema import ANSWER_SCHEMA, ANSWERED
from analysis.ingest.skjema_layout import NOT_STARTED, STEP_LABELS
from analysis.schemas import TRINN

RANK = {NOT_STARTED: -1, **{t: i for i, t in enumerate(TRINN)}}
PRIVATE = ("kommune_inndata", "treff")
CONFLICT_SCHEMA: dict[str, Any] = {
    "losning": pl.String,
    "kommunenummer": pl.String,
    "slag": pl.String,  # "to skjema" | "register"
    "kilde_id": pl.String,
    "rad": pl.Int64,
    "trinn": pl.String,
    "dato": pl.Date,
    "mot_kilde": pl.String,
    "mot_rad": pl.Int64,
    "mot_trinn": pl.String,
    "mot_dato": pl.Date,
    "gjelder": pl.String,  # the source whose statement counts
    "regel": pl.String,
    "syntetisk": pl.Boolean,
}
_PRECISION = {"dag": 0, "maaned": 1, "aar": 2}


def _same_day(a: dt.date | None, pa: str | None, b: dt.date | None, pb: str | None) -> bool:
    """Two dates agree at the coarser of their precisions (a month agrees with a day in it)."""
    if a is None or b is None:
        return a is b
    level = max(_PRECISION.get(pa or "dag", 0), _PRECISION.get(pb or "dag", 0))
    if level == 2:
        return a.year == b.year
    if level == 1:
        return (a.year, a.month) == (b.year, b.month)
    return a == b


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a["trinn"] == b["trinn"] and _same_day(
        a["dato"], a["dato_presisjon"], b["dato"], b["dato_presisjon"]
    )


def _words(trinn: str | None, dato: dt.date | None) -> str:
    step = STEP_LABELS.get(trinn or "", trinn or "tomt")
    return f"«{step}»" + (f" fra {dato.isoformat()}" if dato else "")


def _conflict(
    a: Mapping[str, Any], other: Mapping[str, Any], slag: str, gjelder: str, regel: str
) -> dict[str, Any]:
    return {
        "losning": a["losning"],
        "kommunenummer": a["kommunenummer"],
        "slag": slag,
        "kilde_id": a["kilde_id"],
        "rad": a["rad"],
        "trinn": a["trinn"],
        "dato": a["dato"],
        "mot_kilde": other["kilde_id"],
        "mot_rad": other["rad"],
        "mot_trinn": other["trinn"],
        "mot_dato": other["dato"],
        "gjelder": gjelder,
        "regel": regel,
        "syntetisk": bool(a["syntetisk"] or other.get("syntetisk")),
    }


def _registry_conflict(
    a: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    records: Mapping[str, set[tuple[str, str]]],
    accessed: Mapping[str, dt.date],
) -> tuple[Mapping[str, Any], str] | None:
    """The registry event an answer contradicts, and the rule in words (None: none does)."""
    rank = RANK[a["trinn"]]
    higher = [e for e in events if RANK[e["trinn"]] > rank and e["dato"] <= a["mottatt"]]
    if higher:
        e = min(higher, key=lambda e: (-RANK[e["trinn"]], e["dato"]))
        return e, (
            f"registeret {e['kilde_id']} har kommunen på {_words(e['trinn'], e['dato'])}, før "
            "skjemaet kom inn; registeret gjelder"
        )
    if a["trinn"] not in TRINN:
        return None
    for source in sorted(s for s, rec in records.items() if (a["losning"], a["trinn"]) in rec):
        if accessed.get(source, dt.date.min) < a["dato"]:
            continue  # read before the step was reached: it cannot know
        mine = [e for e in events if e["kilde_id"] == source]
        at_step = [e for e in mine if e["trinn"] == a["trinn"]]
        if any(_same(a, e) for e in at_step):
            return None
        if at_step:
            e = at_step[0]
            return e, (
                f"registeret {source} har {_words(e['trinn'], e['dato'])}; registeret gjelder "
                "for trinnet det fører"
            )
        if not any(RANK[e["trinn"]] >= RANK[a["trinn"]] for e in mine):
            missing = {
                "kilde_id": source,
                "rad": None,
                "trinn": None,
                "dato": None,
                "syntetisk": None,
            }
            return missing, (
                f"registeret {source} (lest {accessed[source].isoformat()}) har ikke kommunen "
                f"på trinnet «{STEP_LABELS[a['trinn']]}»; registeret gjelder for trinnet det fører"
            )
    return None


def settle(
    forms: Sequence[SourceResult],
    registry: pl.DataFrame,
    accessed: Mapping[str, dt.date],
    order: Mapping[str, int],
    seen: Seen,
) -> pl.DataFrame:
    """Decide which answers count: fill ``telles`` and ``grunn`` of each form's
    ``skjema_svar``, give each form its ``adopsjon`` events and return the conflicts."""
    answers = [
        dict(row) | {"_form": i}
        for i, r in enumerate(forms)
        for row in r.tables["skjema_svar"].iter_rows(named=True)
    ]
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for a in answers:
        if a["svar"] in ANSWERED:
            by_key[(a["losning"], a["kommunenummer"])].append(a)
        else:
            a["grunn"] = "ikke besvart"
    reg_rows = registry.to_dicts() if registry.height else []
    reg_by_key: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    records: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for e in reg_rows:
        reg_by_key[(e["losning"], e["kommunenummer"])].append(e)
        records[e["kilde_id"]].add((e["losning"], e["trinn"]))
    conflicts: list[dict[str, Any]] = []
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for key, group in sorted(by_key.items()):
        group.sort(key=lambda a: (a["mottatt"], order.get(a["kilde_id"], 0), a["rad"]))
        winner = group[-1]
        for a in group[:-1]:
            if _same(a, winner):
                a["grunn"] = f"samme svar som kilden {winner['kilde_id']!r} rad {winner['rad']}"
                continue
            regel = (
                f"senere svar i {winner['kilde_id']} ({_words(winner['trinn'], winner['dato'])}, "
                f"mottatt {winner['mottatt'].isoformat()}) gjelder"
            )
            a["grunn"] = regel
            conflicts.append(_conflict(a, winner, "to skjema", winner["kilde_id"], regel))
        hit = _registry_conflict(winner, reg_by_key.get(key, []), records, accessed)
        if hit is not None:
            other, regel = hit
            winner["grunn"] = regel
            conflicts.append(_conflict(winner, other, "register", other["kilde_id"], regel))
            continue
        if winner["trinn"] not in TRINN:
            winner["grunn"] = "ikke startet: ingen hendelse"
            continue
        twin = next((e for e in reg_by_key.get(key, []) if _same(winner, e)), None)
        seen_key = (winner["losning"], winner["kommunenummer"], winner["trinn"], winner["dato"])
        if twin is None and seen_key in seen:
            other_id, other_row = seen[seen_key]
            twin = {"kilde_id": other_id, "rad": other_row}
        if twin is not None:
            winner["grunn"] = f"samme hendelse som kilden {twin['kilde_id']!r} rad {twin['rad']}"
            continue
        seen[seen_key] = (winner["kilde_id"], winner["rad"])
        winner["telles"] = True
        events[winner["_form"]].append(_event(winner))
    for i, r in enumerate(forms):
        mine = [a for a in answers if a["_form"] == i]
        r.tables["skjema_svar"] = pl.DataFrame(
            [{k: a[k] for k in ANSWER_SCHEMA} for a in mine], schema=ANSWER_SCHEMA
        )
        r.tables["adopsjon"] = pl.DataFrame(events.get(i, []), schema=EVENT_SCHEMA)
    return pl.DataFrame(conflicts, schema=CONFLICT_SCHEMA)


def _event(a: Mapping[str, Any]) -> dict[str, Any]:
    """The adoption event of a counted answer, with its provenance in merknad."""
    where = f"skjema {a['skjema_id'] or 'uten id'}" + (f" ({a['region']})" if a["region"] else "")
    note = f"{where}, svar {a['svar']}"
    if a["kommentar"]:
        note += f"; kommentar: {a['kommentar']}"
    return {
        "kilde_id": a["kilde_id"],
        "losning": a["losning"],
        "kommunenummer": a["kommunenummer"],
        "trinn": a["trinn"],
        "dato": a["dato"],
        "syntetisk": a["syntetisk"],
        "rad": a["rad"],
        "kommune_inndata": a.get("kommune_inndata"),
        "treff": a.get("treff") or "exact",
        "dato_presisjon": a["dato_presisjon"],
        "merknad": note,
    }
