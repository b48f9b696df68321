"""Status against ambition at any date: per activity, per county.

Status is computed from the adoption events (``adopsjon``), not from the month-end snapshots,
so that any date works: at date D each municipality stands on the highest step of the ladder
(analysis.metrics.ladder) among its events dated on or before D.

Which step an activity counts, its scope and its deadline are committed data
(``analysis/metrics/data/aktiviteter.csv`` and ``omfang.csv``, read through
analysis.metrics.params), not code, so that a new portfolio year changes a file rather than a
function. The metric functions are pure: polars in, polars out.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date

import polars as pl

from analysis.dates import month_end, month_ends, shift_months
from analysis.metrics.ladder import RANK, ladder_dates, steps_at
from analysis.metrics.params import scope_definitions
from analysis.reference import division_for, load_register, translate

ALL = "alle"


def _division_of(kommuner: pl.DataFrame, division: int | None) -> int:
    if division is not None:
        return division
    if "inndeling" in kommuner.columns:
        values = kommuner["inndeling"].unique().to_list()
        if len(values) == 1:
            return int(values[0])
    raise ValueError("Kan ikke avgjøre kommuneinndelingen: oppgi division eller kolonnen inndeling")


def scope_members(
    kommuner: pl.DataFrame,
    definitions: pl.DataFrame | None = None,
    division: int | None = None,
) -> pl.DataFrame:
    """Municipalities of each scope in the division of ``kommuner`` (columns omfang_id,
    kommunenummer).

    A scope defined in another division (Helse Midt-Norge is written in the 2020 division) is
    carried over through the crosswalk, so a split municipality (2020's Ålesund into 2024's
    Ålesund and Haram) brings every successor: 66 municipalities in 2020-2023, 67 in 2024.
    """
    defs = scope_definitions() if definitions is None else definitions
    codes = set(kommuner["kommunenummer"].to_list())
    rows: list[tuple[str, str]] = []
    for omfang_id, county, code, source_div in defs.select(
        "omfang_id", "fylkesnummer", "kommunenummer", "inndeling"
    ).iter_rows():
        if county is None and code is None:
            rows.extend((omfang_id, k) for k in codes)
            continue
        target = _division_of(kommuner, division)
        src = source_div if source_div is not None else target
        if county is not None:
            register = load_register(src)
            sources = register.filter(pl.col("fylkesnummer") == county)["kommunenummer"].to_list()
        else:
            sources = [code]
        for s in sources:
            if division_for(src) == division_for(target):
                targets: tuple[str, ...] = (s,)
            else:
                targets = translate(s, src, target).targets
            rows.extend((omfang_id, t) for t in targets if t in codes)
    return (
        pl.DataFrame(
            rows, schema={"omfang_id": pl.String, "kommunenummer": pl.String}, orient="row"
        )
        .unique()
        .sort("omfang_id", "kommunenummer")
    )


# --- ambitions per edition --------------------------------------------------------------

PORTFOLIO_YEAR = "portefolje_aar"
CARRIED_FROM = "overfort_fra"


def municipality_count(year: int) -> int:
    """How many municipalities the division in force in ``year`` has (356 in 2020-2023)."""
    return load_register(division_for(year)).height


def ambitions_for(ambisjoner: pl.DataFrame, year: int) -> pl.DataFrame:
    """The ambitions an edition for ``year`` measures against: for each activity the row of
    the newest portfolio at or before ``year``.

    ``overfort_fra`` is that portfolio's year when it is older than the edition (the ambition
    is carried over, «videreført fra porteføljen 2023»), else null. An activity that only
    newer portfolios have is left out: its ambition did not exist yet. A carried-over ambition
    of every municipality («alle kommuner»: 356 in the 2023 portfolio) means every
    municipality of the edition's own division (357 from 2024), not the old count.
    """
    if PORTFOLIO_YEAR not in ambisjoner.columns:
        raise KeyError(f"Ambisjonene mangler kolonnen {PORTFOLIO_YEAR}; fant {ambisjoner.columns}")
    sort = [c for c in ("nr", "losning") if c in ambisjoner.columns]
    chosen = (
        ambisjoner.filter(pl.col(PORTFOLIO_YEAR) <= year)
        .sort(PORTFOLIO_YEAR, descending=True)
        .group_by("losning", maintain_order=True)
        .first()
        .with_columns(
            pl.when(pl.col(PORTFOLIO_YEAR) < year)
            .then(pl.col(PORTFOLIO_YEAR))
            .otherwise(None)
            .cast(pl.Int64)
            .alias(CARRIED_FROM)
        )
    )
    if "ambisjon" in chosen.columns and chosen.height:
        now = municipality_count(year)
        whole = {y: municipality_count(y) for y in chosen[PORTFOLIO_YEAR].unique().to_list()}
        then = pl.col(PORTFOLIO_YEAR).replace_strict(whole, return_dtype=pl.Int64)
        chosen = chosen.with_columns(
            pl.when(pl.col(CARRIED_FROM).is_not_null() & (pl.col("ambisjon") == then))
            .then(pl.lit(now, dtype=pl.Int64))
            .otherwise(pl.col("ambisjon"))
            .cast(ambisjoner.schema["ambisjon"])
            .alias("ambisjon")
        )
    return chosen.select(*ambisjoner.columns, CARRIED_FROM).sort(sort)


def _one_portfolio(ambitions: pl.DataFrame) -> pl.DataFrame:
    """The ambitions as given when there is one row per activity; several portfolios must be
    narrowed to one edition first, or the counts would be joined twice."""
    if ambitions["losning"].is_duplicated().any():
        raise ValueError(
            "Ambisjonene har flere porteføljer for samme aktivitet; velg utgavens med "
            "ambitions_for(ambisjoner, år)"
        )
    return ambitions


# --- status at a date -------------------------------------------------------------------


def municipal_status(
    events: pl.DataFrame,
    kommuner: pl.DataFrame,
    acts: pl.DataFrame,
    scopes: pl.DataFrame,
    as_of: date,
) -> pl.DataFrame:
    """One row per activity and municipality in its scope, with its step on ``as_of``.

    ``telles`` says whether the municipality counts towards the ambition (it has reached the
    activity's counted step). Events of municipalities outside the scope are not counted, so a
    count never exceeds the scope. An activity measured by message versions with no rows at all
    is unmeasured: its ``telles`` is null, because no data is not the same as no municipality.
    """
    steps = steps_at(events, as_of)
    measured = set(steps["losning"].unique().to_list())
    base = (
        acts.select("losning", "telles_trinn", "omfang_id", "maal")
        .join(scopes, on="omfang_id", how="inner")
        .join(
            kommuner.select(
                "kommunenummer", "kommunenavn", "fylkesnummer", "fylkesnavn", "befolkning"
            ),
            on="kommunenummer",
            how="inner",
        )
    )
    out = base.join(steps, on=["losning", "kommunenummer"], how="left").with_columns(
        maalt=(pl.col("maal") == "adopsjon") | pl.col("losning").is_in(list(measured)),
        syntetisk=pl.col("syntetisk").fill_null(False),
    )
    rank = pl.col("trinn").replace_strict(RANK, default=0, return_dtype=pl.Int64)
    counted = rank >= pl.col("telles_trinn").replace_strict(RANK, return_dtype=pl.Int64)
    return (
        out.with_columns(telles=pl.when(pl.col("maalt")).then(counted).otherwise(None))
        .select(
            "losning",
            "kommunenummer",
            "kommunenavn",
            "fylkesnummer",
            "fylkesnavn",
            "befolkning",
            "omfang_id",
            "telles_trinn",
            "maal",
            "trinn",
            "siden",
            "telles",
            "maalt",
            "syntetisk",
        )
        .sort("losning", "kommunenummer")
    )


def _reached(step: str) -> pl.Expr:
    rank = pl.col("trinn").replace_strict(RANK, default=0, return_dtype=pl.Int64)
    return pl.when(pl.col("maalt").all()).then((rank >= RANK[step]).sum()).otherwise(None)


def status_table(
    municipal: pl.DataFrame,
    ambitions: pl.DataFrame | None = None,
    by: list[str] | None = None,
) -> pl.DataFrame:
    """Status against ambition per activity (and per ``by`` group, e.g. county).

    Columns: i_omfang (municipalities in scope), planlagt, tilgjengelig, i_bruk (reached at
    least that step), antall (reached the counted step), andel_kommuner, befolkning_omfang,
    befolkning_dekket, andel_befolkning; with ``ambitions`` also ambisjon (the national figure),
    ambisjon_andel (for a group: its proportional share of the ambition, by municipalities in
    scope), prosent_av_ambisjon and gjenstar (never below zero).
    """
    keys = ["losning", *(by or [])]
    counted = pl.col("telles").fill_null(False)
    out = (
        municipal.group_by(keys)
        .agg(
            pl.len().cast(pl.Int64).alias("i_omfang"),
            _reached("planlagt").cast(pl.Int64).alias("planlagt"),
            _reached("tilgjengelig").cast(pl.Int64).alias("tilgjengelig"),
            _reached("i_bruk").cast(pl.Int64).alias("i_bruk"),
            pl.when(pl.col("maalt").all())
            .then(counted.sum())
            .otherwise(None)
            .cast(pl.Int64)
            .alias("antall"),
            pl.col("befolkning").sum().cast(pl.Int64).alias("befolkning_omfang"),
            pl.when(pl.col("maalt").all())
            .then(pl.col("befolkning").filter(counted).sum())
            .otherwise(None)
            .cast(pl.Int64)
            .alias("befolkning_dekket"),
            pl.col("telles_trinn").first(),
            pl.col("syntetisk").any(),
        )
        .with_columns(
            andel_kommuner=_share(pl.col("antall"), pl.col("i_omfang")),
            andel_befolkning=_share(pl.col("befolkning_dekket"), pl.col("befolkning_omfang")),
        )
        .sort(keys)
    )
    if ambitions is None:
        return out
    amb = _one_portfolio(ambitions).select("losning", pl.col("ambisjon").cast(pl.Int64))
    out = out.join(amb, on="losning", how="left")
    if by:
        total = pl.col("i_omfang").sum().over("losning")
        share = pl.col("ambisjon").cast(pl.Float64) * pl.col("i_omfang") / total
    else:
        share = pl.col("ambisjon").cast(pl.Float64)
    return out.with_columns(ambisjon_andel=share).with_columns(
        prosent_av_ambisjon=pl.when(pl.col("ambisjon_andel") > 0)
        .then(pl.col("antall") / pl.col("ambisjon_andel") * 100)
        .otherwise(None),
        gjenstar=pl.max_horizontal(pl.col("ambisjon_andel") - pl.col("antall"), pl.lit(0.0)),
    )


def _share(part: pl.Expr, whole: pl.Expr) -> pl.Expr:
    return pl.when(whole > 0).then(part / whole).otherwise(None)


def status_by_county(
    municipal: pl.DataFrame, ambitions: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The status table per county, with each county's proportional share of the ambition."""
    return status_table(municipal, ambitions, by=["fylkesnummer", "fylkesnavn"])


# --- series for the trajectory ----------------------------------------------------------


def count_series(
    municipal_events: pl.DataFrame,
    municipal: pl.DataFrame,
    as_of: date,
    lookback_months: int = 24,
) -> pl.DataFrame:
    """Counted municipalities per activity at every month end up to ``as_of`` (and at as_of).

    The series starts the month before the first counted event, or ``lookback_months`` before
    ``as_of`` if that is earlier, so the pace windows always lie inside it. Only municipalities
    in ``municipal`` (the scope) count. Unmeasured activities get no series.
    """
    in_scope = municipal.filter(pl.col("maalt")).select("losning", "kommunenummer", "telles_trinn")
    dates = (
        ladder_dates(municipal_events, as_of)
        .join(in_scope, on=["losning", "kommunenummer"], how="inner")
        .filter(pl.col("trinn") == pl.col("telles_trinn"))
    )
    shifted = shift_months(as_of, -lookback_months)
    floor = month_end(shifted)
    rows = []
    for losning in sorted(set(in_scope["losning"].to_list())):
        reached = sorted(dates.filter(pl.col("losning") == losning)["dato"].to_list())
        start = floor
        if reached:
            before = shift_months(reached[0], -1)
            start = min(start, month_end(before))
        for d in month_ends(start, as_of):
            rows.append((losning, d, bisect_right(reached, d)))
    return pl.DataFrame(
        rows,
        schema={"losning": pl.String, "dato": pl.Date, "antall": pl.Int64},
        orient="row",
    )


# --- published figures ------------------------------------------------------------------

PUBLISHED_MAX_AGE_DAYS = 31


def published_figures(
    publisert: pl.DataFrame | None,
    ambitions: pl.DataFrame | None,
    acts: pl.DataFrame,
    as_of: date,
    max_age_days: int = PUBLISHED_MAX_AGE_DAYS,
) -> pl.DataFrame:
    """The newest published national figure of each activity's counted step on ``as_of``.

    Candidates: the portfolio table's own status (``ambisjoner.status_publisert`` at
    ``status_dato``) and the published series (``publisert``) at the counted step; only figures
    dated on or before ``as_of`` and at most ``max_age_days`` older. The newest wins; on the
    same date the portfolio table wins. Columns: losning, publisert, publisert_dato,
    publisert_kilde.
    """
    schema = {
        "losning": pl.String,
        "publisert": pl.Int64,
        "publisert_dato": pl.Date,
        "publisert_kilde": pl.String,
        "_prioritet": pl.Int64,
    }
    parts = [pl.DataFrame(schema=schema)]
    if ambitions is not None and {"status_publisert", "status_dato"} <= set(ambitions.columns):
        kilde = pl.col("kilde") if "kilde" in ambitions.columns else pl.lit(None, pl.String)
        parts.append(
            ambitions.filter(
                pl.col("status_publisert").is_not_null() & pl.col("status_dato").is_not_null()
            ).select(
                "losning",
                pl.col("status_publisert").cast(pl.Int64).alias("publisert"),
                pl.col("status_dato").alias("publisert_dato"),
                kilde.cast(pl.String).alias("publisert_kilde"),
                pl.lit(0, pl.Int64).alias("_prioritet"),
            )
        )
    if publisert is not None and publisert.height:
        steps = acts.select("losning", pl.col("telles_trinn").alias("trinn"))
        parts.append(
            publisert.filter(pl.col("dato").is_not_null() & pl.col("losning").is_not_null())
            .join(steps, on=["losning", "trinn"], how="inner")
            .select(
                "losning",
                pl.col("antall").cast(pl.Int64).alias("publisert"),
                pl.col("dato").alias("publisert_dato"),
                pl.col("kilde").cast(pl.String).alias("publisert_kilde"),
                pl.lit(1, pl.Int64).alias("_prioritet"),
            )
        )
    earliest = date.fromordinal(as_of.toordinal() - max_age_days)
    return (
        pl.concat(parts)
        .filter((pl.col("publisert_dato") <= as_of) & (pl.col("publisert_dato") >= earliest))
        .sort(
            "losning",
            "publisert_dato",
            "_prioritet",
            "publisert_kilde",
            "publisert",
            descending=[False, True, False, False, False],
            nulls_last=True,
        )
        .group_by("losning", maintain_order=True)
        .first()
        .drop("_prioritet")
        .sort("losning")
    )
