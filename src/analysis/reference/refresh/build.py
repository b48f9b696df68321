"""Building a division's register and change rows from KLASS, checked against the previous one."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
import shapely

from analysis.reference.name_keys import name_key
from analysis.reference.refresh.names import UNKNOWN_LANGUAGE, norwegian_part, split_name
from analysis.reference.source_answers import KlassChange, KlassCode
from analysis.reference.sources_api import UNCHANGED, RefreshError


@dataclass
class Division:
    """A new division as the rows of its register and change file."""

    year: int
    previous: int
    register: list[dict[str, str]]
    changes: list[dict[str, str]]
    notes: list[str] = field(default_factory=list)

    def change_counts(self) -> Counter[str]:
        """How many codes of the previous division each kind of change touched."""
        kinds = {r["gammelt_nummer"]: r["endring"] for r in self.changes}
        return Counter(kinds.values())


def _mismatch(previous: int, year: int, detail: str) -> RefreshError:
    return RefreshError(
        f"KLASS-endringene fra {previous} til {year} stemmer ikke med kommunene 1.1.{year}: "
        f"ventet at hver kommune i inndelingen for {previous} kan følges til kommuner i {year} "
        f"og omvendt; {detail}. {UNCHANGED}"
    )


def compose_changes(
    previous_codes: Iterable[str], changes: Iterable[KlassChange], start: date, end: date
) -> tuple[dict[str, set[str]], dict[str, date]]:
    """Each previous code's successors over every change date in (start, end], and the last
    date its municipality changed.

    A code that no change mentions carries on; a change with no new code ends one; a change with
    no old code starts one (the caller checks that every new code is reached from the old ones).
    """
    by_date: dict[date, list[KlassChange]] = defaultdict(list)
    for ch in changes:
        if start < ch.occurred <= end:
            by_date[ch.occurred].append(ch)
    successors: dict[str, set[str]] = {c: {c} for c in previous_codes}
    changed_on: dict[str, date] = {}
    for when in sorted(by_date):
        forward: dict[str, set[str]] = defaultdict(set)
        backward: dict[str, set[str]] = defaultdict(set)
        for ch in by_date[when]:
            if ch.old_code is None:
                continue
            targets = forward[ch.old_code]  # a change with no new code ends the old one
            if ch.new_code is not None:
                targets.add(ch.new_code)
                backward[ch.new_code].add(ch.old_code)
        for code, current in successors.items():
            nxt: set[str] = set()
            for c in current:
                targets = forward.get(c, {c})
                nxt |= targets
                if targets != {c} or any(len(backward.get(t, ())) > 1 for t in targets):
                    changed_on[code] = when
            successors[code] = nxt
    return successors, changed_on


def build_division(
    year: int,
    previous: int,
    previous_register: pl.DataFrame,
    codes: Sequence[KlassCode],
    changes: Sequence[KlassChange],
    counties: Mapping[str, str],
    county_keys: Iterable[str],
    *,
    organisation_numbers: Mapping[str, Sequence[str]] | None,
    known_names: Iterable[str] = (),
    languages: Mapping[str, str] | None = None,
) -> Division:
    """The register and change rows of division ``year`` from KLASS, checked against the
    previous register so that every old code maps and every new code is reached."""
    qualifiers = set(county_keys)
    languages = languages or {}
    prev = {r["kommunenummer"]: r for r in previous_register.iter_rows(named=True)}
    new_names = {c.code: c.name for c in codes}
    start, end = date(previous, 1, 1), date(year, 1, 1)
    successors, changed_on = compose_changes(prev, changes, start, end)

    lost = sorted(c for c, t in successors.items() if not t)
    if lost:
        raise _mismatch(previous, year, f"{', '.join(lost)} opphører uten etterfølger")
    reached = set().union(*successors.values())
    unknown = sorted(reached - set(new_names))
    vanished = [c for c in unknown if c in prev]
    if vanished:
        raise _mismatch(
            previous,
            year,
            f"{', '.join(vanished)} finnes ikke 1.1.{year}, og endringene sier ikke hva de ble til",
        )
    if unknown:
        raise _mismatch(
            previous, year, f"endringene peker på {', '.join(unknown)}, som ikke finnes 1.1.{year}"
        )
    orphans = sorted(set(new_names) - reached)
    if orphans:
        raise _mismatch(previous, year, f"{', '.join(orphans)} har ingen forgjenger")

    sources: dict[str, set[str]] = defaultdict(set)
    for old, targets in successors.items():
        for t in targets:
            sources[t].add(old)

    notes: list[str] = []
    known = list(known_names)
    register_rows: list[dict[str, str]] = []
    norsk_of: dict[str, str] = {}
    for code in sorted(new_names):
        parts = split_name(new_names[code], qualifiers)
        preferred = [prev[s]["kommunenavn_norsk"] for s in sorted(sources[code])]
        norsk, guessed = norwegian_part(parts, preferred, known)
        if guessed:
            notes.append(f"{code}: norsk navn antatt å være {norsk!r} ut fra {new_names[code]!r}")
        norsk_of[code] = norsk
        parallel = [p for p in parts if p != norsk]
        county = code[:2]
        if county not in counties:
            raise RefreshError(
                f"Kommune {code} {norsk} hører til fylke {county}, som mangler i KLASS 104 "
                f"1.1.{year}; ventet et fylke for hvert kommunenummer. {UNCHANGED}"
            )
        orgnr = _organisation_number(
            code, sources[code], successors, prev, organisation_numbers, notes
        )
        register_rows.append(
            {
                "kommunenummer": code,
                "kommunenavn": parts[0],
                "kommunenavn_norsk": norsk,
                "parallelle_navn": "|".join(
                    f"{p}:{languages.get(name_key(p), UNKNOWN_LANGUAGE)}" for p in parallel
                ),
                "fylkesnummer": county,
                "fylkesnavn": counties[county],
                "organisasjonsnummer": orgnr,
                f"kommunenummer_{year - 1}": "|".join(sorted(sources[code])),
            }
        )

    change_rows: list[dict[str, str]] = []
    for old in sorted(successors):
        ordered = sorted(successors[old])
        for new in ordered:
            if len(ordered) > 1:
                kind = "deling"
            elif len(sources[new]) > 1:
                kind = "sammenslaing"
            elif new == old:
                kind = "uendret"
            else:
                kind = "nytt_nummer"
            when = changed_on.get(old, end) if kind != "uendret" else end
            change_rows.append(
                {
                    "gammelt_nummer": old,
                    "gammelt_navn": prev[old]["kommunenavn_norsk"],
                    "nytt_nummer": new,
                    "nytt_navn": norsk_of[new],
                    "gyldig_fra": when.isoformat(),
                    "endring": kind,
                }
            )
    return Division(year, previous, register_rows, change_rows, notes)


def _organisation_number(
    code: str,
    sources: set[str],
    successors: Mapping[str, set[str]],
    prev: Mapping[str, Mapping[str, Any]],
    organisation_numbers: Mapping[str, Sequence[str]] | None,
    notes: list[str],
) -> str:
    if organisation_numbers is not None:
        found = sorted(set(organisation_numbers.get(code, ())))
        if len(found) > 1:
            notes.append(f"{code}: flere organisasjonsnummer i KLASS ({', '.join(found)}); tomt")
        return found[0] if len(found) == 1 else ""
    # Without the correspondence, a municipality that is only renumbered keeps its number.
    if len(sources) == 1:
        (old,) = sources
        if successors[old] == {code}:
            return str(prev[old]["organisasjonsnummer"] or "")
    return ""


def simplify_boundaries(
    areas: Mapping[str, shapely.Geometry], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Simplified municipality features, made the same way as the embedded boundaries."""
    from analysis.reference.geometry import simplify_features

    return simplify_features([(c, names[c], areas[c]) for c in sorted(areas)])
