"""The seeded generator of the synthetic municipality-level example data (issue #4).

Municipality lists are not public for most solutions, so the embedded default combines the real
published facts with synthetic municipality data that users replace with their own exports.
The generator is calibrated to the published national figures: on 2023-04-30 the number of
municipalities per solution equals the KS portfolio table exactly, by construction (each
solution's adoption dates are drawn from an S-shaped national curve that passes through every
precise published point; see ``ANCHORS``).

Everything is a pure function of the seed: numpy's ``Generator(PCG64(seed))``, no wall clock
(the extract date is the fixed ``GENERATED_ON``), no set or hash order. The files are written in
the shapes real exports have (Norwegian headers, CSV and XLSX, names as well as codes, one file
in Windows-1252), so the example goes through the same readers a real export does. Only
``write_example`` touches the disk.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from analysis.errors import EhelseError

DEFAULT_SEED = 2023
DIVISION_YEAR = 2023  # the 2020-2023 division, 356 municipalities
# Population on 1 January of this year, pinned so that a later population file (added by
# `ehelse refresh-reference`) does not change the committed example.
POPULATION_YEAR = 2024
GENERATED_ON = dt.date(2025, 1, 15)  # the extract date written into files and the catalogue
FIRST_DAY = dt.date(2018, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)
STATUS_DATE = dt.date(2023, 4, 30)  # the April 2023 status of the KS portfolio table
# The extension: events after LAST_DAY through EXTENSION_LAST_DAY, written as owners' exports
# in the 2024 division (the numbers real exports use from 1 January 2024), extracted on
# EXTENSION_GENERATED_ON; drawn from their own stream (EXTENSION_STREAM) of the seed.
EXTENSION_LAST_DAY = dt.date(2026, 10, 31)
EXTENSION_GENERATED_ON = dt.date(2026, 11, 16)
EXTENSION_DIVISION_YEAR = 2024
EXTENSION_STREAM = 2025
EXTENSION_SUFFIX = "_2026"  # file names of the extension exports: digihelse_2026.xlsx, ...
PACE_WINDOW = 130  # business days (about six months): the pace the extension continues
EXAMPLE_SUBDIR = "example"
CATALOGUE_BEGIN = "  # >>> eksempeldata (skrevet av `ehelse example-data`; ikke rediger for hånd)"
CATALOGUE_END = "  # <<< eksempeldata"
GENERATOR_URL = "src/analysis/example_data.py"  # the repository path of the generator
CATALOGUE_NOTE = (
    "SYNTETISKE eksempeldata, ikke virkelige tall: kommunene er tilfeldige, de nasjonale "
    "antallene er kalibrert mot de publiserte tallene (se data/raw/example/README.md)"
)

# Counts of municipalities that have reached the counted step on or before a date: the precise
# points of the published facts (../shared/data/published/national_timeseries.csv and the KS
# portfolio table), plus the end of the series, which is our own assumption.
# Kjernejournal counts the step tilgjengelig (made available) or higher; the others i_bruk.
ANCHORS: dict[str, tuple[tuple[dt.date, int], ...]] = {
    "digihelse": ((STATUS_DATE, 133), (LAST_DAY, 172)),
    "digihelsestasjon": ((STATUS_DATE, 147), (LAST_DAY, 214)),
    "kjernejournal": (
        (dt.date(2019, 12, 31), 6),  # "2019: kommuner i gang 6" (the named pilots)
        (STATUS_DATE, 215),
        (dt.date(2023, 12, 31), 274),  # "tatt i bruk eller teknisk tilrettelagt" end of 2023
        (LAST_DAY, 321),
    ),
    "vkp": ((dt.date(2022, 12, 31), 21), (STATUS_DATE, 30), (LAST_DAY, 63)),
    "skattedata": ((STATUS_DATE, 0), (dt.date(2023, 12, 31), 327), (LAST_DAY, 352)),
    "digihelsestasjon_ungdom": ((dt.date(2023, 12, 31), 5), (LAST_DAY, 46)),
}
COUNTED_STEP = {s: ("tilgjengelig" if s == "kjernejournal" else "i_bruk") for s in ANCHORS}


@dataclass(frozen=True)
class Diffusion:
    """The national S-curve of one solution: first possible day, midpoint and spread (days)."""

    start: dt.date
    midpoint: dt.date
    scale_days: float
    size_effect: float  # weight of log population in the adoption order
    county_sd: float  # spread of the county effects in the adoption order


DIFFUSION: dict[str, Diffusion] = {
    "digihelse": Diffusion(dt.date(2018, 3, 1), dt.date(2021, 6, 1), 260.0, 1.0, 0.45),
    "digihelsestasjon": Diffusion(dt.date(2020, 2, 1), dt.date(2022, 3, 1), 190.0, 1.1, 0.4),
    "kjernejournal": Diffusion(dt.date(2019, 3, 1), dt.date(2022, 8, 1), 170.0, 0.9, 0.5),
    "vkp": Diffusion(dt.date(2021, 2, 1), dt.date(2023, 9, 1), 240.0, 1.0, 0.6),
    "skattedata": Diffusion(dt.date(2023, 5, 1), dt.date(2023, 10, 10), 18.0, 0.6, 0.2),
    "digihelsestasjon_ungdom": Diffusion(dt.date(2023, 9, 1), dt.date(2024, 6, 1), 90.0, 1.0, 0.4),
}

# The 2019 Kjernejournal pilots (KS: "Arendal + Halden, Gausdal, Lillehammer, Ringebu, Øyer"),
# with made-up dates within 2019.
KJERNEJOURNAL_PILOTS: tuple[tuple[str, dt.date], ...] = (
    ("Arendal", dt.date(2019, 5, 6)),
    ("Halden", dt.date(2019, 9, 2)),
    ("Lillehammer", dt.date(2019, 10, 14)),
    ("Øyer", dt.date(2019, 10, 28)),
    ("Gausdal", dt.date(2019, 11, 11)),
    ("Ringebu", dt.date(2019, 11, 25)),
)
# Oslo owns DigiHelsestasjon and piloted the youth solution from 17 April 2023.
DIGIHELSESTASJON_FIRST = "Oslo"
UNGDOM_PILOT = ("Oslo", dt.date(2023, 4, 17))

# Message types and versions: (old, current). Real identifiers with sources in
# data/raw/example/README.md and the dated rule src/analysis/data/meldingsversjoner.csv; the
# Rekvisisjon/Svar version is Svarrapport's.
MESSAGE_VERSIONS: dict[str, tuple[str, str]] = {
    "PLO": ("1.5", "1.6"),
    "Helsefaglig dialog": ("1.0", "1.1"),
    "Henvisning": ("1.1", "2.0"),
    "Epikrise": ("1.1", "1.2"),
    "Rekvisisjon/Svar": ("1.3", "1.4"),
}
MESSAGE_TYPES = tuple(MESSAGE_VERSIONS)
# Messages per 1000 inhabitants per month.
_MESSAGE_RATE = {
    "PLO": 10.0,
    "Helsefaglig dialog": 4.0,
    "Henvisning": 0.3,
    "Epikrise": 0.2,
    "Rekvisisjon/Svar": 1.2,
}
FIRST_MONTH = dt.date(2020, 1, 1)
N_MONTHS = 82  # 2020-01 .. 2026-10: the extracts end with the adoption data (EXTENSION_LAST_DAY)
# The month index (from FIRST_MONTH) around which municipalities switch a type: the first month
# under Norsk helsenett's requirement to send the current version (Henvisning and Epikrise from
# 31.12.2020, PLO from 1.7.2021, Svarrapport from 31.12.2021). Helsefaglig dialog has no dated
# requirement; its 1.1 is from 2017, so most had it before the series starts.
_SWITCH_MONTH = {
    "PLO": 18.0,
    "Helsefaglig dialog": -18.0,
    "Henvisning": 12.0,
    "Epikrise": 12.0,
    "Rekvisisjon/Svar": 24.0,
}
# From January of this year the statistics name senders by the 2024 division's numbers, as
# Norsk helsenett's own statistics do.
MESSAGE_NUMBERING_FROM = 2024
MESSAGE_STREAM = 7  # the message draws use their own child stream of the seed

_MONTHS_NB = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)


@dataclass(frozen=True)
class Example:
    """The generated data in canonical form (the dates as the files state them)."""

    seed: int
    municipalities: pl.DataFrame  # kommunenummer, names, county, orgnr, befolkning
    adoption: pl.DataFrame  # losning, kommunenummer, trinn, dato (through LAST_DAY)
    messages: pl.DataFrame  # periode, kommunenummer, meldingstype, versjon, antall
    # Events after LAST_DAY through EXTENSION_LAST_DAY, in the generator's division.
    extension: pl.DataFrame
    municipalities_2024: pl.DataFrame  # the 2024 division the extension exports are written in

    def all_adoption(self) -> pl.DataFrame:
        """Every event through EXTENSION_LAST_DAY, in the generator's division."""
        return pl.concat([self.adoption, self.extension]).sort("losning", "kommunenummer", "dato")


