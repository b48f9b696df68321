"""Municipality codes from before the 2019 division (2006-2019), carried to their 2019 code.

The divisions the crosswalk knows start in 2019; lists kept for years still name Stokke,
Tjøme or Frei. ``data/raw/reference/endringer_2006-2019.csv`` (SSB KLASS 131 changes, with
its sources in ``endringer_2006-2019.source.md``) holds every code change from 2006 to 2019;
following a code's chain ends in a code of the 2019 division, from where the crosswalk goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import polars as pl

from analysis import config
from analysis.reference.register import DivisionError

HISTORY_FILE = "endringer_2006-2019.csv"
COLUMNS = ("gammelt_nummer", "gammelt_navn", "nytt_nummer", "nytt_navn", "gyldig_fra", "endring")


@dataclass(frozen=True)
class FormerMunicipality:
    """One code of before 2019: its name, its 2019 code and when it last changed."""

    kommunenummer: str
    kommunenavn: str
    code_2019: str
    changed: date  # when it was merged, or else when it last got a new code
    merged: bool  # the municipality was merged into another (not only renumbered)


@cache
def load_history() -> pl.DataFrame:
    """The committed 2006-2019 changes (empty when the file is absent)."""
    path = config.REFERENCE_DIR / HISTORY_FILE
    schema = {c: pl.String for c in COLUMNS}
    if not path.exists():
        return pl.DataFrame(schema=schema)
    df = pl.read_csv(path, infer_schema=False)
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise DivisionError(f"{path}: mangler kolonne(r) {missing}; fant {df.columns}")
    dupes = df.filter(pl.col("gammelt_nummer").is_duplicated())["gammelt_nummer"].to_list()
    if dupes:
        raise DivisionError(f"{path}: kommunenummer {sorted(set(dupes))} endres flere ganger")
    return df.select(COLUMNS)


@cache
def former_municipalities() -> dict[str, FormerMunicipality]:
    """Every code of 2006-2018 that changed, with the 2019 code its chain ends in."""
    rows = {r["gammelt_nummer"]: r for r in load_history().iter_rows(named=True)}
    out: dict[str, FormerMunicipality] = {}
    for code, row in rows.items():
        current, merged, when = row, row["endring"] == "sammenslaing", row["gyldig_fra"]
        seen = {code}
        while current["nytt_nummer"] in rows:  # 1723 Mosvik -> 1756 Inderøy -> 5053 Inderøy
            current = rows[current["nytt_nummer"]]
            if current["gammelt_nummer"] in seen:
                raise DivisionError(f"{HISTORY_FILE}: kjeden fra {code} går i ring")
            seen.add(current["gammelt_nummer"])
            if not merged:  # a merger's date, else the last renumbering's
                merged = current["endring"] == "sammenslaing"
                when = current["gyldig_fra"]
        out[code] = FormerMunicipality(
            code, row["gammelt_navn"], current["nytt_nummer"], date.fromisoformat(when), merged
        )
    return out


def clear_history_caches() -> None:
    for fn in (load_history, former_municipalities):
        fn.cache_clear()
