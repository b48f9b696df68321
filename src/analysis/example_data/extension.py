"""The adoption events after LAST_DAY, each solution continuing its curve from its own stream.

The events after LAST_DAY come from their own random stream, derived from the seed, so the
events through LAST_DAY (and the message statistics, which draw after them) stay exactly as
they were. Each solution continues its own national curve from where it stands at LAST_DAY:
N(t) = M - (M - N0) * exp(-r t / (M - N0)), with N0 the count and r the pace (per business
day) of the last PACE_WINDOW business days of the curve, and M the municipalities that can
still adopt. The curve starts at LAST_DAY's count with LAST_DAY's pace (no jump) and only
slows down towards M (no new acceleration); a solution whose curve had levelled off stays.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl

from analysis.example_data.adoption import (
    _day,
    _month_start,
    business_days,
    cumulative_curve,
    day_date,
)
from analysis.example_data.params import (
    ANCHORS,
    DIFFUSION,
    EXTENSION_LAST_DAY,
    FIRST_DAY,
    LAST_DAY,
    PACE_WINDOW,
)


def child_stream(seed: int, key: int) -> np.random.Generator:
    """An independent random stream derived from the seed and a fixed key."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(key,))))


def _weekdays(first: dt.date, last: dt.date) -> np.ndarray:
    """Day numbers (from FIRST_DAY) of the weekdays from ``first`` through ``last``."""
    days = np.arange(_day(first), _day(last) + 1)
    return days[(FIRST_DAY.weekday() + days) % 7 < 5]


def extension_days(
    rng: np.random.Generator, solution: str, ceiling: int, grid: np.ndarray | None = None
) -> np.ndarray:
    """Day numbers of the adopters after LAST_DAY through EXTENSION_LAST_DAY, in order.

    The k-th adopter after the N0 at LAST_DAY comes at the inverse of the continuation curve
    at k - u, u in (0, 1), as on the curve before LAST_DAY.
    """
    grid = _weekdays(LAST_DAY + dt.timedelta(days=1), EXTENSION_LAST_DAY) if grid is None else grid
    past, curve = cumulative_curve(DIFFUSION[solution], ANCHORS[solution])
    end = int(np.searchsorted(past, _day(LAST_DAY), side="right"))
    n0 = float(curve[end])
    room = float(ceiling) - n0
    rate = (curve[end] - curve[end - PACE_WINDOW]) / PACE_WINDOW
    u = rng.uniform(0.02, 0.98, size=max(int(room), 0))
    if room <= 0 or rate <= 0:
        return np.zeros(0, dtype=np.int64)
    y = n0 + np.arange(1, u.size + 1) - u
    t = -room / rate * np.log((ceiling - y) / room)  # business days after LAST_DAY
    index = np.floor(t).astype(np.int64)
    return grid[index[index < grid.size]]


def extend_adoption(
    rng: np.random.Generator, muni: pl.DataFrame, state: dict[str, object]
) -> pl.DataFrame:
    """Adoption events after LAST_DAY through EXTENSION_LAST_DAY (the generator's division),
    continuing each solution's curve and adoption order from ``state``."""
    codes = muni["kommunenummer"].to_list()
    n = len(codes)
    grid = _weekdays(LAST_DAY + dt.timedelta(days=1), EXTENSION_LAST_DAY)
    rows: list[tuple[str, str, str, dt.date]] = []

    def order(solution: str) -> list[int]:
        return [int(i) for i in state[f"order:{solution}"]]  # type: ignore[attr-defined]

    # DigiHelse: those with it available or planned come first, as in their order.
    rest = order("digihelse")
    for k, day in enumerate(extension_days(rng, "digihelse", n, grid)):
        rows.append(("digihelse", codes[rest[k]], "i_bruk", day_date(day)))

    rest = order("digihelsestasjon")
    dhs_day = np.array(state["dhs_day"], dtype=np.int64)
    for k, day in enumerate(extension_days(rng, "digihelsestasjon", n, grid)):
        rows.append(("digihelsestasjon", codes[rest[k]], "i_bruk", day_date(day)))
        dhs_day[rest[k]] = day

    # The youth solution: only where DigiHelsestasjon came before the month.
    keys = np.array(state["ungdom_keys"], dtype=float)
    taken = {int(i) for i in state["ungdom_taken"]}  # type: ignore[attr-defined]
    eligible_total = int((dhs_day <= grid[-1]).sum())
    for day in extension_days(rng, "digihelsestasjon_ungdom", eligible_total, grid):
        month = _month_start(day_date(day))
        eligible = [i for i in range(n) if i not in taken and dhs_day[i] < _day(month)]
        if not eligible:
            continue
        best = max(eligible, key=lambda i: (keys[i], -i))
        taken.add(best)
        rows.append(("digihelsestasjon_ungdom", codes[best], "i_bruk", month))

    # Kjernejournal: routine use that was due after LAST_DAY; new municipalities made
    # available, each with its lag; a quarter of the stalled ones start using it after all.
    def later(day: int, lag: int) -> int | None:
        full = np.concatenate([business_days()[:-1], grid])
        i = int(np.searchsorted(full, day, side="left")) + lag
        return int(full[i]) if i < full.size else None

    for i, day, lag in state["kjernejournal_pending"]:  # type: ignore[attr-defined]
        in_use = later(day, lag)
        if in_use is not None:
            rows.append(("kjernejournal", codes[i], "i_bruk", day_date(in_use)))
    logpop = np.log(muni["befolkning"].to_numpy().astype(float))
    small = logpop < np.median(logpop)
    rest = order("kjernejournal")
    for k, day in enumerate(extension_days(rng, "kjernejournal", n, grid)):
        i = rest[k]
        rows.append(("kjernejournal", codes[i], "tilgjengelig", day_date(day)))
        stall = rng.uniform() < (0.16 if small[i] else 0.08)
        lag = math.ceil(15 + rng.gamma(2.0, 40.0))
        in_use = None if stall else later(int(day), lag)
        if in_use is not None:
            rows.append(("kjernejournal", codes[i], "i_bruk", day_date(in_use)))
    for i in state["kjernejournal_stalled"]:  # type: ignore[attr-defined]
        if rng.uniform() < 0.25:
            rows.append(
                ("kjernejournal", codes[i], "i_bruk", day_date(grid[rng.integers(grid.size)]))
            )

    for solution, monthly in (("vkp", True), ("skattedata", False)):
        rest = order(solution)
        for k, day in enumerate(extension_days(rng, solution, n, grid)):
            d = day_date(day)
            rows.append((solution, codes[rest[k]], "i_bruk", _month_start(d) if monthly else d))

    return pl.DataFrame(
        rows,
        schema={
            "losning": pl.String,
            "kommunenummer": pl.String,
            "trinn": pl.String,
            "dato": pl.Date,
        },
        orient="row",
    ).sort("losning", "kommunenummer", "dato")
