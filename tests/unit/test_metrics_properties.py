"""Properties the metrics must keep on any input (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st_

from analysis.dates import shift_months
from analysis.metrics import status as st
from analysis.metrics import trajectory as tr
from analysis.schemas import TRINN

CODES = [f"{i:04d}" for i in range(1, 9)]
FIRST = date(2020, 1, 1)
SETTINGS = settings(max_examples=40, deadline=None)


@st_.composite
def cases(draw: st_.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    n = draw(st_.integers(1, len(CODES)))
    codes = CODES[:n]
    kommuner = pl.DataFrame(
        {
            "kommunenummer": codes,
            "kommunenavn": codes,
            "fylkesnummer": [("01" if i % 2 else "02") for i in range(n)],
            "fylkesnavn": [("Vest" if i % 2 else "Øst") for i in range(n)],
            "befolkning": draw(st_.lists(st_.integers(0, 1000), min_size=n, max_size=n)),
        }
    )
    narrow = draw(st_.lists(st_.sampled_from(codes), unique=True))
    scopes = pl.DataFrame(
        {
            "omfang_id": ["alle"] * n + ["smal"] * len(narrow),
            "kommunenummer": codes + narrow,
        },
        schema={"omfang_id": pl.String, "kommunenummer": pl.String},
    )
    acts = pl.DataFrame(
        {
            "losning": ["a", "b"],
            "navn": ["A", "B"],
            "telles_trinn": [draw(st_.sampled_from(TRINN)), draw(st_.sampled_from(TRINN))],
            "omfang_id": ["alle", "smal"],
            "frist": [date(2023, 12, 31)] * 2,
            "maal": ["adopsjon", "adopsjon"],
            "merknad": [None, None],
        },
        schema_overrides={"merknad": pl.String},
    )
    # Events may name municipalities outside the division (0009, 0010) and repeat steps.
    event = st_.tuples(
        st_.sampled_from(["a", "b"]),
        st_.sampled_from([*codes, "0009", "0010"]),
        st_.sampled_from(TRINN),
        st_.integers(0, 1500).map(lambda d: FIRST + timedelta(days=d)),
    )
    rows = draw(st_.lists(event, max_size=40, unique_by=lambda e: (e[0], e[1], e[2], e[3])))
    events = pl.DataFrame(
        rows,
        schema={
            "losning": pl.String,
            "kommunenummer": pl.String,
            "trinn": pl.String,
            "dato": pl.Date,
        },
        orient="row",
    )
    return kommuner, scopes, acts, events


def _table(case: tuple[pl.DataFrame, ...], as_of: date) -> pl.DataFrame:
    kommuner, scopes, acts, events = case
    municipal = st.municipal_status(events, kommuner, acts, scopes, as_of)
    return st.status_table(municipal).sort("losning")


@SETTINGS
@given(cases(), st_.integers(0, 1600))
def test_counts_never_exceed_the_scope_and_follow_the_ladder(
    case: tuple[pl.DataFrame, ...], day: int
) -> None:
    table = _table(case, FIRST + timedelta(days=day))
    for r in table.iter_rows(named=True):
        assert 0 <= r["i_bruk"] <= r["tilgjengelig"] <= r["planlagt"] <= r["i_omfang"]
        assert r["antall"] <= r["i_omfang"]
        assert r["befolkning_dekket"] <= r["befolkning_omfang"]


@SETTINGS
@given(cases(), st_.integers(0, 1500), st_.integers(1, 400))
def test_status_never_falls_with_time(case: tuple[pl.DataFrame, ...], day: int, later: int) -> None:
    before = _table(case, FIRST + timedelta(days=day))
    after = _table(case, FIRST + timedelta(days=day + later))
    for col in ("planlagt", "tilgjengelig", "i_bruk", "antall"):
        assert (after[col] >= before[col]).all()


@SETTINGS
@given(cases(), st_.integers(0, 1600), st_.randoms(use_true_random=False))
def test_status_does_not_depend_on_row_order(
    case: tuple[pl.DataFrame, ...], day: int, rnd: object
) -> None:
    kommuner, scopes, acts, events = case
    as_of = FIRST + timedelta(days=day)
    seed = rnd.randint(0, 2**31)  # type: ignore[attr-defined]
    shuffled = (
        kommuner.sample(fraction=1.0, shuffle=True, seed=seed),
        scopes.sample(fraction=1.0, shuffle=True, seed=seed),
        acts.sample(fraction=1.0, shuffle=True, seed=seed),
        events.sample(fraction=1.0, shuffle=True, seed=seed),
    )
    assert _table(case, as_of).equals(_table(shuffled, as_of))
    k2, s2, a2, e2 = shuffled
    first = st.count_series(
        events, st.municipal_status(events, kommuner, acts, scopes, as_of), as_of
    )
    second = st.count_series(e2, st.municipal_status(e2, k2, a2, s2, as_of), as_of)
    assert first.equals(second)


@st_.composite
def series(draw: st_.DrawFn) -> tuple[list[date], list[int], int, int]:
    n = draw(st_.integers(2, 30))
    ceiling = draw(st_.integers(1, 400))
    steps = draw(st_.lists(st_.integers(0, 25), min_size=n, max_size=n))
    counts, total = [], 0
    for s in steps:
        total = min(ceiling, total + s)
        counts.append(total)
    start = date(2019, 1, 31)
    dates = [shift_months(start, 2 * i) for i in range(n)]
    ambition = draw(st_.integers(1, ceiling))
    return dates, counts, ambition, ceiling


@SETTINGS
@given(series(), st_.sampled_from([date(2023, 12, 31), date(2030, 12, 31)]))
def test_expected_date_is_never_before_the_last_observation(
    case: tuple[list[date], list[int], int, int], deadline: date
) -> None:
    dates, counts, ambition, ceiling = case
    as_of = dates[-1]
    a = tr.assess(dates, counts, ambition=ambition, ceiling=ceiling, deadline=deadline, as_of=as_of)
    assert a.kategori in tr.CATEGORIES
    if a.kategori == "nådd":
        assert counts[-1] >= ambition and a.forventet_dato is not None
        assert a.forventet_dato <= dates[-1]
        return
    for d in (a.forventet_dato, a.forventet_fra, a.forventet_til):
        assert d is None or d >= dates[-1]
    if a.forventet_dato is not None and a.forventet_fra is not None:
        assert a.forventet_fra <= a.forventet_dato
    if a.forventet_dato is not None and a.forventet_til is not None:
        assert a.forventet_dato <= a.forventet_til


@SETTINGS
@given(series(), st_.randoms(use_true_random=False))
def test_trajectory_does_not_depend_on_row_order(
    case: tuple[list[date], list[int], int, int], rnd: object
) -> None:
    dates, counts, ambition, ceiling = case
    pairs = list(zip(dates, counts, strict=True))
    rnd.shuffle(pairs)  # type: ignore[attr-defined]
    kwargs = {"ambition": ambition, "ceiling": ceiling, "deadline": date(2025, 12, 31)}
    a = tr.assess(dates, counts, as_of=dates[-1], **kwargs)  # type: ignore[arg-type]
    b = tr.assess(
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        as_of=dates[-1],
        **kwargs,  # type: ignore[arg-type]
    )
    assert a == b
