"""The divisions the example is written in, and the one seeded draw of all example data."""

from __future__ import annotations

import numpy as np
import polars as pl

from analysis.example_data.adoption import generate_adoption
from analysis.example_data.extension import child_stream, extend_adoption
from analysis.example_data.messages import generate_messages
from analysis.example_data.params import (
    DEFAULT_SEED,
    DIVISION_YEAR,
    EXTENSION_DIVISION_YEAR,
    EXTENSION_STREAM,
    POPULATION_YEAR,
    Example,
)


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


def generate(seed: int = DEFAULT_SEED) -> Example:
    """All example data for one seed, in canonical form."""
    rng = np.random.Generator(np.random.PCG64(seed))
    muni = municipalities()
    state: dict[str, object] = {}
    adoption, maturity = generate_adoption(rng, muni, state)
    messages = generate_messages(rng, muni, maturity)
    extension = extend_adoption(child_stream(seed, EXTENSION_STREAM), muni, state)
    return Example(seed, muni, adoption, messages, extension, municipalities_2024())
