"""Trajectory: is the pace enough, and when will the ambition be reached at the current pace?

* Observed pace: municipalities per year over the last 12 (and 24) months of the series.
* Required pace: what the same window needed to reach the ambition by the deadline, from the
  window's start (Eurostat's SDG progress rule, which Open SDG also uses, with linear growth in
  municipalities per year instead of compound growth, since counts start at zero).
* Category: the ratio observed/required against the Eurostat thresholds (>= 95 %, 60 %, 0 %).
* Expected date: analysis.metrics.forecast (a logistic curve bounded by the scope size, or a
  linear pace), each with an interval.

docs/metode.md explains the method in Norwegian; this module is its implementation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
import polars as pl

from analysis.dates import shift_months
from analysis.metrics.forecast import expected_date, years_between

NAADD = "nådd"
PAA_SPORET = "på sporet"
AKSELERASJON = "akselerasjon nødvendig"
BEGRENSET = "begrenset fremgang"
TILBAKEGANG = "tilbakegang"
FRIST_PASSERT = "frist passert, ikke nådd"
IKKE_BEREGNBAR = "ikke beregnbar"
CATEGORIES = (
    NAADD,
    PAA_SPORET,
    AKSELERASJON,
    BEGRENSET,
    TILBAKEGANG,
    FRIST_PASSERT,
    IKKE_BEREGNBAR,
)
# After the deadline (docs/metode.md, section 6): an ambition reached stays «nådd», before or
# after the deadline. While the deadline lies inside the pace window, the ratio still says
# whether the window's pace would have reached the ambition by the deadline. Once the window
# starts on or after the deadline no required pace exists: an ambition not reached is
# AFTER_DEADLINE, and the expected date at today's pace is still given.
AFTER_DEADLINE = FRIST_PASSERT
DEADLINE_NOTE = (
    "fristen ({deadline}) var passert ved periodens start; forventet dato med dagens tempo"
)

ON_TRACK = 0.95  # Eurostat / Open SDG: ratio >= 95 % of the required growth
MODERATE = 0.60  # 60-95 %: progress, but acceleration needed; 0-60 %: limited progress
WINDOW_MONTHS = 12
LONG_WINDOW_MONTHS = 24
MIN_WINDOW_DAYS = 90  # a shorter window says too little about a yearly pace


@dataclass(frozen=True)
class Assessment:
    """The trajectory of one activity at one date (Norwegian field names, as in the tables)."""

    antall: float | None
    tempo: float | None  # municipalities per year, last 12 months
    tempo_24m: float | None
    nodvendig_tempo: float | None  # required over the same window, from its start
    nodvendig_tempo_fremover: float | None  # required from the last observation on
    forhold: float | None
    kategori: str
    modell: str | None
    forventet_dato: date | None
    forventet_fra: date | None
    forventet_til: date | None
    merknad: str | None
    frist_passert: bool = False  # the deadline lies before the status date


def deadline_passed(deadline: date, as_of: date) -> bool:
    """Whether the deadline lies before the status date (the deadline day itself is not)."""
    return deadline < as_of


# --- small helpers ----------------------------------------------------------------------


def category(ratio: float | None) -> str:
    """The progress category of a ratio of observed to required growth."""
    if ratio is None or not math.isfinite(ratio):
        return IKKE_BEREGNBAR
    if ratio >= ON_TRACK:
        return PAA_SPORET
    if ratio >= MODERATE:
        return AKSELERASJON
    if ratio >= 0:
        return BEGRENSET
    return TILBAKEGANG


def _clean(
    dates: Sequence[date], counts: Sequence[float], as_of: date
) -> tuple[list[date], list[float]]:
    """Observations on or before ``as_of``, sorted, one per date (the last value wins)."""
    by_date: dict[date, float] = {}
    for d, c in sorted(zip(dates, counts, strict=True), key=lambda x: (x[0], x[1])):
        if d <= as_of and c is not None and math.isfinite(float(c)):
            by_date[d] = float(c)
    ds = sorted(by_date)
    return ds, [by_date[d] for d in ds]


def value_at(dates: Sequence[date], counts: Sequence[float], t: date) -> float | None:
    """The series at ``t``: linear between observations, the last value after them, None
    before the first."""
    if not dates or t < dates[0]:
        return None
    if t >= dates[-1]:
        return counts[-1]
    i = int(np.searchsorted(np.array([d.toordinal() for d in dates]), t.toordinal(), "right"))
    d0, d1, c0, c1 = dates[i - 1], dates[i], counts[i - 1], counts[i]
    return c0 + (c1 - c0) * (t - d0).days / (d1 - d0).days


def pace(
    dates: Sequence[date], counts: Sequence[float], end: date, months: int
) -> tuple[float | None, date | None]:
    """Municipalities per year over the ``months`` before ``end``, and the window's start.

    A series that starts inside the window is measured from its first observation; a window
    shorter than MIN_WINDOW_DAYS gives no pace.
    """
    if not dates:
        return None, None
    start = max(shift_months(end, -months), dates[0])
    if (end - start).days < MIN_WINDOW_DAYS:
        return None, None
    y0, y1 = value_at(dates, counts, start), value_at(dates, counts, end)
    if y0 is None or y1 is None:
        return None, None
    return (y1 - y0) / years_between(start, end), start


# --- the assessment ---------------------------------------------------------------------


def assess(
    dates: Sequence[date],
    counts: Sequence[float],
    *,
    ambition: float | None,
    ceiling: float,
    deadline: date,
    as_of: date,
) -> Assessment:
    """Pace, required pace, category and expected date for one activity's series."""
    passed = deadline_passed(deadline, as_of)
    ds, ys = _clean(dates, counts, as_of)
    if not ds:
        return _not_computable(None, None, None, "ingen observasjoner", passed)
    end, y_end = ds[-1], ys[-1]
    tempo, start = pace(ds, ys, end, WINDOW_MONTHS)
    tempo_24, _ = pace(ds, ys, end, LONG_WINDOW_MONTHS)
    if ambition is None:
        return _not_computable(y_end, tempo, tempo_24, "ingen ambisjon", passed)

    forward = None
    if y_end >= ambition:
        forward = 0.0
    elif deadline > end:
        forward = (ambition - y_end) / years_between(end, deadline)

    required = ratio = None
    if start is not None:
        y_start = value_at(ds, ys, start)
        assert y_start is not None
        if deadline > start:
            required = (ambition - y_start) / years_between(start, deadline)
        if tempo is not None and required is not None and required > 0:
            ratio = tempo / required
    common = {
        "antall": y_end,
        "tempo": tempo,
        "tempo_24m": tempo_24,
        "nodvendig_tempo": required,
        "nodvendig_tempo_fremover": forward,
        "forhold": ratio,
    }

    if y_end >= ambition:
        first = next(d for d, y in zip(ds, ys, strict=True) if y >= ambition)
        return Assessment(
            **common,
            kategori=NAADD,
            modell=NAADD,
            forventet_dato=first,
            forventet_fra=first,
            forventet_til=first,
            merknad=None,
            frist_passert=passed,
        )

    notes: list[str] = []
    if start is None:
        kat = IKKE_BEREGNBAR
        notes.append("for kort tidsserie til å måle tempoet")
    elif required is None:
        kat = AFTER_DEADLINE
        notes.append(DEADLINE_NOTE.format(deadline=deadline.isoformat()))
    elif required <= 0:
        kat = TILBAKEGANG  # the ambition was met at the window's start and is no longer
    else:
        kat = category(ratio)

    model, point, lo, hi, note = expected_date(ds, ys, ambition, ceiling, tempo, tempo_24)
    if note:
        notes.append(note)
    return Assessment(
        **common,
        kategori=kat,
        modell=model,
        forventet_dato=point,
        forventet_fra=lo,
        forventet_til=hi,
        merknad="; ".join(notes) or None,
        frist_passert=passed,
    )


