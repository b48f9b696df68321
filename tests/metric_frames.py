"""Small hand-made frames for the metric tests; the expected answers are worked out by hand in
the tests that use them.

Six municipalities in two counties (01: 0001-0003, 02: 0004-0006), populations 100..600
(total 2100). Activities: ``a`` counts i_bruk, ``b`` counts tilgjengelig, ``c`` counts i_bruk
in the narrow scope {0004, 0005}, ``m`` is measured by message versions and has no data.
"""

from __future__ import annotations

from datetime import date

import polars as pl

KOMMUNER = pl.DataFrame(
    {
        "kommunenummer": ["0001", "0002", "0003", "0004", "0005", "0006"],
        "kommunenavn": ["En", "To", "Tre", "Fire", "Fem", "Seks"],
        "fylkesnummer": ["01", "01", "01", "02", "02", "02"],
        "fylkesnavn": ["Vest", "Vest", "Vest", "Øst", "Øst", "Øst"],
        "befolkning": [100, 200, 300, 400, 500, 600],
    }
)

ACTS = pl.DataFrame(
    {
        "losning": ["a", "b", "c", "m"],
        "navn": ["A", "B", "C", "M"],
        "telles_trinn": ["i_bruk", "tilgjengelig", "i_bruk", "i_bruk"],
        "omfang_id": ["alle", "alle", "smal", "alle"],
        "frist": [date(2023, 12, 31)] * 4,
        "maal": ["adopsjon", "adopsjon", "adopsjon", "meldingsversjon"],
        "merknad": [None] * 4,
    },
    schema_overrides={"merknad": pl.String},
)

SCOPES = pl.DataFrame(
    {
        "omfang_id": ["alle"] * 6 + ["smal"] * 2,
        "kommunenummer": ["0001", "0002", "0003", "0004", "0005", "0006", "0004", "0005"],
    }
)

_EVENTS = [
    ("a", "0001", "planlagt", date(2022, 1, 10)),
    ("a", "0001", "tilgjengelig", date(2022, 3, 1)),
    ("a", "0001", "i_bruk", date(2022, 6, 15)),
    ("a", "0002", "i_bruk", date(2023, 2, 1)),
    ("a", "0004", "tilgjengelig", date(2022, 5, 1)),
    ("a", "0007", "i_bruk", date(2022, 1, 1)),  # not one of the municipalities
    ("b", "0003", "tilgjengelig", date(2023, 1, 31)),
    ("b", "0005", "i_bruk", date(2023, 3, 1)),
    ("b", "0006", "planlagt", date(2023, 1, 1)),
    ("c", "0001", "i_bruk", date(2022, 1, 1)),  # outside c's scope
    ("c", "0004", "i_bruk", date(2023, 4, 1)),
]
EVENTS = pl.DataFrame(
    _EVENTS, schema=["losning", "kommunenummer", "trinn", "dato"], orient="row"
).with_columns(syntetisk=pl.lit(False))

AMBITIONS = pl.DataFrame({"losning": ["a", "b", "c", "m"], "ambisjon": [4, 3, 1, 6]})

AS_OF = date(2023, 3, 31)


PORTFOLIO_IDS = [
    "skattedata",
    "kjernejournal",
    "digihelsestasjon",
    "helseplattformen",
    "vkp",
    "meldinger",
    "digihelse",
]


def portfolio_ambitions(ambisjon: list[int]) -> pl.DataFrame:
    """An ``ambisjoner`` table (processed schema) for the seven real activity ids, 2.1-2.7,
    with the given ambitions and no published status, from the 2023 portfolio."""
    n = len(PORTFOLIO_IDS)
    return pl.DataFrame(
        {
            "losning": PORTFOLIO_IDS,
            "portefolje_aar": [2023] * n,
            "nr": [f"2.{i}" for i in range(1, n + 1)],
            "aktivitet": PORTFOLIO_IDS,
            "innsatsomrade": ["x"] * n,
            "eier": [None] * n,
            "tidsramme": [None] * n,
            "ambisjon": ambisjon,
            "status_publisert": [None] * n,
            "status_dato": [None] * n,
            "omfang": ["alle kommuner"] * n,
            "merknad": [None] * n,
            "kilde": ["test"] * n,
            "syntetisk": [False] * n,
        },
        schema_overrides={
            "eier": pl.String,
            "tidsramme": pl.String,
            "status_publisert": pl.Int64,
            "status_dato": pl.Date,
            "merknad": pl.String,
        },
    )
