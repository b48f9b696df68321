"""Per municipality: which solutions it has and since when, how long it stood on each step,
an adoption index, and the municipalities that stalled (tilgjengelig for more than a year
without i_bruk), which are the ones KS e-Komp can help first.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from analysis.dates import shift_months
from analysis.metrics.ladder import ladder_dates
from analysis.steps import TRINN

STALL_MONTHS = 12


def step_dates(events: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """One row per municipality and solution: the date each step was reached (null: not yet),
    the current step and since when."""
    dates = ladder_dates(events, as_of)
    wide = dates.pivot(on="trinn", index=["losning", "kommunenummer"], values="dato").sort(
        "losning", "kommunenummer"
    )
    for step in TRINN:
        if step not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Date).alias(step))
    current = (
        dates.sort("rang")
        .group_by("losning", "kommunenummer")
        .agg(pl.col("trinn").last(), pl.col("dato").last().alias("siden"))
    )
    return (
        wide.rename({s: f"{s}_dato" for s in TRINN})
        .join(current, on=["losning", "kommunenummer"], how="left")
        .select(
            "losning",
            "kommunenummer",
            "trinn",
            "siden",
            *(f"{s}_dato" for s in TRINN),
        )
        .sort("losning", "kommunenummer")
    )


def time_on_steps(events: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Days each municipality spent on each step it reached: until the next step it reached,
    or until ``as_of`` for its current step (``naavaerende``)."""
    dates = ladder_dates(events, as_of).sort("losning", "kommunenummer", "rang")
    nxt = pl.col("dato").shift(-1).over("losning", "kommunenummer")
    return (
        dates.with_columns(til=nxt)
        .with_columns(
            naavaerende=pl.col("til").is_null(),
            til=pl.col("til").fill_null(as_of),
        )
        .with_columns(dager=(pl.col("til") - pl.col("dato")).dt.total_days())
        .select(
            "losning",
            "kommunenummer",
            "trinn",
            pl.col("dato").alias("fra"),
            "til",
            pl.col("dager").cast(pl.Int64),
            "naavaerende",
        )
    )


def adoption_index(municipal: pl.DataFrame) -> pl.DataFrame:
    """How many of the portfolio's solutions each municipality has (at their counted step),
    of those whose scope it is in and that are measured.

    ``municipal`` is ``analysis.metrics.status.municipal_status``. Columns: kommunenummer,
    kommunenavn, fylkesnummer, antall_losninger, mulige_losninger, indeks (share), losninger
    (the solutions it has, sorted).
    """
    data = municipal.filter(pl.col("maalt"))
    return (
        data.group_by("kommunenummer", "kommunenavn", "fylkesnummer")
        .agg(
            pl.col("telles").fill_null(False).sum().cast(pl.Int64).alias("antall_losninger"),
            pl.len().cast(pl.Int64).alias("mulige_losninger"),
            pl.col("losning").filter(pl.col("telles").fill_null(False)).sort().alias("losninger"),
        )
        .with_columns(indeks=pl.col("antall_losninger") / pl.col("mulige_losninger"))
        .sort("kommunenummer")
    )


def stalled(
    events: pl.DataFrame,
    as_of: date,
    months: int = STALL_MONTHS,
    kommuner: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Municipalities that have had a solution tilgjengelig for more than ``months`` months
    on ``as_of`` without taking it into use (i_bruk)."""
    steps = step_dates(events, as_of)
    limit = shift_months(as_of, -months)
    out = steps.filter(
        (pl.col("trinn") == "tilgjengelig") & (pl.col("tilgjengelig_dato") < limit)
    ).select(
        "losning",
        "kommunenummer",
        "tilgjengelig_dato",
        (pl.lit(as_of) - pl.col("tilgjengelig_dato")).dt.total_days().cast(pl.Int64).alias("dager"),
    )
    if kommuner is not None:
        out = out.join(
            kommuner.select("kommunenummer", "kommunenavn", "fylkesnummer", "fylkesnavn"),
            on="kommunenummer",
            how="left",
        )
    return out.sort("losning", pl.col("dager"), "kommunenummer", descending=[False, True, False])


def profile(
    municipal: pl.DataFrame, events: pl.DataFrame, kommunenummer: str, as_of: date
) -> pl.DataFrame:
    """One municipality's portfolio: every activity in its scope with its step and dates."""
    rows = municipal.filter(pl.col("kommunenummer") == kommunenummer).select(
        "losning", "kommunenummer", "telles_trinn", "telles", "maalt"
    )
    dates = step_dates(events.filter(pl.col("kommunenummer") == kommunenummer), as_of)
    return rows.join(dates, on=["losning", "kommunenummer"], how="left").sort("losning")
