"""Names: the Norwegian and parallel parts of a KLASS name, and the counties of a year."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from analysis.reference import register
from analysis.reference.name_keys import name_key
from analysis.reference.source_answers import KlassCode

REGISTER_FILE = "kommuner.csv"


NAME_SEPARATOR = re.compile(r"\s+[-–]\s+")


QUALIFIER = re.compile(r"^(?P<name>.+?)\s*\((?P<qualifier>[^()]+)\)\s*$")


# Letters of the Sámi orthographies that Norwegian names do not use.
SAMI_LETTERS = frozenset("áčđŋšŧžïäöâ")


UNKNOWN_LANGUAGE = "unknown"


def split_name(name: str, county_keys: Iterable[str] = ()) -> list[str]:
    """The parts of a KLASS name, without a county qualifier ("Herøy (Nordland)")."""
    keys = set(county_keys)
    m = QUALIFIER.match(name)
    if m and name_key(m["qualifier"]) in keys:
        name = m["name"]
    return [p.strip() for p in NAME_SEPARATOR.split(name.strip()) if p.strip()]


def norwegian_part(
    parts: Sequence[str], preferred: Iterable[str] = (), known: Iterable[str] = ()
) -> tuple[str, bool]:
    """The Norwegian name among a name's parts, and whether it had to be guessed.

    ``preferred`` holds the Norwegian names of the municipality's predecessors, ``known`` every
    Norwegian name of the earlier registers; a name neither settles is the one part without
    Sámi letters, else the first part (SSB puts the Norwegian name first for most).
    """
    if len(parts) == 1:
        return parts[0], False
    for names in (preferred, known):
        keys = {name_key(n) for n in names}
        hits = [p for p in parts if name_key(p) in keys]
        if len(hits) == 1:
            return hits[0], False
    plain = [p for p in parts if not set(p.casefold()) & SAMI_LETTERS]
    return (plain[0] if len(plain) == 1 else parts[0]), True


def klass_county_names(
    codes: Sequence[KlassCode], fylker: pl.DataFrame, used: Iterable[str]
) -> tuple[dict[str, str], list[str]]:
    """Norwegian name of each county that has municipalities, and notes on guessed names."""
    used = set(used)
    earlier: dict[str, list[str]] = defaultdict(list)
    for code, name in fylker.select("fylkesnummer", "fylkesnavn").iter_rows():
        earlier[code].append(name)
    known = list(fylker["fylkesnavn"])
    names, notes = {}, []
    for c in codes:
        if c.code not in used:
            continue
        norsk, guessed = norwegian_part(split_name(c.name), earlier.get(c.code, ()), known)
        if guessed:
            notes.append(f"fylke {c.code}: norsk navn antatt å være {norsk!r} ut fra {c.name!r}")
        names[c.code] = norsk
    return names, notes


def update_counties(
    fylker: pl.DataFrame, counties: Mapping[str, str], year: int
) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows of fylker.csv once the counties of ``year`` are ``counties``: a new or renamed
    county gets a row from ``year``, a county that is gone (or renamed) ends the year before."""
    rows = [dict(r) for r in fylker.iter_rows(named=True)]
    current = {r["fylkesnummer"]: r for r in rows if r["til_aar"] is None and r["fra_aar"] <= year}
    notes = []
    for code, name in sorted(counties.items()):
        row = current.get(code)
        if row is not None and name_key(row["fylkesnavn"]) == name_key(name):
            continue
        if row is not None:
            row["til_aar"] = year - 1
            notes.append(f"fylke {code} {row['fylkesnavn']} heter {name} fra {year}")
        else:
            notes.append(f"nytt fylke {code} {name} fra {year}")
        rows.append({"fylkesnummer": code, "fylkesnavn": name, "fra_aar": year, "til_aar": None})
    for code, row in current.items():
        if code not in counties:
            row["til_aar"] = year - 1
            notes.append(f"fylke {code} {row['fylkesnavn']} finnes ikke fra {year}")
    return rows, notes


def parallel_languages(reference_dir: Path) -> dict[str, str]:
    """Language of each parallel name the committed registers give one for."""
    out: dict[str, str] = {}
    for path in sorted(reference_dir.glob("[0-9]*/" + REGISTER_FILE)):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                for item in (row.get("parallelle_navn") or "").split("|"):
                    name, _, language = item.partition(":")
                    if name and language and language != UNKNOWN_LANGUAGE:
                        out[name_key(name)] = language
    return out


def known_norwegian_names() -> list[str]:
    names: list[str] = []
    for div in register.division_years():
        names += register.load_register(div)["kommunenavn_norsk"].to_list()
    return names


def read_counties(path: Path) -> pl.DataFrame:
    return pl.read_csv(
        path,
        schema={
            "fylkesnummer": pl.String,
            "fylkesnavn": pl.String,
            "fra_aar": pl.Int64,
            "til_aar": pl.Int64,
        },
    )