@dataclass(frozen=True)
class ExampleFile:
    """One rendered file and how it is catalogued."""

    name: str  # file name inside the example folder
    kind: str  # adoption | messages
    solution: str | None
    title: str
    data: bytes
    accessed: dt.date = GENERATED_ON  # the extract date, the catalogue's date_accessed

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


# -- municipalities ------------------------------------------------------------------------


def municipalities() -> pl.DataFrame:
    """The 2023 division with population, sorted by code so that draws follow a fixed order."""
    from analysis.reference import load_register, population

    reg = load_register(DIVISION_YEAR)
    pop = population(DIVISION_YEAR, POPULATION_YEAR).select("kommunenummer", "befolkning")
    return reg.join(pop, on="kommunenummer", how="left").sort("kommunenummer")


def municipalities_2024() -> pl.DataFrame:
    """The 2024 division (357 municipalities), the numbering of exports from 1 January 2024."""
    from analysis.reference import load_register

    return load_register(EXTENSION_DIVISION_YEAR).sort("kommunenummer")


def to_division_2024(events: pl.DataFrame) -> pl.DataFrame:
    """Events renumbered into the 2024 division: a split municipality (1507 Ålesund) gives
    each successor (1508 Ålesund, 1580 Haram) its events, because an owner's export after the
    split lists both with the date the municipality had reached the step."""
    from analysis.reference import translate

    codes = sorted(set(events["kommunenummer"].to_list()))
    pairs = [
        (c, t) for c in codes for t in translate(c, DIVISION_YEAR, EXTENSION_DIVISION_YEAR).targets
    ]
    crosswalk = pl.DataFrame(pairs, schema=["kommunenummer", "nytt"], orient="row")
    return (
        events.join(crosswalk, on="kommunenummer", how="inner")
        .drop("kommunenummer")
        .rename({"nytt": "kommunenummer"})
        .select(events.columns)
        .sort("losning", "kommunenummer", "dato", "trinn")
    )


def current_status(events: pl.DataFrame) -> pl.DataFrame:
    """One row per municipality and solution: its highest step and that step's date, as an
    export of the current status lists it."""
    from analysis.schemas import TRINN

    rank = {t: i for i, t in enumerate(TRINN)}
    return (
        events.with_columns(_rang=pl.col("trinn").replace_strict(rank, return_dtype=pl.Int8))
        .sort("_rang", "dato")
        .group_by("losning", "kommunenummer", maintain_order=True)
        .last()
        .drop("_rang")
        .sort("losning", "kommunenummer", "dato")
    )


def _code_of(muni: pl.DataFrame, name: str) -> str:
    hits = muni.filter(pl.col("kommunenavn_norsk") == name)["kommunenummer"].to_list()
    if len(hits) != 1:
        raise ValueError(f"{name!r} er ikke ett entydig kommunenavn i inndelingen for 2023")
    return str(hits[0])


# -- adoption ------------------------------------------------------------------------------


def _day(d: dt.date) -> int:
    return (d - FIRST_DAY).days


