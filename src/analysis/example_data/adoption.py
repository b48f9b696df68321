"""Adoption dates through LAST_DAY, drawn from national S-curves through the published counts."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence

import numpy as np
import polars as pl

from analysis.example_data.params import (
    ANCHORS,
    DIFFUSION,
    DIGIHELSESTASJON_FIRST,
    FIRST_DAY,
    KJERNEJOURNAL_PILOTS,
    LAST_DAY,
    UNGDOM_PILOT,
    Diffusion,
)


def _code_of(muni: pl.DataFrame, name: str) -> str:
    hits = muni.filter(pl.col("kommunenavn_norsk") == name)["kommunenummer"].to_list()
    if len(hits) != 1:
        raise ValueError(f"{name!r} er ikke ett entydig kommunenavn i inndelingen for 2023")
    return str(hits[0])


def _day(d: dt.date) -> int:
    return (d - FIRST_DAY).days


def day_date(day: int | np.integer) -> dt.date:
    return FIRST_DAY + dt.timedelta(days=int(day))


def business_days() -> np.ndarray:
    """Day numbers of the weekdays from FIRST_DAY through LAST_DAY, plus the next weekday as a
    sentinel: municipalities register on weekdays, so the curves run on this grid."""
    days = np.arange(_day(LAST_DAY) + 8)
    weekday = (FIRST_DAY.weekday() + days) % 7
    work = days[weekday < 5]
    return work[: int(np.searchsorted(work, _day(LAST_DAY), side="right")) + 1]


def cumulative_curve(
    diffusion: Diffusion, anchors: Sequence[tuple[dt.date, int]]
) -> tuple[np.ndarray, np.ndarray]:
    """The business-day grid and N at the start of each of its days: a logistic S-curve bent
    to pass exactly through the anchors, each anchor count reached at the first business day
    after its date."""
    grid = business_days()
    # The S-curve runs in business-day time, so each weekday gets the same share.
    index = np.arange(grid.size)
    mid = float(np.searchsorted(grid, _day(diffusion.midpoint)))
    base = 1.0 / (1.0 + np.exp(-(index - mid) / (diffusion.scale_days * 5 / 7)))

    def after(day: int) -> int:  # index of the first business day after ``day``
        return int(np.searchsorted(grid, day, side="right"))

    start = int(np.searchsorted(grid, _day(diffusion.start), side="left"))
    # A zero count on or before the start holds by construction (no one adopts before it).
    knots = [(start, 0)] + [
        (after(_day(d)), n) for d, n in anchors if not (n == 0 and after(_day(d)) <= start)
    ]
    curve = np.zeros(grid.size, dtype=float)
    for (i0, n0), (i1, n1) in itertools.pairwise(knots):
        if i1 <= i0 or n1 < n0:
            raise ValueError(f"ankerpunktene må stige: {anchors}")
        seg = (index >= i0) & (index <= i1)
        curve[seg] = n0 + (n1 - n0) * (base[seg] - base[i0]) / (base[i1] - base[i0])
    curve[index > knots[-1][0]] = knots[-1][1]
    return grid, curve


def adoption_days(
    rng: np.random.Generator, diffusion: Diffusion, anchors: Sequence[tuple[dt.date, int]]
) -> np.ndarray:
    """Day numbers of the 1st..Kth adopter: the inverse of the curve at k - u, u in (0, 1).

    Because N passes through each anchor count A at the first business day after the anchor
    date, exactly A adopters fall on or before that date, whatever the seed.
    """
    grid, curve = cumulative_curve(diffusion, anchors)
    total = anchors[-1][1]
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    first = int(np.searchsorted(curve, 0.0, side="right")) - 1
    index = np.arange(curve.size, dtype=float)
    k = np.arange(1, total + 1, dtype=float)
    y = k - rng.uniform(0.02, 0.98, size=total)
    tau = np.interp(y, curve[first:], index[first:])
    return grid[np.floor(tau).astype(np.int64)]


def _business_day_between(rng: np.random.Generator, first: dt.date, last: dt.date) -> dt.date:
    """A uniformly drawn weekday from ``first`` through ``last``."""
    grid = business_days()
    lo = int(np.searchsorted(grid, _day(first), side="left"))
    hi = int(np.searchsorted(grid, _day(last), side="right"))
    return day_date(grid[rng.integers(lo, hi)])


def _business_days_later(day: int, n: int) -> int | None:
    """The weekday ``n`` business days after ``day`` (a weekday), or None past the series."""
    grid = business_days()
    i = int(np.searchsorted(grid, day, side="left")) + n
    return int(grid[i]) if i < grid.size - 1 else None


def _order(rng: np.random.Generator, score: np.ndarray) -> np.ndarray:
    """Adoption order: weighted sampling without replacement (Gumbel top-k on the score)."""
    keys = score + rng.gumbel(size=score.size)
    return np.argsort(-keys, kind="stable")


def _scores(
    rng: np.random.Generator, muni: pl.DataFrame, maturity: np.ndarray, diffusion: Diffusion
) -> np.ndarray:
    logpop = np.log(muni["befolkning"].to_numpy().astype(float))
    zpop = (logpop - logpop.mean()) / logpop.std()
    counties = muni["fylkesnummer"].to_list()
    names = sorted(dict.fromkeys(counties))
    effect = dict(
        zip(names, rng.normal(0.0, diffusion.county_sd, size=len(names)).tolist(), strict=True)
    )
    county = np.array([effect[c] for c in counties])
    return diffusion.size_effect * zpop + 0.6 * maturity + county


def _month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def generate_adoption(
    rng: np.random.Generator, muni: pl.DataFrame, state: dict[str, object] | None = None
) -> tuple[pl.DataFrame, np.ndarray]:
    """Adoption events per municipality and solution; also the shared 'maturity' factor.

    ``state``, when given, receives what the extension past LAST_DAY continues from (each
    solution's remaining adoption order, Kjernejournal's pending and stalled municipalities);
    recording it draws nothing, so the events are the same with or without it.
    """
    state = {} if state is None else state
    codes = muni["kommunenummer"].to_list()
    n = len(codes)
    index = {c: i for i, c in enumerate(codes)}
    maturity = rng.normal(size=n)
    rows: list[tuple[str, str, str, dt.date]] = []

    def ordered(solution: str, forced: Sequence[str] = ()) -> list[int]:
        order = _order(rng, _scores(rng, muni, maturity, DIFFUSION[solution])).tolist()
        first = [index[c] for c in forced]
        return first + [i for i in order if i not in first]

    # DigiHelse: current status per municipality; some have it available or planned only.
    days = adoption_days(rng, DIFFUSION["digihelse"], ANCHORS["digihelse"])
    order = ordered("digihelse")
    for k, day in enumerate(days):
        rows.append(("digihelse", codes[order[k]], "i_bruk", day_date(day)))
    rest = order[len(days) :]
    state["order:digihelse"] = list(rest)
    n_available, n_planned = 24, 19
    for i in rest[:n_available]:
        d = _business_day_between(rng, dt.date(2023, 1, 16), dt.date(2024, 11, 29))
        rows.append(("digihelse", codes[i], "tilgjengelig", d))
    for i in rest[n_available : n_available + n_planned]:
        d = _business_day_between(rng, dt.date(2024, 1, 8), dt.date(2024, 12, 20))
        rows.append(("digihelse", codes[i], "planlagt", d))

    # DigiHelsestasjon: Oslo first.
    days = adoption_days(rng, DIFFUSION["digihelsestasjon"], ANCHORS["digihelsestasjon"])
    order = ordered("digihelsestasjon", [_code_of(muni, DIGIHELSESTASJON_FIRST)])
    dhs_day = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    for k, day in enumerate(days):
        rows.append(("digihelsestasjon", codes[order[k]], "i_bruk", day_date(day)))
        dhs_day[order[k]] = day
    state["order:digihelsestasjon"] = order[len(days) :]
    state["dhs_day"] = dhs_day

    # The youth solution: Oslo's pilot, then only municipalities that already have
    # DigiHelsestasjon (the files give months, so the month start is the date).
    oslo, pilot_day = UNGDOM_PILOT
    rows.append(
        ("digihelsestasjon_ungdom", _code_of(muni, oslo), "i_bruk", _month_start(pilot_day))
    )
    anchors = tuple((d, c - 1) for d, c in ANCHORS["digihelsestasjon_ungdom"])
    days = adoption_days(rng, DIFFUSION["digihelsestasjon_ungdom"], anchors)
    keys = _scores(rng, muni, maturity, DIFFUSION["digihelsestasjon_ungdom"])
    keys = keys + rng.gumbel(size=n)
    taken = {index[_code_of(muni, oslo)]}
    for day in days:
        month = _month_start(day_date(day))
        eligible = [i for i in range(n) if i not in taken and dhs_day[i] < _day(month)]
        best = max(eligible, key=lambda i: (keys[i], -i))
        taken.add(best)
        rows.append(("digihelsestasjon_ungdom", codes[best], "i_bruk", month))
    state["ungdom_keys"] = keys
    state["ungdom_taken"] = sorted(taken)

    # Kjernejournal: made available (tilgjengelig), later in use for most; some stall.
    days = adoption_days(rng, DIFFUSION["kjernejournal"], ANCHORS["kjernejournal"])
    pilots = [_code_of(muni, name) for name, _ in KJERNEJOURNAL_PILOTS]
    for k, (_, d) in enumerate(KJERNEJOURNAL_PILOTS):
        days[k] = _day(d)
    order = ordered("kjernejournal", pilots)
    logpop = np.log(muni["befolkning"].to_numpy().astype(float))
    small = logpop < np.median(logpop)
    pending: list[tuple[int, int, int]] = []  # (municipality, day made available, lag)
    stalled: list[int] = []
    for k, day in enumerate(days):
        i = order[k]
        rows.append(("kjernejournal", codes[i], "tilgjengelig", day_date(day)))
        pilot = k < len(pilots)
        stall = (not pilot) and rng.uniform() < (0.16 if small[i] else 0.08)
        # The lag to routine use, in business days (pilots: one to three months).
        lag = rng.integers(22, 66) if pilot else 15 + rng.gamma(2.0, 40.0)
        if stall:
            stalled.append(i)
            continue
        in_use = _business_days_later(int(day), math.ceil(lag))
        if in_use is not None:
            rows.append(("kjernejournal", codes[i], "i_bruk", day_date(in_use)))
        else:
            pending.append((i, int(day), math.ceil(lag)))
    state["order:kjernejournal"] = order[len(days) :]
    state["kjernejournal_pending"] = pending
    state["kjernejournal_stalled"] = stalled

    # VKP (the files give months) and skattedata.
    for solution, monthly in (("vkp", True), ("skattedata", False)):
        days = adoption_days(rng, DIFFUSION[solution], ANCHORS[solution])
        order = ordered(solution)
        for k, day in enumerate(days):
            d = day_date(day)
            rows.append((solution, codes[order[k]], "i_bruk", _month_start(d) if monthly else d))
        state[f"order:{solution}"] = order[len(days) :]

    df = pl.DataFrame(
        rows, schema=["losning", "kommunenummer", "trinn", "dato"], orient="row"
    ).sort("losning", "kommunenummer", "dato")
    return df, maturity
