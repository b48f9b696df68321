"""The logistic fit's own least squares (metrics.forecast._least_squares) against what it
replaced, scipy's curve_fit with bounds: the same parameters and covariance on noisy take-up
curves like the report's, so the expected dates and their intervals do not move."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.optimize import curve_fit

from analysis.metrics import forecast


def scipy_fit(
    t: np.ndarray, y: np.ndarray, p: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            popt, pcov = curve_fit(
                forecast._logistic,
                t,
                y,
                p0=p,
                bounds=(lower, upper),
                jac=forecast._logistic_jac,
                max_nfev=5000,
            )
    except (RuntimeError, ValueError):
        return None
    return popt, pcov


def curves(n: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Monthly-ish cumulative shares with counting noise, midpoints inside the window."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        m = int(rng.integers(6, 60))
        t = np.sort(rng.uniform(0, 8, m))
        t[0] = 0.0
        r, t0 = rng.uniform(0.3, 3.0), rng.uniform(1.0, 7.0)
        y = np.clip(1 / (1 + np.exp(-r * (t - t0))) + rng.normal(0, 0.01, m), 0, 1)
        out.append((t, y))
    return out


def both_fits(
    t: np.ndarray, y: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> tuple[forecast.LogisticFit | None, forecast.LogisticFit | None]:
    """The fit with its own least squares and with scipy's; each finds one when the other does."""
    mine = forecast.fit_logistic(t, y)
    with monkeypatch.context() as m:
        m.setattr(forecast, "_least_squares", scipy_fit)
        theirs = forecast.fit_logistic(t, y)
    assert (mine is None) == (theirs is None)
    return mine, theirs


def test_the_fit_gives_scipys_parameters_and_covariance(monkeypatch: pytest.MonkeyPatch) -> None:
    for t, y in curves(150, seed=11):
        mine, theirs = both_fits(t, y, monkeypatch)
        if mine is None or theirs is None:
            continue
        assert mine.r == pytest.approx(theirs.r, rel=1e-4)
        assert mine.t0 == pytest.approx(theirs.t0, rel=1e-4, abs=1e-4)
        assert (mine.cov is None) == (theirs.cov is None)
        if mine.cov is not None and theirs.cov is not None:
            assert np.max(np.abs(mine.cov - theirs.cov)) <= 1e-3 * np.max(np.abs(theirs.cov))


def test_the_fit_never_ends_worse_than_scipy_on_hard_curves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Curves that have barely started, or are already saturated, or are steps: the sum of
    squares is no worse than scipy's (beyond rounding), and each finds a fit when the other does."""
    rng = np.random.default_rng(7)
    for _ in range(300):
        m = int(rng.integers(4, 60))
        t = np.sort(rng.uniform(0, 8, m))
        t[0] = 0.0
        r, t0 = rng.uniform(0.2, 4.0), rng.uniform(-2.0, 10.0)
        noise = rng.choice([0.005, 0.03])
        y = np.clip(1 / (1 + np.exp(-r * (t - t0))) + rng.normal(0, noise, m), 0, 1)
        mine, theirs = both_fits(t, y, monkeypatch)
        if mine is None or theirs is None:
            continue
        sse_mine = float(np.sum((forecast._logistic(t, mine.r, mine.t0) - y) ** 2))
        sse_theirs = float(np.sum((forecast._logistic(t, theirs.r, theirs.t0) - y) ** 2))
        assert sse_mine <= sse_theirs * (1 + 1e-6) + 1e-12
