"""Population per municipality (SSB table 07459, 1 January), in any division.

The committed file for a year lies at ``data/raw/reference/<year>/befolkning.csv`` in that
year's division; ``befolkning.source.md`` beside it says where it comes from. Other divisions
are reached through the crosswalk, which sums folded municipalities and refuses to guess a split.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from analysis import config
from analysis.reference.crosswalk import express
from analysis.reference.register import DivisionError, division_for, division_years


@cache
def population_years() -> tuple[int, ...]:
    """Years with a population file (1 January of that year)."""
    return tuple(
        y for y in division_years() if (config.REFERENCE_DIR / str(y) / "befolkning.csv").exists()
    )


def _read_population(year: int) -> pl.DataFrame:
    path = config.REFERENCE_DIR / str(year) / "befolkning.csv"
    df = pl.read_csv(path, schema_overrides={"kommunenummer": pl.String, "befolkning": pl.Int64})
    missing = {"kommunenummer", "befolkning"} - set(df.columns)
    if missing:
        raise DivisionError(f"{path}: mangler kolonne(r) {sorted(missing)}; fant {df.columns}")
    if df["befolkning"].null_count() or (df["befolkning"] < 0).any():
        raise DivisionError(f"{path}: befolkning mangler eller er negativ")
    return df.select("kommunenummer", "befolkning")


@cache
def population(division_year: int, reference_year: int | None = None) -> pl.DataFrame:
    """Population on 1 January ``reference_year`` (default: the newest that fits), expressed in
    the division of ``division_year``. Columns: kommunenummer, befolkning, befolkning_dato."""
    years = population_years()
    if not years:
        raise DivisionError("Ingen befolkningstall i referansedataene")
    if reference_year is None:
        # The newest population that can be expressed in the division: a later merger or
        # split does not take an earlier report year's population away.
        errors = []
        for ref in sorted(years, reverse=True):
            try:
                return population(division_year, ref)
            except DivisionError as exc:
                errors.append(str(exc))
        raise DivisionError(errors[0])
    ref = reference_year
    if ref not in years:
        raise DivisionError(f"Ingen befolkningstall for 1.1.{ref}; har {list(years)}")
    df = express(_read_population(ref), ref, division_year, sum_cols=["befolkning"])
    split = df.filter(pl.col("kommunenummer").is_null())
    if split.height:
        raise DivisionError(
            f"Befolkningen for 1.1.{ref} kan ikke uttrykkes i inndelingen for "
            f"{division_for(division_year)}: {split['delingsmerknad'].to_list()}"
        )
    return df.select(
        "kommunenummer", "befolkning", befolkning_dato=pl.lit(f"{ref}-01-01").str.to_date()
    )