def _date(day: int | np.integer) -> dt.date:
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
    return _date(grid[rng.integers(lo, hi)])


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
        rows.append(("digihelse", codes[order[k]], "i_bruk", _date(day)))
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
        rows.append(("digihelsestasjon", codes[order[k]], "i_bruk", _date(day)))
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
        month = _month_start(_date(day))
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
        rows.append(("kjernejournal", codes[i], "tilgjengelig", _date(day)))
        pilot = k < len(pilots)
        stall = (not pilot) and rng.uniform() < (0.16 if small[i] else 0.08)
        # The lag to routine use, in business days (pilots: one to three months).
        lag = rng.integers(22, 66) if pilot else 15 + rng.gamma(2.0, 40.0)
        if stall:
            stalled.append(i)
            continue
        in_use = _business_days_later(int(day), math.ceil(lag))
        if in_use is not None:
            rows.append(("kjernejournal", codes[i], "i_bruk", _date(in_use)))
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
            d = _date(day)
            rows.append((solution, codes[order[k]], "i_bruk", _month_start(d) if monthly else d))
        state[f"order:{solution}"] = order[len(days) :]

    df = pl.DataFrame(
        rows, schema=["losning", "kommunenummer", "trinn", "dato"], orient="row"
    ).sort("losning", "kommunenummer", "dato")
    return df, maturity


# -- the extension 2025-2026 ---------------------------------------------------------------
#
# The events after LAST_DAY come from their own random stream, derived from the seed, so the
# events through LAST_DAY (and the message statistics, which draw after them) stay exactly as
# they were. Each solution continues its own national curve from where it stands at LAST_DAY:
# N(t) = M - (M - N0) * exp(-r t / (M - N0)), with N0 the count and r the pace (per business
# day) of the last PACE_WINDOW business days of the curve, and M the municipalities that can
# still adopt. The curve starts at LAST_DAY's count with LAST_DAY's pace (no jump) and only
# slows down towards M (no new acceleration); a solution whose curve had levelled off stays.


def _stream(seed: int, key: int) -> np.random.Generator:
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
        rows.append(("digihelse", codes[rest[k]], "i_bruk", _date(day)))

    rest = order("digihelsestasjon")
    dhs_day = np.array(state["dhs_day"], dtype=np.int64)
    for k, day in enumerate(extension_days(rng, "digihelsestasjon", n, grid)):
        rows.append(("digihelsestasjon", codes[rest[k]], "i_bruk", _date(day)))
        dhs_day[rest[k]] = day

    # The youth solution: only where DigiHelsestasjon came before the month.
    keys = np.array(state["ungdom_keys"], dtype=float)
    taken = {int(i) for i in state["ungdom_taken"]}  # type: ignore[attr-defined]
    eligible_total = int((dhs_day <= grid[-1]).sum())
    for day in extension_days(rng, "digihelsestasjon_ungdom", eligible_total, grid):
        month = _month_start(_date(day))
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
            rows.append(("kjernejournal", codes[i], "i_bruk", _date(in_use)))
    logpop = np.log(muni["befolkning"].to_numpy().astype(float))
    small = logpop < np.median(logpop)
    rest = order("kjernejournal")
    for k, day in enumerate(extension_days(rng, "kjernejournal", n, grid)):
        i = rest[k]
        rows.append(("kjernejournal", codes[i], "tilgjengelig", _date(day)))
        stall = rng.uniform() < (0.16 if small[i] else 0.08)
        lag = math.ceil(15 + rng.gamma(2.0, 40.0))
        in_use = None if stall else later(int(day), lag)
        if in_use is not None:
            rows.append(("kjernejournal", codes[i], "i_bruk", _date(in_use)))
    for i in state["kjernejournal_stalled"]:  # type: ignore[attr-defined]
        if rng.uniform() < 0.25:
            rows.append(("kjernejournal", codes[i], "i_bruk", _date(grid[rng.integers(grid.size)])))

    for solution, monthly in (("vkp", True), ("skattedata", False)):
        rest = order(solution)
        for k, day in enumerate(extension_days(rng, solution, n, grid)):
            d = _date(day)
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


# -- messages ------------------------------------------------------------------------------


def _month(m: int | np.integer) -> dt.date:
    y, mm = divmod(FIRST_MONTH.month - 1 + m, 12)
    return dt.date(FIRST_MONTH.year + y, mm + 1, 1)


