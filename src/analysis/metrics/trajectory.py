"""Trajectory: is the pace enough, and when will the ambition be reached at the current pace?

* Observed pace: municipalities per year over the last 12 (and 24) months of the series.
* Required pace: what the same window needed to reach the ambition by the deadline, from the
  window's start (Eurostat's SDG progress rule, which Open SDG also uses, with linear growth in
  municipalities per year instead of compound growth, since counts start at zero).
* Category: the ratio observed/required against the Eurostat thresholds (>= 95 %, 60 %, 0 %).
* Expected date: a logistic curve bounded by the scope size where there are at least four
  points, a linear pace otherwise; each with an interval. Deterministic (fixed seed).

docs/metode.md explains the method in Norwegian; this module is its implementation.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from analysis.metrics.status import shift_months

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
MIN_LOGISTIC_POINTS = 4
INTERVAL = 0.90
DRAWS = 2000
SEED = 20230430
HORIZON_YEARS = 50  # an expected date further away than this is reported as out of reach
DAYS_PER_YEAR = 365.25

LOGISTIC = "logistisk"
LINEAR = "lineær"


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


def _years(a: date, b: date) -> float:
    return (b - a).days / DAYS_PER_YEAR


def _add_years(d: date, years: float) -> date | None:
    if not math.isfinite(years) or years > HORIZON_YEARS:
        return None
    return d + timedelta(days=round(years * DAYS_PER_YEAR))


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
    return (y1 - y0) / _years(start, end), start


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


def fit_logistic(t: np.ndarray, y: np.ndarray) -> LogisticFit | None:
    """Least-squares logistic through shares of the scope (0 < y < 1), saturating at the
    whole scope: the market potential of a national solution is known, so only the rate and
    the midpoint are fitted (a free ceiling is badly determined before the curve has turned,
    and then it is almost always too low).

    Monthly cumulative counts are correlated from month to month, so the covariance is
    inflated by (1 + rho) / (1 - rho), rho the lag-1 autocorrelation of the residuals. Several
    starting points are tried and the best kept; None when none converges.
    """
    from scipy.optimize import curve_fit

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
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                popt, pcov = curve_fit(
                    _logistic,
                    t,
                    y,
                    p0=[r0, t00],
                    bounds=(lower, upper),
                    jac=_logistic_jac,
                    max_nfev=5000,
                )
        except (RuntimeError, ValueError):
            continue
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
        forward = (ambition - y_end) / _years(end, deadline)

    required = ratio = None
    if start is not None:
        y_start = value_at(ds, ys, start)
        assert y_start is not None
        if deadline > start:
            required = (ambition - y_start) / _years(start, deadline)
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

    model, point, lo, hi, note = _expected(ds, ys, ambition, ceiling, tempo, tempo_24)
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


def _expected(
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
        t = np.array([_years(td[0], d) for d in td])
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
    span = _years(td[0], end)
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


# --- the status overview ----------------------------------------------------------------

OVERVIEW_COLUMNS = (
    "nr",
    "losning",
    "aktivitet",
    "telles_trinn",
    "omfang_id",
    "i_omfang",
    "planlagt",
    "tilgjengelig",
    "i_bruk",
    "antall",
    "ambisjon",
    "ambisjon_andel",
    "prosent_av_ambisjon",
    "gjenstar",
    "andel_befolkning",
    "tempo",
    "tempo_24m",
    "nodvendig_tempo",
    "nodvendig_tempo_fremover",
    "forhold",
    "kategori",
    "modell",
    "forventet_dato",
    "forventet_fra",
    "forventet_til",
    "frist",
    "publisert",
    "publisert_dato",
    "avvik",
    "publisert_kilde",
    "syntetisk",
    "merknad",
    "frist_passert",
    "portefolje_aar",
    "overfort_fra",
)


def status_overview(
    events: pl.DataFrame,
    kommuner: pl.DataFrame,
    ambitions: pl.DataFrame,
    as_of: date,
    *,
    meldinger: pl.DataFrame | None = None,
    versions: pl.DataFrame | None = None,
    publisert: pl.DataFrame | None = None,
    county: str | None = None,
    acts: pl.DataFrame | None = None,
    scopes: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The status table of ``ehelse status``: per activity, status against ambition, pace,
    category and expected date, with the published national figure beside the computed one.

    With ``county`` the counts are the county's and the ambition is its proportional share
    (no published figure: those are national). Message versions count when ``meldinger`` is
    given; without it that activity has no status, as in the portfolio table.
    """
    from analysis.metrics import messages as msg
    from analysis.metrics import status as st

    acts = st.activities() if acts is None else acts
    scopes = st.scope_members(kommuner) if scopes is None else scopes
    if st.PORTFOLIO_YEAR in ambitions.columns:
        ambitions = st.ambitions_for(ambitions, as_of.year)  # the edition's portfolio
    all_events = events
    extra: list[pl.DataFrame] = []
    if meldinger is not None and meldinger.height:
        vers = msg.current_versions() if versions is None else versions
        comp = msg.compliance(meldinger, vers)
        all_events = msg.with_message_events(events, meldinger, vers, as_of, comp=comp)
        region = kommuner.filter(pl.col("fylkesnummer") == county) if county else None
        extra.append(msg.compliance_series(meldinger, vers, as_of, kommuner=region, comp=comp))
    municipal = st.municipal_status(all_events, kommuner, acts, scopes, as_of)
    if county is not None:
        table = st.status_by_county(municipal, ambitions).filter(pl.col("fylkesnummer") == county)
        series_scope = municipal.filter(pl.col("fylkesnummer") == county)
    else:
        table = st.status_table(municipal, ambitions)
        series_scope = municipal
    # Message versions have their own monthly history (compliance_series); their pseudo-events
    # only mark the latest month, so they stay out of the adoption series.
    counted = st.count_series(all_events, series_scope, as_of)
    if extra:
        counted = counted.filter(pl.col("losning") != msg.LOSNING)
    series = pl.concat([counted, *extra])
    targets = table.select("losning", pl.col("ambisjon_andel").alias("ambisjon"), "i_omfang").join(
        acts.select("losning", "frist"), on="losning", how="inner"
    )
    assessed = assess_all(series, targets, as_of).drop("antall")
    info = acts.select("losning", pl.col("navn").alias("aktivitet"), "omfang_id", "frist")
    portfolio = [c for c in (st.PORTFOLIO_YEAR, st.CARRIED_FROM) if c in ambitions.columns]
    amb = ambitions.select("losning", "nr", *portfolio) if "nr" in ambitions.columns else None
    out = info.join(table.drop("telles_trinn"), on="losning", how="left").join(
        acts.select("losning", "telles_trinn"), on="losning", how="left"
    )
    out = out.join(assessed, on="losning", how="left")
    if amb is not None:
        out = out.join(amb, on="losning", how="left")
    else:
        out = out.with_columns(nr=pl.lit(None, pl.String))
    for c in (st.PORTFOLIO_YEAR, st.CARRIED_FROM):
        if c not in out.columns:
            out = out.with_columns(pl.lit(None, pl.Int64).alias(c))
    if county is None:
        pub = st.published_figures(publisert, ambitions, acts, as_of)
    else:
        pub = pl.DataFrame(
            schema={
                "losning": pl.String,
                "publisert": pl.Int64,
                "publisert_dato": pl.Date,
                "publisert_kilde": pl.String,
            }
        )
    empty = pl.col("i_omfang").is_null() | (pl.col("i_omfang") == 0)
    out = out.join(pub, on="losning", how="left").with_columns(
        avvik=pl.col("antall") - pl.col("publisert"),
        syntetisk=pl.col("syntetisk").fill_null(False),
        i_omfang=pl.col("i_omfang").fill_null(0),
        kategori=pl.col("kategori").fill_null(IKKE_BEREGNBAR),
        frist_passert=pl.col("frist") < as_of,
        merknad=pl.when(empty).then(pl.lit("ingen kommuner i omfanget")).otherwise("merknad"),
    )
    return out.select(OVERVIEW_COLUMNS).sort("nr", "losning", nulls_last=True)
