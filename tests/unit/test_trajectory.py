"""Pace, required pace, progress category and expected date (analysis.metrics.trajectory)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from analysis.dates import month_ends
from analysis.metrics import forecast
from analysis.metrics import trajectory as tr

AS_OF = date(2023, 4, 30)
DEADLINE = date(2023, 12, 31)


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (1.4, "på sporet"),
        (0.95, "på sporet"),
        (0.9499, "akselerasjon nødvendig"),
        (0.60, "akselerasjon nødvendig"),
        (0.5999, "begrenset fremgang"),
        (0.0, "begrenset fremgang"),
        (-0.01, "tilbakegang"),
        (None, "ikke beregnbar"),
        (math.inf, "ikke beregnbar"),
    ],
)
def test_category_thresholds(ratio: float | None, expected: str) -> None:
    assert tr.category(ratio) == expected


def test_value_at_interpolates_and_pace_is_per_year() -> None:
    dates = [date(2022, 1, 1), date(2022, 1, 11)]
    assert tr.value_at(dates, [0.0, 10.0], date(2022, 1, 6)) == pytest.approx(5.0)
    assert tr.value_at(dates, [0.0, 10.0], date(2021, 12, 31)) is None
    assert tr.value_at(dates, [0.0, 10.0], date(2023, 1, 1)) == 10.0
    # 365 days from 10 to 22: 12 per 365 days
    p, start = tr.pace([date(2022, 4, 30), AS_OF], [10.0, 22.0], AS_OF, 12)
    assert start == date(2022, 4, 30)
    assert p == pytest.approx(12 * 365.25 / 365)
    # too short a window says nothing about a yearly pace
    assert tr.pace([date(2023, 3, 1), AS_OF], [1.0, 2.0], AS_OF, 12) == (None, None)


def test_linear_case_by_hand() -> None:
    """Three points: 4 (2021-04-30), 10 (2022-04-30), 22 (2023-04-30); ambition 46.

    Pace 12 per 365 days over the last year, 9 per 365 days over two. Required from the
    window's start: 36 in 610 days. Ratio 12*610/(365*36) = 0.557: limited progress. 24 to go
    at 12 per 365 days: 730 days; at 9: 973 days.
    """
    dates = [date(2021, 4, 30), date(2022, 4, 30), AS_OF]
    a = tr.assess(dates, [4, 10, 22], ambition=46, ceiling=100, deadline=DEADLINE, as_of=AS_OF)
    assert a.tempo == pytest.approx(12 * 365.25 / 365)
    assert a.tempo_24m == pytest.approx(9 * 365.25 / 365)
    assert a.nodvendig_tempo == pytest.approx(36 * 365.25 / 610)
    assert a.forhold == pytest.approx(12 * 610 / (365 * 36))
    assert a.kategori == "begrenset fremgang"
    assert a.modell == "lineær"
    assert a.forventet_dato == date(2025, 4, 29)  # 2023-04-30 + 730 days
    assert a.forventet_fra == date(2025, 4, 29)
    assert a.forventet_til == date(2025, 12, 28)  # 2023-04-30 + 973 days
    # from the last observation to the deadline: 24 in 245 days
    assert a.nodvendig_tempo_fremover == pytest.approx(24 * 365.25 / 245)


def test_reached_gives_the_first_date_at_the_ambition() -> None:
    dates = [date(2022, 10, 31), date(2022, 12, 31), date(2023, 1, 31), AS_OF]
    a = tr.assess(dates, [5, 8, 12, 13], ambition=12, ceiling=20, deadline=DEADLINE, as_of=AS_OF)
    assert a.kategori == "nådd" and a.modell == "nådd"
    assert a.forventet_dato == date(2023, 1, 31)


def test_logistic_recovers_a_known_curve() -> None:
    """An exact logistic over 100 municipalities: r = 1.2 a year, midpoint 2021-01-01."""
    ds = month_ends(date(2019, 1, 1), AS_OF)
    mid = date(2021, 1, 1)
    ys = [100 / (1 + math.exp(-1.2 * (d - mid).days / 365.25)) for d in ds]
    a = tr.assess(ds, ys, ambition=95, ceiling=100, deadline=DEADLINE, as_of=AS_OF)
    assert a.modell == "logistisk"
    # The curve reaches 94.5 (half a municipality short of 95) at t = ln(94.5/5.5)/1.2
    t = math.log(94.5 / 5.5) / 1.2
    expected = mid + timedelta(days=t * 365.25)
    assert a.forventet_dato is not None
    assert abs((a.forventet_dato - expected).days) <= 3
    assert a.forventet_fra is not None and a.forventet_til is not None
    assert a.forventet_fra <= a.forventet_dato <= a.forventet_til


def test_fit_logistic_on_shares() -> None:
    t = np.linspace(0, 5, 40)
    y = 1 / (1 + np.exp(-2.0 * (t - 2.5)))
    fit = forecast.fit_logistic(t, y)
    assert fit is not None
    assert fit.r == pytest.approx(2.0, rel=1e-3) and fit.t0 == pytest.approx(2.5, abs=1e-3)


def test_not_computable_cases() -> None:
    dates = [date(2022, 4, 30), AS_OF]
    no_ambition = tr.assess(
        dates, [1, 2], ambition=None, ceiling=10, deadline=DEADLINE, as_of=AS_OF
    )
    assert no_ambition.kategori == "ikke beregnbar" and no_ambition.merknad == "ingen ambisjon"
    late = tr.assess(
        [date(2024, 6, 30), date(2025, 6, 30)],
        [1, 2],
        ambition=5,
        ceiling=10,
        deadline=DEADLINE,
        as_of=date(2025, 6, 30),
    )
    assert late.kategori == tr.FRIST_PASSERT and "fristen" in (late.merknad or "")
    nothing = tr.assess([], [], ambition=5, ceiling=10, deadline=DEADLINE, as_of=AS_OF)
    assert nothing.kategori == "ikke beregnbar" and nothing.forventet_dato is None
    zeros = tr.assess(dates, [0, 0], ambition=5, ceiling=10, deadline=DEADLINE, as_of=AS_OF)
    assert zeros.forventet_dato is None and "ingen kommuner" in (zeros.merknad or "")
    assert zeros.kategori == "begrenset fremgang"  # 0 of the required growth


# -- after the deadline ---------------------------------------------------------------------

LATE_DATES = month_ends(date(2022, 1, 31), date(2025, 6, 30))
LATE_COUNTS = [float(i) for i in range(len(LATE_DATES))]  # one more each month: 12 a year


def _late(ambition: float, as_of: date, deadline: date = DEADLINE) -> tr.Assessment:
    return tr.assess(
        LATE_DATES, LATE_COUNTS, ambition=ambition, ceiling=200, deadline=deadline, as_of=as_of
    )


def test_not_reached_after_the_deadline_is_frist_passert_with_the_expected_date() -> None:
    a = _late(100, date(2025, 6, 30))  # window 2024-06-30..2025-06-30, deadline 2023-12-31
    assert a.kategori == "frist passert, ikke nådd" == tr.AFTER_DEADLINE
    assert a.frist_passert is True
    assert a.nodvendig_tempo is None and a.nodvendig_tempo_fremover is None and a.forhold is None
    assert a.forventet_dato is not None and a.forventet_dato > date(2025, 6, 30)
    assert a.tempo == pytest.approx(12.0, rel=0.01)
    assert "var passert ved periodens start" in (a.merknad or "")


def test_reached_stays_naadd_after_the_deadline() -> None:
    a = _late(30, date(2025, 6, 30))  # 30 was reached in mid-2024, after the deadline
    assert a.kategori == tr.NAADD and a.frist_passert is True
    assert a.forventet_dato is not None and a.forventet_dato > DEADLINE


def test_a_deadline_inside_the_window_keeps_the_ratio() -> None:
    """Within a year after the deadline the window's pace is still judged against what would
    have reached the ambition by the deadline."""
    a = _late(40, date(2024, 3, 31))  # window starts 2023-03-31, before the deadline
    assert a.frist_passert is True
    assert a.nodvendig_tempo is not None and a.forhold is not None
    assert a.kategori == tr.category(a.forhold) != tr.AFTER_DEADLINE


def test_the_deadline_day_itself_has_not_passed() -> None:
    assert not tr.deadline_passed(DEADLINE, DEADLINE)
    assert tr.deadline_passed(DEADLINE, DEADLINE + timedelta(days=1))
    assert _late(100, DEADLINE).frist_passert is False
    assert tr.AFTER_DEADLINE in tr.CATEGORIES


def test_the_overview_marks_passed_deadlines_per_activity() -> None:
    series = pl.DataFrame(
        {
            "losning": ["x"] * len(LATE_DATES) + ["y"] * len(LATE_DATES),
            "dato": LATE_DATES * 2,
            "antall": LATE_COUNTS * 2,
        }
    )
    targets = pl.DataFrame(
        {
            "losning": ["x", "y"],
            "ambisjon": [100.0, 100.0],
            "i_omfang": [200, 200],
            "frist": [DEADLINE, date(2026, 12, 31)],
        }
    )
    out = tr.assess_all(series, targets, date(2025, 6, 30))
    got = {r["losning"]: r for r in out.iter_rows(named=True)}
    assert got["x"]["frist_passert"] is True and got["x"]["kategori"] == tr.FRIST_PASSERT
    assert got["y"]["frist_passert"] is False and got["y"]["kategori"] != tr.FRIST_PASSERT


def test_decline_is_tilbakegang_with_no_date() -> None:
    a = tr.assess(
        [date(2022, 4, 30), AS_OF],
        [20, 15],
        ambition=30,
        ceiling=50,
        deadline=DEADLINE,
        as_of=AS_OF,
    )
    assert a.kategori == "tilbakegang"
    assert a.forventet_dato is None and "ingen fremgang" in (a.merknad or "")


def test_observations_after_the_date_are_ignored() -> None:
    dates = [date(2021, 4, 30), date(2022, 4, 30), AS_OF, date(2024, 1, 31)]
    a = tr.assess(dates, [4, 10, 22, 60], ambition=46, ceiling=100, deadline=DEADLINE, as_of=AS_OF)
    assert a.antall == 22 and a.modell == "lineær"


def test_assess_all_one_row_per_target() -> None:
    series = pl.DataFrame(
        {
            "losning": ["x", "x", "x"],
            "dato": [date(2021, 4, 30), date(2022, 4, 30), AS_OF],
            "antall": [4, 10, 22],
        }
    )
    targets = pl.DataFrame(
        {
            "losning": ["x", "y"],
            "ambisjon": [46.0, 5.0],
            "i_omfang": [100, 10],
            "frist": [DEADLINE, DEADLINE],
        }
    )
    out = tr.assess_all(series, targets, AS_OF)
    assert out["losning"].to_list() == ["x", "y"]
    assert out.filter(pl.col("losning") == "x")["forventet_dato"][0] == date(2025, 4, 29)
    assert out.filter(pl.col("losning") == "y")["kategori"][0] == "ikke beregnbar"