def generate_messages(
    rng: np.random.Generator, muni: pl.DataFrame, maturity: np.ndarray
) -> pl.DataFrame:
    """Monthly message counts per municipality, type and version (null: no version sent), in
    the 2023 division. The draws come from a child stream of the seed (``MESSAGE_STREAM``), so
    that changes to the adoption draws do not reshuffle the statistics."""
    entropy = rng.bit_generator.seed_seq.entropy  # type: ignore[attr-defined]
    rng = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(MESSAGE_STREAM,)))
    )
    codes = muni["kommunenummer"].to_list()
    n, t = len(codes), len(MESSAGE_TYPES)
    pop = muni["befolkning"].to_numpy().astype(float)
    logpop = np.log(pop)
    zpop = (logpop - logpop.mean()) / logpop.std()
    months = np.arange(N_MONTHS)
    season = np.array(
        [0.8 if _month(m).month == 7 else 0.92 if _month(m).month == 12 else 1.0 for m in months]
    )
    # Months after a requirement until the municipality's systems send the new version: larger
    # and more mature municipalities sooner; some never switch within the series.
    lag = 7.0 + rng.normal(0.0, 6.0, size=n) - 2.5 * zpop - 1.5 * maturity
    never = rng.uniform(size=n) < 0.04
    ramp = rng.integers(0, 4, size=n)
    # Systems that send no version number; most are fixed during 2023 or 2024.
    versionless = rng.uniform(size=n) < 0.12
    fixed_at = np.where(rng.uniform(size=n) < 0.65, rng.integers(38, 59, size=n), 10_000)
    multiplier = rng.lognormal(0.0, 0.25, size=(n, t))
    rows: list[tuple[dt.date, str, str, str | None, int]] = []
    counts = np.zeros((n, N_MONTHS, t), dtype=np.int64)
    current = np.zeros((n, N_MONTHS, t), dtype=np.int64)
    for j, mtype in enumerate(MESSAGE_TYPES):
        trend = 1.0 + (0.5 if mtype == "Helsefaglig dialog" else 0.04) * months / (N_MONTHS - 1)
        lam = (
            _MESSAGE_RATE[mtype]
            * pop[:, None]
            / 1000.0
            * (season * trend)[None, :]
            * multiplier[:, j][:, None]
        )
        counts[:, :, j] = rng.poisson(lam)
        switch = np.round(_SWITCH_MONTH[mtype] + lag + rng.normal(0.0, 1.5, size=n))
        switch = np.where(never, 10_000.0, switch)
        share = np.clip((months[None, :] - switch[:, None] + 1) / (ramp[:, None] + 1), 0.0, 1.0)
        current[:, :, j] = rng.binomial(counts[:, :, j], share)
    for m in months:
        period = _month(int(m))
        for i, code in enumerate(codes):
            no_version = bool(versionless[i] and m < fixed_at[i])
            for j, mtype in enumerate(MESSAGE_TYPES):
                total = int(counts[i, m, j])
                if total == 0:
                    continue
                if no_version:
                    rows.append((period, code, mtype, None, total))
                    continue
                old, cur = MESSAGE_VERSIONS[mtype]
                new = int(current[i, m, j])
                if total - new:
                    rows.append((period, code, mtype, old, total - new))
                if new:
                    rows.append((period, code, mtype, cur, new))
    return pl.DataFrame(
        rows,
        schema={
            "periode": pl.Date,
            "kommunenummer": pl.String,
            "meldingstype": pl.String,
            "versjon": pl.String,
            "antall": pl.Int64,
        },
        orient="row",
    )


def generate(seed: int = DEFAULT_SEED) -> Example:
    """All example data for one seed, in canonical form."""
    rng = np.random.Generator(np.random.PCG64(seed))
    muni = municipalities()
    state: dict[str, object] = {}
    adoption, maturity = generate_adoption(rng, muni, state)
    messages = generate_messages(rng, muni, maturity)
    extension = extend_adoption(_stream(seed, EXTENSION_STREAM), muni, state)
    return Example(seed, muni, adoption, messages, extension, municipalities_2024())


