"""The municipality table of one division, as the processed ``kommuner`` table holds it."""

from __future__ import annotations

import polars as pl

from analysis.reference.population import population
from analysis.reference.register import division_for, load_register
from analysis.schemas import Kommuner


def municipality_table(year: int) -> pl.DataFrame:
    """Register plus population (1 January of the newest population year) for one division."""
    division = division_for(year)
    df = load_register(division).join(population(division), on="kommunenummer", how="left")
    missing = df.filter(pl.col("befolkning").is_null())["kommunenummer"].to_list()
    if missing:
        raise ValueError(f"Mangler befolkning for {missing} i inndelingen for {division}")
    df = df.with_columns(inndeling=pl.lit(division, pl.Int64)).select(
        list(Kommuner.to_schema().columns)
    )
    return Kommuner.validate(df)