def _not_computable(
    antall: float | None,
    tempo: float | None,
    tempo_24: float | None,
    note: str,
    passed: bool = False,
) -> Assessment:
    return Assessment(
        antall=antall,
        tempo=tempo,
        tempo_24m=tempo_24,
        nodvendig_tempo=None,
        nodvendig_tempo_fremover=None,
        forhold=None,
        kategori=IKKE_BEREGNBAR,
        modell=None,
        forventet_dato=None,
        forventet_fra=None,
        forventet_til=None,
        merknad=note,
        frist_passert=passed,
    )


# --- frames -----------------------------------------------------------------------------

ASSESSMENT_SCHEMA: dict[str, pl.DataType] = {
    "losning": pl.String(),
    "antall": pl.Float64(),
    "tempo": pl.Float64(),
    "tempo_24m": pl.Float64(),
    "nodvendig_tempo": pl.Float64(),
    "nodvendig_tempo_fremover": pl.Float64(),
    "forhold": pl.Float64(),
    "kategori": pl.String(),
    "modell": pl.String(),
    "forventet_dato": pl.Date(),
    "forventet_fra": pl.Date(),
    "forventet_til": pl.Date(),
    "merknad": pl.String(),
    "frist_passert": pl.Boolean(),
}


def assess_all(series: pl.DataFrame, targets: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """One assessment per activity.

    ``series``: losning, dato, antall. ``targets``: losning, ambisjon (may be null or a
    proportional share), i_omfang (the ceiling), frist. Activities without a series are
    reported as not computable.
    """
    rows = []
    for losning, ambition, ceiling, deadline in (
        targets.select("losning", "ambisjon", "i_omfang", "frist").sort("losning").iter_rows()
    ):
        s = series.filter(pl.col("losning") == losning).sort("dato")
        a = assess(
            s["dato"].to_list(),
            s["antall"].cast(pl.Float64).to_list(),
            ambition=None if ambition is None else float(ambition),
            ceiling=float(ceiling or 0),
            deadline=deadline,
            as_of=as_of,
        )
        rows.append({"losning": losning, **asdict(a)})
    return pl.DataFrame(rows, schema=ASSESSMENT_SCHEMA)