# -- rendering into the shapes of real exports ----------------------------------------------


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]], delimiter: str, eol: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=eol)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _xlsx(
    sheet: str,
    title: str | None,
    header: Sequence[str],
    rows: Sequence[Sequence[str | dt.date]],
    created: dt.date = GENERATED_ON,
) -> bytes:
    """An XLSX workbook with fixed metadata and zip dates, so the bytes depend on the data only."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    wb.set_properties(
        {
            "title": title or sheet,
            "author": "e-helsestatus (syntetisk generator)",
            "comments": "SYNTETISKE EKSEMPELDATA, ikke virkelige tall",
            "created": dt.datetime.combine(created, dt.time()),
        }
    )
    ws = wb.add_worksheet(sheet)
    bold = wb.add_format({"bold": True})
    datefmt = wb.add_format({"num_format": "dd.mm.yyyy"})
    r = 0
    if title:
        ws.write_string(0, 0, title, bold)
        r = 2
    for c, name in enumerate(header):
        ws.write_string(r, c, name, bold)
    for row in rows:
        r += 1
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), datefmt)
            else:
                ws.write_string(r, c, value)
    ws.set_column(0, len(header) - 1, 16)
    wb.close()
    return buf.getvalue()


def _dmy(d: dt.date) -> str:
    return f"{d.day:02d}.{d.month:02d}.{d.year}"


def _combined_name(row: dict[str, object]) -> str:
    """The name as many registers print it: Norwegian name plus parallel names."""
    parallel = [str(p) for p in (row["parallelle_navn"] or []) if p != row["kommunenavn_norsk"]]  # type: ignore[attr-defined]
    return " - ".join([str(row["kommunenavn_norsk"]), *parallel])


STATUS_LABELS = {
    "digihelse": {"i_bruk": "I bruk", "tilgjengelig": "Tilgjengelig", "planlagt": "Planlagt"},
    "digihelsestasjon": {"i_bruk": "Tatt i bruk"},
    "kjernejournal": {"tilgjengelig": "Tilgjengeliggjort", "i_bruk": "Tatt i bruk"},
    "vkp": {"i_bruk": "I bruk"},
    "skattedata": {"i_bruk": "Tatt i bruk"},
    "digihelsestasjon_ungdom": {"i_bruk": "I bruk"},
}


def render(example: Example) -> list[ExampleFile]:
    """The example as files in the shapes real exports have: the exports through LAST_DAY in
    the 2020-2023 numbering, then the owners' exports of EXTENSION_GENERATED_ON in the 2024
    numbering (the current status, so they repeat what the earlier files said), the message
    statistics and the README."""
    files = _adoption_files(example.adoption, example.municipalities, GENERATED_ON, "", "")
    snapshot = to_division_2024(example.all_adoption())
    current = pl.concat(
        [
            snapshot.filter(pl.col("losning") == "kjernejournal"),  # one row per step
            current_status(snapshot.filter(pl.col("losning") != "kjernejournal")),
        ]
    )
    files += _adoption_files(
        current,
        example.municipalities_2024,
        EXTENSION_GENERATED_ON,
        EXTENSION_SUFFIX,
        f", uttrekk {_dmy(EXTENSION_GENERATED_ON)} (kommunenummer fra 2024)",
    )
    files.extend(_render_messages(example))
    files.append(
        ExampleFile("README.md", "readme", None, "", render_readme(example, files).encode("utf-8"))
    )
    return files


def _adoption_files(
    ev: pl.DataFrame,
    municipalities: pl.DataFrame,
    accessed: dt.date,
    suffix: str,
    title_suffix: str,
) -> list[ExampleFile]:
    """The six owners' exports of ``ev`` (one shape per owner); ``suffix`` goes into the file
    names, ``title_suffix`` into the catalogue titles."""
    muni = {r["kommunenummer"]: r for r in municipalities.iter_rows(named=True)}
    stamp = _dmy(accessed)
    files: list[ExampleFile] = []

    def events(solution: str) -> list[dict[str, object]]:
        return ev.filter(pl.col("losning") == solution).sort("kommunenummer", "dato").to_dicts()

    # DigiHelse: XLSX with a title row; code, official name, county, current status, date.
    rows_x: list[list[str | dt.date]] = []
    for e in events("digihelse"):
        m = muni[e["kommunenummer"]]
        label = STATUS_LABELS["digihelse"][str(e["trinn"])]
        rows_x.append([m["kommunenummer"], m["kommunenavn"], m["fylkesnavn"], label, e["dato"]])  # type: ignore[list-item]
    title = f"DigiHelse – status per kommune, uttrekk {stamp} (SYNTETISKE EKSEMPELDATA)"
    files.append(
        ExampleFile(
            f"digihelse{suffix}.xlsx",
            "adoption",
            "digihelse",
            "Eksempeldata (syntetisk): DigiHelse per kommune" + title_suffix,
            _xlsx(
                "DigiHelse",
                title,
                ["Kommunenr", "Kommune", "Fylke", "Status", "Dato"],
                rows_x,
                accessed,
            ),
            accessed,
        )
    )

    # DigiHelsestasjon: CSV ';' UTF-8 with BOM; names only, with the county; dd.mm.yyyy.
    rows_c: list[list[str]] = []
    for e in events("digihelsestasjon"):
        m = muni[e["kommunenummer"]]
        rows_c.append(
            [_combined_name(m), m["fylkesnavn"], "Tatt i bruk", _dmy(e["dato"])]  # type: ignore[arg-type]
        )
    text = _csv(["Kommunenavn", "Fylke", "Status", "Dato"], rows_c, ";", "\r\n")
    files.append(
        ExampleFile(
            f"digihelsestasjon{suffix}.csv",
            "adoption",
            "digihelsestasjon",
            "Eksempeldata (syntetisk): DigiHelsestasjon per kommune" + title_suffix,
            b"\xef\xbb\xbf" + text.encode("utf-8"),
            accessed,
        )
    )

    # Kjernejournal: Windows-1252 CSV ';' with organisation numbers, one row per step.
    rows_c = []
    for e in events("kjernejournal"):
        m = muni[e["kommunenummer"]]
        label = STATUS_LABELS["kjernejournal"][str(e["trinn"])]
        rows_c.append(
            [m["organisasjonsnummer"], m["kommunenavn_norsk"], label, _dmy(e["dato"])]  # type: ignore[arg-type]
        )
    text = _csv(["Orgnr", "Kommune", "Trinn", "Dato"], rows_c, ";", "\r\n")
    files.append(
        ExampleFile(
            f"kjernejournal{suffix}.csv",
            "adoption",
            "kjernejournal",
            "Eksempeldata (syntetisk): Kjernejournal i sykehjem og hjemmetjeneste per kommune"
            + title_suffix,
            text.encode("cp1252"),
            accessed,
        )
    )

    # VKP: CSV ',' with codes that lost their leading zero and month dates.
    rows_c = []
    for e in events("vkp"):
        m = muni[e["kommunenummer"]]
        d: dt.date = e["dato"]  # type: ignore[assignment]
        rows_c.append(
            [str(int(m["kommunenummer"])), m["kommunenavn_norsk"], "I bruk", f"{d:%Y-%m}"]
        )
    text = _csv(["Knr", "Kommune", "Status", "Måned"], rows_c, ",", "\n")
    files.append(
        ExampleFile(
            f"vkp{suffix}.csv",
            "adoption",
            "vkp",
            "Eksempeldata (syntetisk): kommuner koblet på velferdsteknologisk knutepunkt"
            + title_suffix,
            text.encode("utf-8"),
            accessed,
        )
    )

    # Skattedata: a plain XLSX list, header in the first row.
    rows_x = []
    for e in events("skattedata"):
        m = muni[e["kommunenummer"]]
        rows_x.append([m["kommunenummer"], m["kommunenavn_norsk"], "Tatt i bruk", e["dato"]])  # type: ignore[list-item]
    files.append(
        ExampleFile(
            f"skattedata{suffix}.xlsx",
            "adoption",
            "skattedata",
            "Eksempeldata (syntetisk): tilgang til inntekts- og skattedata per kommune"
            + title_suffix,
            _xlsx(
                "Skattedata",
                None,
                ["Kommunenummer", "Kommunenavn", "Status", "Dato tatt i bruk"],
                rows_x,
                accessed,
            ),
            accessed,
        )
    )

    # The youth solution: names with the county, month written out ("april 2023").
    rows_c = []
    for e in events("digihelsestasjon_ungdom"):
        m = muni[e["kommunenummer"]]
        d = e["dato"]  # type: ignore[assignment]
        rows_c.append(
            [
                m["kommunenavn_norsk"],
                m["fylkesnavn"],
                "I bruk",
                f"{_MONTHS_NB[d.month - 1]} {d.year}",
            ]
        )
    text = _csv(["Kommune", "Fylke", "Status", "Fra dato"], rows_c, ";", "\n")
    files.append(
        ExampleFile(
            f"digihelsestasjon_ungdom{suffix}.csv",
            "adoption",
            "digihelsestasjon_ungdom",
            "Eksempeldata (syntetisk): DigiHelsestasjon ungdomsløsningen per kommune"
            + title_suffix,
            text.encode("utf-8"),
            accessed,
        )
    )

    return files


def _senders_2024(muni: pl.DataFrame) -> dict[str, list[tuple[str, str | None, float]]]:
    """2023 code -> its 2024 municipalities as (code, organisation number, population share):
    renumbered codes have one, Ålesund has Ålesund and Haram (split by population 1.1.2024)."""
    from analysis.reference import load_register, population, translate

    reg = load_register(2024)
    orgnr = dict(zip(reg["kommunenummer"], reg["organisasjonsnummer"], strict=True))
    pop = dict(population(2024, POPULATION_YEAR).select("kommunenummer", "befolkning").iter_rows())
    out: dict[str, list[tuple[str, str | None, float]]] = {}
    for code in muni["kommunenummer"].to_list():
        targets = translate(code, DIVISION_YEAR, 2024).targets
        total = sum(pop[c] for c in targets)
        out[code] = [(c, orgnr[c], pop[c] / total) for c in targets]
    return out


def _split(count: int, shares: Sequence[float]) -> list[int]:
    """A count split by shares, whole numbers that sum to it (largest remainders first)."""
    raw = [count * s for s in shares]
    parts = [math.floor(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda k: (-(raw[k] - parts[k]), k))
    for k in by_remainder[: count - sum(parts)]:
        parts[k] += 1
    return parts


def _render_messages(example: Example) -> list[ExampleFile]:
    """One file per year in NHN's Meldingsteller shape; the sender is a code or an org. no.,
    in the 2024 division's numbering from ``MESSAGE_NUMBERING_FROM``."""
    codes = example.municipalities["kommunenummer"].to_list()
    orgnr = dict(zip(codes, example.municipalities["organisasjonsnummer"].to_list(), strict=True))
    # Fixed per municipality, from the code's digits: which identifier its export uses.
    by_orgnr = {c: (int(c) * 7 + 3) % 5 < 2 for c in codes}
    later = _senders_2024(example.municipalities)
    out: list[ExampleFile] = []
    msgs = example.messages.with_columns(year=pl.col("periode").dt.year())
    for year in range(FIRST_MONTH.year, _month(N_MONTHS - 1).year + 1):
        part = msgs.filter(pl.col("year") == year)
        tab = year < 2023
        rows: list[list[str]] = []
        for p, c, t, v, a in part.select(
            "periode", "kommunenummer", "meldingstype", "versjon", "antall"
        ).iter_rows():
            if year < MESSAGE_NUMBERING_FROM:
                rows.append([f"{p:%Y-%m}", str(orgnr[c]) if by_orgnr[c] else c, t, v or "", str(a)])
                continue
            senders = later[c]
            for (code, org, _), n in zip(
                senders, _split(a, [share for _, _, share in senders]), strict=True
            ):
                if n:
                    sender = org if by_orgnr[c] and org else code
                    rows.append([f"{p:%Y-%m}", sender, t, v or "", str(n)])
        if tab:
            header = ["Periode", "Avsender", "Meldingstype", "Versjon", "Antall"]
            text = _csv(header, rows, "\t", "\n")
            name = f"meldinger_{year}.tsv"
        else:
            header = ["Måned", "Avsender", "Type", "Meldingsversjon", "Antall meldinger"]
            text = _csv(header, rows, ";", "\n")
            name = f"meldinger_{year}.csv"
        out.append(
            ExampleFile(
                name,
                "messages",
                None,
                f"Eksempeldata (syntetisk): meldingsstatistikk per kommune og måned {year}"
                + (" (2024-inndelingens kommunenumre)" if year >= MESSAGE_NUMBERING_FROM else ""),
                text.encode("utf-8"),
                # a year after the first extract comes from the later one
                accessed=GENERATED_ON if year <= LAST_DAY.year else EXTENSION_GENERATED_ON,
            )
        )
    return out


