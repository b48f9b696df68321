"""When will the ambition be reached at the current pace: a logistic curve bounded by the
scope size where there are at least four points, a linear pace otherwise, each with an
interval. Deterministic (fixed seed). docs/metode.md explains the method in Norwegian.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

MIN_LOGISTIC_POINTS = 4
MAX_ITERATIONS = 2000
GRADIENT_TOLERANCE = 1e-9
INTERVAL = 0.90
DRAWS = 2000
SEED = 20230430
HORIZON_YEARS = 50  # an expected date further away than this is reported as out of reach
DAYS_PER_YEAR = 365.25

LOGISTIC = "logistisk"
LINEAR = "lineær"


def years_between(a: date, b: date) -> float:
    return (b - a).days / DAYS_PER_YEAR


def _add_years(d: date, years: float) -> date | None:
    if not math.isfinite(years) or years > HORIZON_YEARS:
        return None
    return d + timedelta(days=round(years * DAYS_PER_YEAR))


def _trim_leading_zeros(dates: list[date], counts: list[float]) -> tuple[list[date], list[float]]:
    """Keep the last zero before the first positive count: a long flat start says nothing
    about the shape of the take-up."""
    first = next((i for i, c in enumerate(counts) if c > 0), None)
    if first is None:
        return dates[-1:], counts[-1:]
    k = max(first - 1, 0)
    return dates[k:], counts[k:]


# --- models -----------------------------------------------------------------------------


def _logistic(t: np.ndarray, r: float, t0: float) -> np.ndarray:
    """Share of the scope at time t: a logistic whose ceiling is the whole scope."""
    with np.errstate(over="ignore"):  # exp overflowing to inf gives the limit, 0
        return 1.0 / (1.0 + np.exp(-r * (t - t0)))


def _logistic_jac(t: np.ndarray, r: float, t0: float) -> np.ndarray:
    f = _logistic(t, r, t0)
    g = f * (1.0 - f)
    return np.column_stack([(t - t0) * g, -r * g])


@dataclass(frozen=True)
class LogisticFit:
    r: float  # growth rate per year
    t0: float  # midpoint (half the scope), years after the first point
    cov: np.ndarray | None  # of (r, t0), inflated for autocorrelated residuals
    rho: float  # lag-1 autocorrelation of the residuals


def _least_squares(
    t: np.ndarray, y: np.ndarray, p: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Least squares of the logistic's two parameters within bounds: Levenberg-Marquardt,
    each step clipped to the bounds, and the covariance as ``scipy.optimize.curve_fit``
    gives it (the residual variance times the pseudo-inverse of JᵀJ). Two parameters do not
    need scipy, whose import alone took a third of a second of every report; a test holds
    the two to the same answers. None when it does not converge."""
    # Overflow, 0/0 and a vanishing singular value end as inf or nan, which are checked.
    with np.errstate(all="ignore"):
        res = _logistic(t, *p) - y
        cost = float(res @ res)
        damping = 1e-3
        for _ in range(MAX_ITERATIONS):
            jac = _logistic_jac(t, *p)
            a, g = jac.T @ jac, jac.T @ res
            if not (np.all(np.isfinite(a)) and np.all(np.isfinite(g))):
                return None
            # A parameter on a bound that the descent would push past stays there; the
            # step is solved for the others.
            free = ~(((p <= lower) & (g > 0)) | ((p >= upper) & (g < 0)))
            if not free.any() or float(np.max(np.abs(g[free]))) < GRADIENT_TOLERANCE:
                break
            af, gf = a[np.ix_(free, free)], g[free]
            while damping < 1e16:
                step = np.zeros_like(p)
                try:
                    step[free] = np.linalg.solve(af + damping * np.diag(np.diag(af) + 1e-12), -gf)
                except np.linalg.LinAlgError:
                    damping *= 10
                    continue
                trial = np.clip(p + step, lower, upper)
                trial_res = _logistic(t, *trial) - y
                trial_cost = float(trial_res @ trial_res)
                if np.isfinite(trial_cost) and trial_cost <= cost:
                    break
                damping *= 10
            else:
                break  # no step lowers the cost: a minimum
            moved = float(np.max(np.abs(trial - p) / (np.abs(p) + 1e-8)))
            gained = cost - trial_cost
            p, res, cost = trial, trial_res, trial_cost
            damping = max(damping / 10, 1e-12)
            if moved < 1e-10 or gained <= 1e-10 * cost:
                break
        else:
            return None
        if not np.isfinite(cost):
            return None
        _, sv, vt = np.linalg.svd(_logistic_jac(t, *p), full_matrices=False)
        keep = sv > np.finfo(float).eps * max(t.size, 2) * sv[0]
        sv, vt = sv[keep], vt[keep]
        pcov = (vt.T / sv**2) @ vt
        # The residual variance, as curve_fit without absolute_sigma; none with two points.
        pcov = pcov * cost / (t.size - 2) if t.size > 2 else np.full((2, 2), np.inf)
    return p, pcov


