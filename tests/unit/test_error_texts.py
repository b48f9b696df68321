"""Errors from the libraries the CLI uses end as one line in bokmål."""

from __future__ import annotations

from datetime import date

import pandera.errors as pa_errors
import polars as pl
import pytest

from analysis import schemas
from analysis.errors import schema_error_text


def _events() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "kilde_id": ["x"],
            "losning": ["digihelse"],
            "kommunenummer": ["4601"],
            "trinn": ["i_bruk"],
            "dato": [date(2023, 1, 1)],
            "syntetisk": [False],
            "rad": [2],
            "kommune_inndata": ["Bergen"],
            "treff": ["exact"],
        }
    )


@pytest.mark.parametrize("lazy", [False, True])
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda df: df.drop("treff"), "mangler kolonnen 'treff'"),
        (
            lambda df: df.with_columns(pl.col("rad").cast(pl.Int32)),
            "kolonnen 'rad' har typen Int32, skal være Int64",
        ),
        (
            lambda df: df.with_columns(treff=pl.lit("fuzzy")),
            "kolonnen 'treff' har verdier som ikke er tillatt (for eksempel 'fuzzy')",
        ),
    ],
)
def test_pandera_errors_in_bokmal(change: object, expected: str, lazy: bool) -> None:
    schemas.Adopsjon.validate(_events())  # the unchanged frame is valid
    with pytest.raises((pa_errors.SchemaError, pa_errors.SchemaErrors)) as info:
        schemas.Adopsjon.validate(change(_events()), lazy=lazy)  # type: ignore[operator]
    text = schema_error_text(info.value)
    assert text == expected
    assert "\n" not in text