def national_counts(adoption: pl.DataFrame, solution: str, on: dt.date) -> int:
    """Municipalities that had reached the solution's counted step by the end of ``on``."""
    steps = ("tilgjengelig", "i_bruk") if COUNTED_STEP[solution] == "tilgjengelig" else ("i_bruk",)
    return adoption.filter(
        (pl.col("losning") == solution) & pl.col("trinn").is_in(steps) & (pl.col("dato") <= on)
    )["kommunenummer"].n_unique()


def render_readme(example: Example, files: Sequence[ExampleFile]) -> str:
    """data/raw/example/README.md: what these files are, loudly, and how they were made."""
    lines = [
        "# SYNTETISKE EKSEMPELDATA – IKKE VIRKELIGE TALL",
        "",
        "**Alle filene i denne mappen er laget av en tilfeldighetsgenerator.** De viser ikke hvilke",
        "kommuner som faktisk har tatt i bruk en løsning, eller hvor mange meldinger en kommune",
        "faktisk sender. De finnes fordi kommunevise lister for de fleste løsningene ikke er",
        "offentlige (Norsk helsenett og KS deler dem med kommunene, ikke åpent), mens rapporten må",
        "kunne bygges fra dataene i repoet. Erstatt dem med egne eksporter (se README.md i roten).",
        "Alt som vises fra disse filene merkes «Eksempeldata» i rapporten.",
        "",
        f"- Laget med: `uv run ehelse example-data --seed {example.seed}`",
        f"  (`analysis.example_data`, numpy PCG64, seed {example.seed}); samme seed gir de samme",
        "  filene byte for byte.",
        f"- Uttrekksdato skrevet i filene og katalogen: {GENERATED_ON.isoformat()} (fast, ikke dagens dato).",
        "- Kommuneinndeling: 2020–2023 (356 kommuner) i filene til og med 2024; befolkning 1.1.2024",
        "  (SSB 07459), uttrykt i 2023-inndelingen. Filene med `_2026` i navnet bruker",
        "  2024-inndelingen (357 kommuner), se «Forlengelsen 2025–2026» nedenfor.",
        "- Katalogisert i `data/raw/sources.yaml` med `synthetic: true` og sha256 for hver fil.",
        "",
        "## Kalibrert mot publiserte tall",
        "",
        "Datoene er trukket fra en S-formet nasjonal kurve per løsning som går eksakt gjennom de",
        "publiserte punktene (antall kommuner på eller før datoen). Større kommuner og noen",
        "fylker tar løsningene i bruk tidligere; noen kommuner blir stående (Kjernejournal",
        "tilgjengeliggjort i over et år uten å være tatt i bruk).",
        "",
        "| Løsning | Trinn som telles | Dato | Publisert | I eksempeldataene |",
        "|---|---|---|---|---|",
    ]
    published = {
        ("digihelse", STATUS_DATE): "133 (KS-porteføljen, april 2023)",
        ("digihelsestasjon", STATUS_DATE): "147 (KS-porteføljen, april 2023)",
        ("kjernejournal", dt.date(2019, 12, 31)): "6 (KS: kommuner i gang 2019)",
        ("kjernejournal", STATUS_DATE): "215 (KS-porteføljen, april 2023)",
        ("kjernejournal", dt.date(2023, 12, 31)): "274 (e-helsemonitor, utgangen av 2023)",
        ("vkp", dt.date(2022, 12, 31)): "21 (2022, årstall uten dato)",
        ("vkp", STATUS_DATE): "30 (KS-porteføljen, april 2023)",
        ("skattedata", STATUS_DATE): "0 (KS-porteføljen, april 2023)",
    }
    for solution, anchors in ANCHORS.items():
        for d, _ in anchors:
            pub = published.get((solution, d), "– (antatt)")
            got = national_counts(example.adoption, solution, d)
            lines.append(
                f"| {solution} | {COUNTED_STEP[solution]} | {d.isoformat()} | {pub} | {got} |"
            )
    lines += [
        "",
        "DigiHelsestasjon-tallet 101 uten dato og Helseplattformen (som kommer fra den virkelige",
        "innføringslisten i `data/raw/published/`) er ikke brukt her.",
        "",
        "## Forlengelsen 2025–2026",
        "",
        f"Hendelsene etter {LAST_DAY.isoformat()} til og med {EXTENSION_LAST_DAY.isoformat()} er",
        "trukket fra en egen tilfeldighetsstrøm avledet av samme seed, så alt til og med",
        f"{LAST_DAY.isoformat()} er uendret. Hver løsning fortsetter sin egen kurve fra tallet og",
        f"tempoet de siste {PACE_WINDOW} virkedagene før {LAST_DAY.isoformat()}, og flater ut mot",
        "antall kommuner (ingen hopp, ingen ny akselerasjon); kommunene kommer i samme",
        "rekkefølge som før. Det finnes ingen publiserte nasjonale tall etter 2023 for disse",
        "løsningene å kalibrere mot; tallene er antatte.",
        "",
        f"Filene `*{EXTENSION_SUFFIX}.*` er eiernes uttrekk datert"
        f" {EXTENSION_GENERATED_ON.isoformat()}: samme form som",
        "de eldre filene, men med kommunenummer, navn og fylker fra 2024-inndelingen, og med",
        "dagens status for hver kommune (Kjernejournal: én rad per trinn). De gjentar derfor det de",
        "eldre filene sier; `ehelse ingest` teller en hendelse som står i to filer én gang og",
        "avviser den andre forekomsten med grunnen «samme hendelse som kilden …». Ålesund (1508)",
        "og Haram (1580) står hver for seg med datoene Ålesund (1507) hadde før delingen 1.1.2024.",
        "Organisasjonsnummer for de to er ikke oppgitt i registeret og står tomt (navnet",
        "identifiserer kommunen). Uttrekksdatoen ligger etter siste hendelse: kjøres `ehelse",
        f"ingest` før {EXTENSION_LAST_DAY.isoformat()}, avvises hendelser datert etter",
        "kjøringsdagen som «dato i fremtiden».",
        "",
        "| Løsning | Trinn som telles | 31.12.2024 | 31.12.2025 | 31.12.2026 |",
        "|---|---|---|---|---|",
    ]
    every = example.all_adoption()
    for solution in ANCHORS:
        counts = [
            str(national_counts(every, solution, dt.date(y, 12, 31)))
            for y in range(LAST_DAY.year, EXTENSION_LAST_DAY.year + 1)
        ]
        lines.append(f"| {solution} | {COUNTED_STEP[solution]} | {' | '.join(counts)} |")
    lines += [
        "",
        "## Filene",
        "",
        "| Fil | Innhold | Form |",
        "|---|---|---|",
    ]
    shapes = {
        "digihelse.xlsx": "XLSX med tittelrad; Kommunenr, Kommune, Fylke, Status (I bruk /"
        " Tilgjengelig / Planlagt), Dato",
        "digihelsestasjon.csv": "CSV `;`, UTF-8 med BOM; bare navn (med parallellnavn) og Fylke;"
        " datoer 01.03.2023",
        "kjernejournal.csv": "CSV `;`, Windows-1252; Orgnr og Kommune; én rad per trinn"
        " (Tilgjengeliggjort, Tatt i bruk)",
        "vkp.csv": "CSV `,`; Knr uten ledende null (301); måneder 2022-11",
        "skattedata.xlsx": "XLSX uten tittelrad; Kommunenummer, Kommunenavn, Status, Dato tatt i bruk",
        "digihelsestasjon_ungdom.csv": "CSV `;`; Kommune og Fylke; måned skrevet ut («april 2023»)",
    }
    for f in files:
        if f.kind == "messages":
            sep = "tabulator" if f.name.endswith(".tsv") else "`;`"
            shape = (
                f"{sep}-separert; periode, avsender (kommunenummer eller organisasjonsnummer),"
                " meldingstype, versjon (tom når systemet ikke sender versjonsnummer), antall"
            )
        else:
            stem, ext = f.name.rsplit(".", 1)
            shape = shapes[f"{stem.removesuffix(EXTENSION_SUFFIX)}.{ext}"]
        lines.append(f"| `{f.name}` | {f.title.split(': ', 1)[1]} | {shape} |")
    lines += [
        "",
        "## Meldingstyper og versjoner",
        "",
        "Kommunene går over fra gammel til gjeldende versjon rundt fristen Norsk helsenett satte",
        "for å sende den nye versjonen (Henvisning 2.0 og Epikrise 1.2 fra 31.12.2020, PLO 1.6 fra",
        "1.7.2021, Svarrapport 1.4 fra 31.12.2021; se `src/analysis/data/meldingsversjoner.csv`),",
        "større og mer modne kommuner tidligere, noen aldri. Helsefaglig dialog 1.1 har ingen datert",
        "frist, og de fleste sendte den allerede i 2020. Noen har system som ikke sender",
        "versjonsnummer (tom versjon), og de fleste av dem blir rettet i løpet av 2023–2024.",
        "",
        f"Fra {MESSAGE_NUMBERING_FROM} bruker meldingsfilene 2024-inndelingens kommunenumre, slik",
        "Norsk helsenetts statistikk gjør (`reference/2024/endringer.csv`); Ålesunds meldinger er",
        "da fordelt på Ålesund og Haram etter befolkningen 1.1.2024. Med `--year 2023` blir de lagt",
        "sammen igjen til 1507 Ålesund; med `--year 2024` avvises Ålesunds rader fra før 2024 som",
        "flertydige (1507 ble delt), fordi meldingene ikke kan fordeles uten å gjette.",
        "",
        "| Meldingstype | Gammel versjon | Gjeldende versjon | Kilde |",
        "|---|---|---|---|",
    ]
    sources = {
        "PLO": "ehelse.no: Standard for elektronisk kommunikasjon med pleie- og omsorgstjenesten"
        " v1.5 (HIS 80704:2009) og v1.6",
        "Helsefaglig dialog": "ehelse.no: Helsefaglig dialog bruker Standard for dialogmelding v1.1"
        " (HIS 80603:2017); v1.0 er KITH-rapport R03/06",
        "Henvisning": "ehelse.no, referansekatalogen: Henvisning v1.1 (HIS 80517:2014); Norsk"
        " helsenett: Henvisning 2.0 skal kunne sendes fra 31.12.2020",
        "Epikrise": "ehelse.no: Epikrise v1.1 (HIS 80226:2006) kan erstattes av v1.2"
        " (HIS 80226:2014)",
        "Rekvisisjon/Svar": "ehelse.no, historiske dokumenter: Svarrapportering v1.3"
        " (HIS 80822:2008) ute av referansekatalogen fra 1.7.2022; Norsk helsenett: Svarrapport"
        " 1.4 skal kunne sendes fra 31.12.2021",
    }
    for mtype, (old, cur) in MESSAGE_VERSIONS.items():
        lines.append(f"| {mtype} | {old} | {cur} | {sources[mtype]} |")
    lines.append("")
    return "\n".join(lines)


