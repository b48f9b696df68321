"""The resolver's lookups, built once per division from the committed register.

Names and codes come from the register, never from branches in code; building them is the
slow part, so each table is cached here (per division) and shared by every resolver.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from analysis.reference import history
from analysis.reference.crosswalk import translate
from analysis.reference.name_keys import folded_key, name_key
from analysis.reference.register import counties, division_years, load_register


@dataclass
class NameIndex:
    """Lookups for one division: keys to codes, with how each key was made."""

    exact: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    alias: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    folded: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    orgnr: dict[str, str] = field(default_factory=dict)
    codes: set[str] = field(default_factory=set)
    display: dict[str, str] = field(default_factory=dict)  # every name form -> code, for fuzzy
    names: dict[str, str] = field(default_factory=dict)  # code -> Norwegian name


def _build_index(division: int) -> NameIndex:
    idx = NameIndex()
    for row in load_register(division).iter_rows(named=True):
        code = row["kommunenummer"]
        idx.codes.add(code)
        idx.names[code] = row["kommunenavn_norsk"]
        official = {row["kommunenavn"], row["kommunenavn_norsk"]}
        parallel = set(row["parallelle_navn"] or [])
        for n in official:
            idx.exact[name_key(n)].add(code)
        forms = official | parallel
        if parallel:
            ordered = [row["kommunenavn"], *sorted(forms - {row["kommunenavn"]})]
            forms.add(" - ".join(ordered))
        for n in forms:
            if name_key(n) not in idx.exact:
                idx.alias[name_key(n)].add(code)
            idx.folded[folded_key(n)].add(code)
            idx.display[n] = code
        if row["organisasjonsnummer"]:
            idx.orgnr[row["organisasjonsnummer"]] = code
    return idx


@cache
def division_index(division: int) -> NameIndex:
    return _build_index(division)


@cache
def fuzzy_choices(division: int) -> tuple[list[str], list[str], list[str]]:
    """Every name form of a division as (folded keys, names, codes), for fuzzy search."""
    idx = division_index(division)
    names = list(idx.display)
    return [folded_key(n) for n in names], names, [idx.display[n] for n in names]


@cache
def _county_lineage() -> dict[str, dict[int, set[str]]]:
    """Per division, each code's county keys in every division it has lived in.

    Lets "Våler (Østfold)" find 2023's 3018 (Viken), which was in Østfold before 2020 and after
    2024.
    """
    county_rows = counties().iter_rows(named=True)
    county_key: dict[tuple[str, int], set[str]] = defaultdict(set)
    for r in county_rows:
        start, end = r["fra_aar"], r["til_aar"] or 9999
        for div in division_years():
            if start <= div <= end:
                county_key[(r["fylkesnummer"], div)] |= {
                    name_key(r["fylkesnavn"]),
                    r["fylkesnummer"],
                }
    out: dict[str, dict[int, set[str]]] = {}
    years = division_years()
    for target in years:
        per_code: dict[int, set[str]] = {}
        for code in load_register(target)["kommunenummer"]:
            keys = set(county_key[(code[:2], target)])
            for other in years:
                if other == target:
                    continue
                for c in translate(code, target, other).targets:
                    keys |= county_key[(c[:2], other)]
            per_code[int(code)] = keys
        out[str(target)] = per_code
    return out


def county_keys(code: str, division: int) -> set[str]:
    """The county names and numbers ``code`` of ``division`` has belonged to."""
    return _county_lineage()[str(division)].get(int(code), set())


@cache
def history_names() -> dict[str, tuple[history.FormerMunicipality, ...]]:
    """Name key -> the 2006-2018 municipalities of that name (Stokke, Tjøme, Frei ...)."""
    out: dict[str, list[history.FormerMunicipality]] = defaultdict(list)
    for old in history.former_municipalities().values():
        out[name_key(old.kommunenavn)].append(old)
    return {k: tuple(v) for k, v in out.items()}


def clear_index_caches() -> None:
    """Forget every division's lookups (after the register is refreshed)."""
    history.clear_history_caches()
    for fn in (division_index, fuzzy_choices, _county_lineage, history_names):
        fn.cache_clear()