def fit_logistic(t: np.ndarray, y: np.ndarray) -> LogisticFit | None:
    """Least-squares logistic through shares of the scope (0 < y < 1), saturating at the
    whole scope: the market potential of a national solution is known, so only the rate and
    the midpoint are fitted (a free ceiling is badly determined before the curve has turned,
    and then it is almost always too low).

    Monthly cumulative counts are correlated from month to month, so the covariance is
    inflated by (1 + rho) / (1 - rho), rho the lag-1 autocorrelation of the residuals. Several
    starting points are tried and the best kept; None when none converges.
    """
    y_last = float(np.clip(y[-1], 1e-4, 1 - 1e-4))
    lower = [1e-3, float(t[0]) - 50.0]
    upper = [20.0, float(t[-1]) + 50.0]
    starts: list[tuple[float, float]] = []
    inside = (y > 0) & (y < 1)
    if inside.sum() >= 2 and np.ptp(t[inside]) > 0:
        # logit(y) = r (t - t0) is a straight line: its least-squares fit is a good start.
        slope, icept = np.polyfit(t[inside], np.log(y[inside] / (1 - y[inside])), 1)
        if slope > 0:
            starts.append((float(slope), float(-icept / slope)))
    starts.append((1.0, float(t[-1] + np.log(1.0 / y_last - 1.0))))
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for r0, t00 in starts:
        r0 = float(np.clip(r0, lower[0], upper[0]))
        t00 = float(np.clip(t00, lower[1], upper[1]))
        found = _least_squares(t, y, np.array([r0, t00]), np.array(lower), np.array(upper))
        if found is None:
            continue
        popt, pcov = found
        sse = float(np.sum((_logistic(t, *popt) - y) ** 2))
        if best is None or sse < best[0] - 1e-12:
            best = (sse, popt, pcov)
    if best is None:
        return None
    _, popt, pcov = best
    resid = y - _logistic(t, *popt)
    rho = 0.0
    if resid.size > 2 and float(np.std(resid)) > 0:
        rho = float(np.clip(np.corrcoef(resid[:-1], resid[1:])[0, 1], 0.0, 0.95))
    cov = pcov * (1.0 + rho) / (1.0 - rho) if np.all(np.isfinite(pcov)) else None
    return LogisticFit(float(popt[0]), float(popt[1]), cov, rho)