# -- catalogue -----------------------------------------------------------------------------


def catalogue_entries(files: Sequence[ExampleFile], seed: int) -> list[dict[str, object]]:
    """The sources.yaml entries of the data files (not the README)."""
    out: list[dict[str, object]] = []
    for f in files:
        if f.kind not in ("adoption", "messages"):
            continue
        entry: dict[str, object] = {
            "id": "eksempel_" + f.name.rsplit(".", 1)[0],
            "path": f"{EXAMPLE_SUBDIR}/{f.name}",
            "kind": f.kind,
        }
        if f.solution:
            entry["solution"] = f.solution
        entry |= {
            "title": f.title,
            "producer": f"e-helsestatus (syntetisk generator, seed {seed})",
            "url": GENERATOR_URL,
            "date_accessed": f.accessed,
            "license": "CC0 (syntetiske data)",
            "synthetic": True,
            "sha256": f.sha256,
            "seed": seed,
            "note": CATALOGUE_NOTE,
        }
        out.append(entry)
    return out


def _yaml_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    text = str(value)
    import yaml

    try:
        plain = "\n" not in text and yaml.safe_load(text) == text and text == text.strip()
    except yaml.YAMLError:
        plain = False
    return text if plain else json.dumps(text, ensure_ascii=False)  # JSON is valid YAML


