"""The adoption ladder: planlagt < tilgjengelig < i_bruk, and when each municipality reached
each step. A higher step implies the lower ones, so every count here is cumulative ("has
reached at least this step")."""

from __future__ import annotations

from datetime import date

import polars as pl

from analysis.steps import TRINN

RANK: dict[str, int] = {step: i + 1 for i, step in enumerate(TRINN)}
EVENT_COLUMNS = ("losning", "kommunenummer", "trinn", "dato")


def ranked_events(events: pl.DataFrame) -> pl.DataFrame:
    """The events with their step's rank on the ladder (``rang``); an unknown step is a bug in
    the caller (ingest rejects them), so it raises rather than being dropped."""
    missing = [c for c in EVENT_COLUMNS if c not in events.columns]
    if missing:
        raise KeyError(f"Hendelsene mangler kolonne(r) {missing}; fant {events.columns}")
    bad = events.filter(~pl.col("trinn").is_in(list(TRINN)))["trinn"].unique().to_list()
    if bad:
        raise ValueError(f"Ukjent trinn {bad}; trinnene er {', '.join(TRINN)}")
    syn = pl.col("syntetisk") if "syntetisk" in events.columns else pl.lit(False)
    return events.select(
        pl.col("losning").cast(pl.String),
        pl.col("kommunenummer").cast(pl.String),
        pl.col("trinn").cast(pl.String),
        pl.col("dato").cast(pl.Date),
        syn.cast(pl.Boolean).fill_null(False).alias("syntetisk"),
    ).with_columns(rang=pl.col("trinn").replace_strict(RANK, return_dtype=pl.Int64))


def ladder_dates(events: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """When each municipality reached each step of each solution, as of a date.

    Reaching a higher step implies the lower ones, so the date of a step is the earliest event
    at that step or above. Columns: losning, kommunenummer, trinn, dato, syntetisk; one row per
    step reached, so the dates rise (weakly) along the ladder.
    """
    ev = ranked_events(events).filter(pl.col("dato") <= as_of)
    parts = []
    for step, rank in RANK.items():
        parts.append(
            ev.filter(pl.col("rang") >= rank)
            .group_by("losning", "kommunenummer")
            .agg(pl.col("dato").min(), pl.col("syntetisk").any())
            .with_columns(trinn=pl.lit(step), rang=pl.lit(rank, pl.Int64))
        )
    return (
        pl.concat(parts)
        .select("losning", "kommunenummer", "trinn", "rang", "dato", "syntetisk")
        .sort("losning", "kommunenummer", "rang")
    )


def steps_at(events: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The highest step each municipality has reached for each solution on ``as_of``.

    Columns: losning, kommunenummer, trinn, siden (when that step was reached), syntetisk
    (any synthetic event behind it).
    """
    dates = ladder_dates(events, as_of)
    return (
        dates.sort("rang")
        .group_by("losning", "kommunenummer")
        .agg(
            pl.col("trinn").last(),
            pl.col("dato").last().alias("siden"),
            pl.col("syntetisk").any(),
        )
        .sort("losning", "kommunenummer")
    )


def ladder_counts(municipal: pl.DataFrame, by: list[str] | None = None) -> pl.DataFrame:
    """Municipalities per step: exactly on it (``paa_trinnet``) and at least on it
    (``minst``), with ``ikke_startet`` as the step below the ladder."""
    keys = ["losning", *(by or [])]
    steps = pl.DataFrame({"trinn": ["ikke_startet", *TRINN], "rang": [0, *RANK.values()]})
    groups = municipal.select(*keys, "maalt").unique()
    exact = (
        municipal.with_columns(pl.col("trinn").fill_null("ikke_startet"))
        .group_by(*keys, "trinn")
        .agg(pl.len().cast(pl.Int64).alias("paa_trinnet"))
    )
    out = (
        groups.join(steps, how="cross")
        .join(exact, on=[*keys, "trinn"], how="left")
        .with_columns(pl.col("paa_trinnet").fill_null(0))
        .sort(*keys, "rang", descending=[*([False] * len(keys)), True])
        .with_columns(minst=pl.col("paa_trinnet").cum_sum().over(keys))
        .sort(*keys, "rang")
    )
    unmeasured = ~pl.col("maalt")
    return out.select(
        *keys,
        "trinn",
        pl.when(unmeasured).then(None).otherwise(pl.col("paa_trinnet")).alias("paa_trinnet"),
        pl.when(unmeasured).then(None).otherwise(pl.col("minst")).alias("minst"),
    )