def _years_to(r: np.ndarray, t0: np.ndarray, a: float, y_end: float, t_end: float) -> np.ndarray:
    """Years from the last observation until the curve reaches the share ``a``.

    The curve is anchored at the last observed level: the time it takes to climb from there
    to the ambition, so an expected date is never before the last observation. With nothing
    observed yet, the fitted curve's own crossing is used (never before the last point).
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t_a = t0 - np.log(1.0 / a - 1.0) / r
        anchored = (np.log(1.0 / max(y_end, 1e-12) - 1.0) - np.log(1.0 / a - 1.0)) / r
        dt = anchored if y_end > 0 else t_a - t_end
    out = np.where(r > 0, np.maximum(dt, 0.0), np.inf)
    return np.where(np.isfinite(out), out, np.inf)


def expected_date(
    ds: list[date],
    ys: list[float],
    ambition: float,
    ceiling: float,
    tempo: float | None,
    tempo_24: float | None,
) -> tuple[str | None, date | None, date | None, date | None, str | None]:
    """Model, expected date and interval (None: not computable; the note says why)."""
    if ambition > ceiling:
        return None, None, None, None, "ambisjonen er større enn antall kommuner i omfanget"
    if max(ys) <= 0:
        return None, None, None, None, "ingen kommuner har nådd trinnet ennå"
    td, ty = _trim_leading_zeros(ds, ys)
    if len(td) >= MIN_LOGISTIC_POINTS and ceiling > 0:
        t = np.array([years_between(td[0], d) for d in td])
        fit = fit_logistic(t, np.array(ty) / ceiling)
        if fit is not None:
            model, point, lo, hi, note = _expected_logistic(
                fit, td[-1], float(t[-1]), ty[-1], ambition, ceiling
            )
            # The interval also spans the date the last 12 months' linear pace gives: the two
            # are both fair readings of the same counts, and the curve's own interval is narrow.
            if point is not None and tempo is not None:
                linear = _add_years(td[-1], (ambition - ty[-1]) / tempo) if tempo > 0 else None
                lo = min(lo, linear) if lo is not None and linear is not None else lo
                hi = max(hi, linear) if hi is not None and linear is not None else None
            return model, point, lo, hi, note
    if len(td) >= 2:
        return _expected_linear(td, ty, ambition, tempo, tempo_24)
    return None, None, None, None, "for få observasjoner etter første ibruktakelse"


def _expected_logistic(
    fit: LogisticFit, end: date, t_end: float, y_end: float, ambition: float, ceiling: float
) -> tuple[str | None, date | None, date | None, date | None, str | None]:
    # Reached when the curve is within half a municipality of the ambition, so an ambition
    # of the whole scope is reachable although the curve only approaches it.
    a = min(ambition - 0.5, ceiling - 0.5) / ceiling
    ye = y_end / ceiling
    point = _years_to(np.array([fit.r]), np.array([fit.t0]), a, ye, t_end)[0]
    expected = _add_years(end, float(point))
    lo = hi = None
    note = None
    if fit.cov is not None:
        rng = np.random.default_rng(SEED)
        draws = rng.multivariate_normal([fit.r, fit.t0], fit.cov, size=DRAWS, method="svd")
        years = _years_to(np.clip(draws[:, 0], 0.0, None), draws[:, 1], a, ye, t_end)
        q = (1 - INTERVAL) / 2
        lo_y, hi_y = np.quantile(years, [q, 1 - q], method="inverted_cdf")
        lo, hi = _add_years(end, float(lo_y)), _add_years(end, float(hi_y))
        if expected is not None:
            lo = min(lo, expected) if lo is not None else expected
            hi = max(hi, expected) if hi is not None else None
    else:
        note = "usikkerheten i kurven kan ikke anslås"
    if expected is None:
        note = f"ambisjonen nås ikke innen {HORIZON_YEARS} år med dagens kurve"
    return LOGISTIC, expected, lo, hi, note


def _expected_linear(
    td: list[date], ty: list[float], ambition: float, tempo: float | None, tempo_24: float | None
) -> tuple[str | None, date | None, date | None, date | None, str | None]:
    end, y_end = td[-1], ty[-1]
    span = years_between(td[0], end)
    overall = (ty[-1] - ty[0]) / span if span > 0 else None
    main = tempo if tempo is not None else overall
    if main is None or main <= 0:
        return None, None, None, None, "ingen fremgang å regne videre på"
    remaining = ambition - y_end
    expected = _add_years(end, remaining / main)
    paces = [p for p in (tempo, tempo_24, overall) if p is not None]
    fast, slow = max(paces), min(paces)
    lo = _add_years(end, remaining / fast) if fast > 0 else None
    hi = _add_years(end, remaining / slow) if slow > 0 else None
    if expected is not None:
        lo = min(lo, expected) if lo is not None else expected
        hi = max(hi, expected) if hi is not None else None
    note = (
        None
        if expected is not None
        else f"ambisjonen nås ikke innen {HORIZON_YEARS} år med dagens tempo"
    )
    return LINEAR, expected, lo, hi, note