def catalogue_block(entries: Sequence[dict[str, object]]) -> str:
    """The managed block of sources.yaml, between the BEGIN and END marker lines."""
    lines = [CATALOGUE_BEGIN]
    for entry in entries:
        for n, (key, value) in enumerate(entry.items()):
            prefix = "  - " if n == 0 else "    "
            lines.append(f"{prefix}{key}: {_yaml_scalar(value)}")
    lines.append(CATALOGUE_END)
    return "\n".join(lines) + "\n"


def updated_catalogue(text: str, block: str) -> str:
    """sources.yaml with the managed block replaced, or appended to the end of the file."""
    lines = text.splitlines(keepends=True)
    begin = [i for i, line in enumerate(lines) if line.rstrip("\n") == CATALOGUE_BEGIN]
    end = [i for i, line in enumerate(lines) if line.rstrip("\n") == CATALOGUE_END]
    if begin and end and end[0] > begin[0]:
        return "".join(lines[: begin[0]]) + block + "".join(lines[end[0] + 1 :])
    if text and not text.endswith("\n"):
        text += "\n"
    return text + block


# -- the one function that writes -----------------------------------------------------------


def write_example(out: Path, seed: int = DEFAULT_SEED, catalogue: Path | None = None) -> list[Path]:
    """Generate, write every file into ``out`` (atomically per file) and, when ``catalogue`` is
    given, replace the example block in it. Returns the paths written."""
    import yaml

    files = render(generate(seed))
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for f in files:
        path = out / f.name
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(f.data)
        tmp.replace(path)
        written.append(path)
    if catalogue is not None:
        text = catalogue.read_text(encoding="utf-8") if catalogue.exists() else "sources:\n"
        new = updated_catalogue(text, catalogue_block(catalogue_entries(files, seed)))
        data = yaml.safe_load(new)
        ids = {s.get("id") for s in (data or {}).get("sources") or []}
        missing = [e["id"] for e in catalogue_entries(files, seed) if e["id"] not in ids]
        if missing:
            raise EhelseError(
                f"{catalogue}: eksempelblokken havnet utenfor listen `sources` ({missing[0]})"
            )
        tmp = catalogue.with_name(catalogue.name + ".tmp")
        tmp.write_text(new, encoding="utf-8")
        tmp.replace(catalogue)
        written.append(catalogue)
    return written
