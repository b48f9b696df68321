"""`ehelse refresh-reference --year YYYY`: a new year's municipal division, population and
boundaries from SSB and Kartverket, written under ``data/raw/reference/<year>/`` in exactly the
form the reference layer already reads, so the register, the crosswalk, population and the
resolver use the new division with no change to code.

The refresh is all or nothing. Everything is fetched and checked first; the files are then
written into a copy of the reference folder, which the reference layer itself must read back
(register, change file, crosswalk from the previous division, population); only then are the new
year's folder, ``fylker.csv`` and the catalogue entries moved into place. Offline, on an HTTP
error or on an answer of the wrong shape, one line says why and nothing has changed.

What is written for year Y (previous division P, the newest one before Y):

* ``Y/kommuner.csv``: KLASS 131 on 1 January Y. SSB writes Sámi and Kven names together
  ("Porsanger - Porsáŋgu - Porsanki") and qualifies names that occur twice ("Herøy (Nordland)");
  the first part becomes ``kommunenavn`` as in the 2024 register, the Norwegian part
  ``kommunenavn_norsk`` (recognised from the earlier registers; a guess is reported), the other
  parts ``parallelle_navn`` with the language earlier registers gave them. Organisation numbers
  come from KLASS correspondence 582 -> 131; without one, they carry over where the
  municipality is unchanged or only renumbered.
* ``Y/endringer.csv``: KLASS 131 changes since P, composed over every change date in between,
  mapping every code of P (``uendret`` where nothing happened, so an unchanged division gives
  a file of ``uendret`` only).
* ``Y/befolkning.csv``: table 07459, persons on 1 January Y, summed over sex and age by SSB.
* ``Y/kommuner.geojson``: kommuneinfo areas, simplified with the method of the report's map
  layer (``analysis.reference.geometry``).
* ``fylker.csv``: counties from KLASS 104 that are new or renamed in Y are appended, counties
  that are gone are closed.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import shapely
import yaml

from analysis import config
from analysis.reference import boundaries, register, resolve
from analysis.reference.crosswalk import _edges, crosswalk
from analysis.reference.population import population as population_in
from analysis.reference.population import population_years
from analysis.reference.register import DivisionError
from analysis.reference.resolve import name_key
from analysis.reference.sources_api import (
    COUNTIES,
    KOMMUNEINFO,
    MUNICIPALITIES,
    ORGANISATION_NUMBERS,
    POPULATION_TABLE,
    UNCHANGED,
    Fetched,
    HttpStatusError,
    KlassChange,
    KlassCode,
    RefreshError,
    SourceClient,
    klass_changes,
    klass_codes_at,
    klass_corresponds_at,
    kommuneinfo_area,
    parse_area,
    parse_changes,
    parse_codes,
    parse_correspondence,
    parse_jsonstat_values,
    pxweb_population,
)

# SSB codes outside the municipal division: 21 Svalbard, 22 Jan Mayen, 23 the continental
# shelf, 99 unknown ("Uoppgitt"). KLASS lists some of them; no population or boundary exists.
NON_MUNICIPAL_PREFIXES = ("21", "22", "23", "99")
NAME_SEPARATOR = re.compile(r"\s+[-–]\s+")
QUALIFIER = re.compile(r"^(?P<name>.+?)\s*\((?P<qualifier>[^()]+)\)\s*$")
# Letters of the Sámi orthographies that Norwegian names do not use.
SAMI_LETTERS = frozenset("áčđŋšŧžïäöâ")
UNKNOWN_LANGUAGE = "unknown"
MAX_GEOJSON_BYTES = 1_000_000

REGISTER_FILE = "kommuner.csv"
CHANGES_FILE = "endringer.csv"
POPULATION_FILE = "befolkning.csv"
BOUNDARY_FILE = "kommuner.geojson"
PROVENANCE_FILE = "refresh.source.md"
COUNTY_FILE = "fylker.csv"
CHANGE_COLUMNS = ["gammelt_nummer", "gammelt_navn", "nytt_nummer", "nytt_navn", "gyldig_fra"]


# -- names -----------------------------------------------------------------------------------


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


# -- counties --------------------------------------------------------------------------------


def county_names(
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


# -- the division ----------------------------------------------------------------------------


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


def _languages(reference_dir: Path) -> dict[str, str]:
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


# -- files -----------------------------------------------------------------------------------


def _csv_text(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" if row.get(c) is None else row[c] for c in columns})
    return buf.getvalue()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")


def simplify_boundaries(
    areas: Mapping[str, shapely.Geometry], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Simplified municipality features, made the same way as the embedded boundaries."""
    from analysis.reference.geometry import simplify_features

    return simplify_features([(c, names[c], areas[c]) for c in sorted(areas)])


# -- the catalogue ---------------------------------------------------------------------------

_ENTRY = re.compile(r"^  - id:\s*['\"]?(?P<id>[^'\"\s]+)")


def _entry_block(entry: Mapping[str, Any]) -> list[str]:
    text = yaml.safe_dump(
        [dict(entry)], allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False
    )
    return ["  " + line for line in text.splitlines()]


def update_catalogue(text: str, entries: Sequence[Mapping[str, Any]]) -> str:
    """The catalogue with ``entries`` replacing those of the same id, or appended to
    ``sources``; every other line (comments included) is kept as it was."""
    lines = text.splitlines()
    wanted = {str(e["id"]): e for e in entries}
    try:
        start = lines.index("sources:")
    except ValueError:
        lines += ["sources:"]
        start = len(lines) - 1
    end = start + 1
    while end < len(lines) and (not lines[end] or lines[end].startswith((" ", "#"))):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    out = lines[: start + 1]
    done: set[str] = set()
    i = start + 1
    while i < end:
        m = _ENTRY.match(lines[i])
        j = i + 1
        while j < end and not _ENTRY.match(lines[j]):
            j += 1
        if m and m["id"] in wanted:
            out += _entry_block(wanted[m["id"]])
            done.add(m["id"])
        else:
            out += lines[i:j]
        i = j
    for key, entry in wanted.items():
        if key not in done:
            out += _entry_block(entry)
    out += lines[end:]
    new_text = "\n".join(out) + "\n"
    _check_catalogue(text, new_text, wanted)
    return new_text


def _check_catalogue(old: str, new: str, wanted: Mapping[str, Mapping[str, Any]]) -> None:
    """Refuse an edit that lost, changed or duplicated any other entry."""

    def sources(text: str) -> list[dict[str, Any]]:
        data = yaml.safe_load(text) or {}
        items = data.get("sources") if isinstance(data, dict) else None
        return list(items or [])

    try:
        before, after = sources(old), sources(new)
    except yaml.YAMLError as exc:
        raise RefreshError(
            f"{config.CATALOGUE}: kunne ikke oppdatere katalogen ({_first_line(exc)}). {UNCHANGED}"
        ) from exc
    others_before = [e for e in before if str(e.get("id")) not in wanted]
    others_after = [e for e in after if str(e.get("id")) not in wanted]
    mine = Counter(str(e.get("id")) for e in after if str(e.get("id")) in wanted)
    if others_before != others_after or any(mine[k] != 1 for k in wanted):
        raise RefreshError(
            f"{config.CATALOGUE}: oppdateringen av katalogen ville endret andre oppføringer; "
            f"ventet én oppføring per id under sources. {UNCHANGED}"
        )


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# -- the refresh -----------------------------------------------------------------------------


@dataclass
class RefreshResult:
    """What a refresh wrote, for the command's summary and for tests."""

    year: int
    previous: int
    folder: Path
    municipalities: int
    change_counts: dict[str, int]
    population_total: int | None
    boundaries: int | None
    boundary_bytes: int | None
    county_notes: list[str]
    notes: list[str]

    def summary(self) -> str:
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(self.change_counts.items()))
        parts = [
            f"Skrev kommuneinndelingen for {self.year} til {self.folder}: "
            f"{self.municipalities} kommuner; endringer fra {self.previous}: {counts}."
        ]
        if self.population_total is not None:
            total = f"{self.population_total:,}".replace(",", "\u00a0")
            parts.append(f"Befolkning 1.1.{self.year}: {total}.")
        if self.boundaries is not None and self.boundary_bytes is not None:
            parts.append(
                f"Kommunegrenser: {self.boundaries} kommuner, {self.boundary_bytes / 1e6:.2f} MB."
            )
        parts += [f"Fylker: {n}." for n in self.county_notes]
        parts += [f"Merk: {n}." for n in self.notes]
        return "\n".join(parts)


def clear_reference_caches() -> None:
    """Make a running process see the reference folder as it now is."""
    register.clear_caches()
    resolve.clear_caches()
    boundaries.clear_cache()
    for fn in (
        _edges,
        crosswalk,
        population_years,
        population_in,
    ):
        fn.cache_clear()


def _previous_division(year: int, force: bool) -> int:
    years = register.division_years()
    newest = max(years)
    folder = config.REFERENCE_DIR / str(year)
    if year < newest or year <= register.PACKAGE_DIVISION:
        raise RefreshError(
            f"Kan bare hente en inndeling etter den nyeste ({newest}); {year} ville brutt "
            f"kjeden av endringsfiler. {UNCHANGED}"
        )
    if folder.exists() and not force:
        raise RefreshError(
            f"{folder} finnes allerede; bruk --force for å hente {year} på nytt. {UNCHANGED}"
        )
    return max(y for y in years if y < year)


@dataclass
class _Fetched:
    counties: list[KlassCode]
    codes: list[KlassCode]
    changes: list[KlassChange]
    organisation_numbers: dict[str, list[str]] | None
    population: dict[str, int] | None
    areas: dict[str, shapely.Geometry] | None
    urls: dict[str, str]
    notes: list[str]


def _municipal(codes: Iterable[KlassCode], digits: int) -> list[KlassCode]:
    return [
        c
        for c in codes
        if re.fullmatch(rf"\d{{{digits}}}", c.code)
        and not c.code.startswith(NON_MUNICIPAL_PREFIXES)
    ]


def _fetch(
    client: SourceClient,
    year: int,
    previous: int,
    *,
    population: bool,
    boundaries: bool,
    progress: Callable[[str], None],
) -> _Fetched:
    day = date(year, 1, 1)
    urls: dict[str, str] = {}
    notes: list[str] = []

    def keep(key: str, fetched: Fetched) -> Fetched:
        urls[key] = fetched.url
        return fetched

    progress(f"Henter kommuneinndelingen 1.1.{year} fra SSB KLASS …")
    counties = _municipal(parse_codes(keep("fylker", klass_codes_at(client, COUNTIES, day))), 2)
    codes = _municipal(
        parse_codes(keep("kommuner", klass_codes_at(client, MUNICIPALITIES, day))), 4
    )
    if not codes:
        raise RefreshError(
            f"KLASS 131 ga ingen kommuner for 1.1.{year}; ventet kommunenummer med fire sifre. "
            f"{UNCHANGED}"
        )
    dupes = sorted(k for k, n in Counter(c.code for c in codes).items() if n > 1)
    if dupes:
        raise RefreshError(
            f"KLASS 131 ga kommunenummer {', '.join(dupes)} flere ganger for 1.1.{year}. "
            f"{UNCHANGED}"
        )
    changes = parse_changes(
        keep(
            "endringer",
            klass_changes(client, MUNICIPALITIES, date(previous, 1, 1), date(year, 1, 2)),
        )
    )
    try:
        orgnr: dict[str, list[str]] | None = parse_correspondence(
            keep(
                "organisasjonsnummer",
                klass_corresponds_at(client, ORGANISATION_NUMBERS, MUNICIPALITIES, day),
            )
        )
    except HttpStatusError as exc:
        if exc.status != 404:
            raise
        orgnr = None
        notes.append(
            f"KLASS har ingen korrespondanse {ORGANISATION_NUMBERS}–{MUNICIPALITIES} for "
            f"1.1.{year}; organisasjonsnummer er ført videre der kommunen er uendret eller bare "
            "har fått nytt nummer, ellers tomme"
        )
    pop: dict[str, int] | None = None
    if population:
        progress(f"Henter befolkningen 1.1.{year} fra SSB (tabell {POPULATION_TABLE}) …")
        fetched = keep("befolkning", pxweb_population(client, [c.code for c in codes], year))
        values = parse_jsonstat_values(
            fetched, "Region", {"ContentsCode": "Personer1", "Tid": str(year)}
        )
        missing = sorted(c.code for c in codes if values.get(c.code) is None)
        if missing:
            raise RefreshError(
                f"Tabell {POPULATION_TABLE} mangler befolkning 1.1.{year} for "
                f"{', '.join(missing[:10])}; ventet et tall for hver kommune. {UNCHANGED}"
            )
        bad = sorted(c.code for c in codes if _not_a_count(values[c.code]))
        if bad:
            raise RefreshError(
                f"Tabell {POPULATION_TABLE} ga ugyldig befolkning for {', '.join(bad[:10])}; "
                f"ventet hele, ikke-negative tall. {UNCHANGED}"
            )
        pop = {c.code: int(values[c.code] or 0) for c in codes}  # checked above
    areas: dict[str, shapely.Geometry] | None = None
    if boundaries:
        progress(f"Henter kommunegrensene ({len(codes)} kommuner) fra Kartverket …")
        areas = {}
        for c in codes:
            fetched = kommuneinfo_area(client, c.code)
            areas[c.code] = parse_area(fetched, c.code)
        urls["grenser"] = f"{KOMMUNEINFO}/kommuner/{{kommunenummer}}/omrade?utkoordsys=4258"
    return _Fetched(counties, codes, changes, orgnr, pop, areas, urls, notes)


def _not_a_count(value: float | None) -> bool:
    return value is None or value < 0 or value != int(value)


def _read_counties(path: Path) -> pl.DataFrame:
    return pl.read_csv(
        path,
        schema={
            "fylkesnummer": pl.String,
            "fylkesnavn": pl.String,
            "fra_aar": pl.Int64,
            "til_aar": pl.Int64,
        },
    )


def _known_norwegian_names() -> list[str]:
    names: list[str] = []
    for div in register.division_years():
        names += register.load_register(div)["kommunenavn_norsk"].to_list()
    return names


def _provenance(
    year: int, previous: int, fetched: _Fetched, division: Division, today: date
) -> str:
    lines = [
        f"# {year}/: hentet med `ehelse refresh-reference --year {year}`",
        "",
        f"Hentet {today.isoformat()}. Inndelingen gjelder fra 1.1.{year}; forrige inndeling er "
        f"{previous}.",
        "",
        "## Kilder (forespørsler)",
        "",
    ]
    lines += [f"- {key}: <{url}>" for key, url in fetched.urls.items()]
    counts = division.change_counts()
    lines += [
        "",
        "## Filer",
        "",
        f"- `{REGISTER_FILE}`: {len(division.register)} kommuner fra SSB KLASS 131 med fylke fra "
        "KLASS 104 og organisasjonsnummer fra KLASS-korrespondanse 582–131.",
        f"- `{CHANGES_FILE}`: hver av de {len(division.changes)} radene knytter en "
        f"kommune i {previous}-inndelingen til {year}-inndelingen ("
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        + ").",
    ]
    if fetched.population is not None:
        lines.append(
            f"- `{POPULATION_FILE}`: befolkning 1.1.{year} fra SSB-tabell {POPULATION_TABLE} "
            f"(summert over kjønn og alder av SSB), sum {sum(fetched.population.values())}."
        )
    if fetched.areas is not None:
        lines.append(
            f"- `{BOUNDARY_FILE}`: kommunegrenser fra Kartverkets kommuneinfo (ETRS89), "
            "forenklet med samme metode og toleranse som kartlaget i "
            "`analysis.reference.geometry`. Kommuneinfo gir grensene slik de er den dagen de "
            "hentes."
        )
    lines += [
        "",
        "## Kontroller",
        "",
        f"- Hvert kommunenummer i {previous}-inndelingen har minst én etterfølger i {year}, og "
        f"hver kommune i {year} har minst én forgjenger.",
        "- Filene er lest tilbake av referanselaget (register, endringsfil, krysstabell"
        + (", befolkning" if fetched.population is not None else "")
        + ") før de ble flyttet på plass.",
        "",
        "Navn: KLASS skriver samiske og kvenske navn sammen med det norske "
        '("Porsanger - Porsáŋgu - Porsanki"); første del er `kommunenavn`, den norske delen '
        "`kommunenavn_norsk` og resten `parallelle_navn`. Lisens: CC BY 4.0 (SSB og Kartverket).",
    ]
    notes = fetched.notes + division.notes
    if notes:
        lines += ["", "## Merknader", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def _catalogue_entries(
    year: int,
    previous: int,
    fetched: _Fetched,
    division: Division,
    today: date,
    relative: str,
) -> list[dict[str, Any]]:
    counts = division.change_counts()
    changed = sum(v for k, v in counts.items() if k != "uendret")
    entries: list[dict[str, Any]] = [
        {
            "id": f"kommuner_{year}",
            "path": f"{relative}/{year}/{REGISTER_FILE}",
            "kind": "reference",
            "title": f"Kommuneinndelingen {year} ({len(division.register)} kommuner) med "
            "organisasjonsnummer og parallelle navn",
            "producer": "Statistisk sentralbyrå (SSB), KLASS klassifikasjon 131 (kommuner) og "
            "104 (fylker), korrespondanse 582–131 (organisasjonsnummer); hentet med ehelse "
            "refresh-reference",
            "url": fetched.urls["kommuner"],
            "date_accessed": today,
            "license": "CC BY 4.0",
            "synthetic": False,
        },
        {
            "id": f"kommuneendringer_{year}",
            "path": f"{relative}/{year}/{CHANGES_FILE}",
            "kind": "reference",
            "title": f"Kommuneendringer {previous}–{year} ({changed} av "
            f"{len({r['gammelt_nummer'] for r in division.changes})} kommuner endret)",
            "producer": "Statistisk sentralbyrå (SSB), KLASS klassifikasjon 131, endringer",
            "url": fetched.urls["endringer"],
            "date_accessed": today,
            "license": "CC BY 4.0",
            "synthetic": False,
        },
    ]
    if fetched.population is not None:
        entries.append(
            {
                "id": f"befolkning_{year}",
                "path": f"{relative}/{year}/{POPULATION_FILE}",
                "kind": "reference",
                "title": f"Befolkning per kommune 1.1.{year} (tabell {POPULATION_TABLE}), "
                f"{year}-inndeling",
                "producer": f"Statistisk sentralbyrå (SSB), tabell {POPULATION_TABLE} via "
                "PxWebApi v2",
                "url": fetched.urls["befolkning"],
                "date_accessed": today,
                "license": "CC BY 4.0",
                "synthetic": False,
            }
        )
    if fetched.areas is not None:
        entries.append(
            {
                "id": f"grenser_{year}",
                "path": f"{relative}/{year}/{BOUNDARY_FILE}",
                "kind": "geometry",
                "title": f"Kommunegrenser {year} ({len(fetched.areas)} kommuner), forenklet",
                "producer": "Kartverket, kommuneinfo API (ETRS89); forenklet som kartlaget i "
                "analysis.reference.geometry",
                "url": fetched.urls["grenser"],
                "date_accessed": today,
                "license": "CC BY 4.0",
                "synthetic": False,
            }
        )
        entries.append(
            {
                "id": f"fylkesgrenser_{year}",
                "path": f"{relative}/{year}/{boundaries.COUNTY_FILE}",
                "kind": "geometry",
                "title": f"Fylkesgrenser {year}, slått sammen av de forenklede kommunegrensene",
                "producer": "Kartverket, kommuneinfo API (ETRS89); fylkene er foreningen av "
                "kommunene i hvert fylke",
                "url": fetched.urls["grenser"],
                "date_accessed": today,
                "license": "CC BY 4.0",
                "synthetic": False,
            }
        )
    return entries


def _county_entry(text: str, rows: Sequence[Mapping[str, Any]], today: date) -> dict[str, Any]:
    """The catalogue entry of fylker.csv, with its title and access date brought up to date."""
    data = yaml.safe_load(text) or {}
    old = next(
        (e for e in (data.get("sources") or []) if isinstance(e, dict) and e.get("id") == "fylker"),
        {},
    )
    years = sorted({int(r["fra_aar"]) for r in rows})
    listed = (
        ", ".join(map(str, years[:-1])) + f" og {years[-1]}" if len(years) > 1 else str(years[0])
    )
    entry = {
        "id": "fylker",
        "path": old.get("path", "reference/fylker.csv"),
        "kind": old.get("kind", "reference"),
        "title": f"Fylkesinndeling {listed} (fylkesnummer og -navn med gyldighetsår)",
        "producer": old.get("producer", "Statistisk sentralbyrå (SSB), KLASS klassifikasjon 104"),
        "url": old.get("url", "https://www.ssb.no/klass/klassifikasjoner/104"),
        "date_accessed": today,
        "license": old.get("license", "CC BY 4.0"),
        "synthetic": False,
    }
    return {**old, **entry}


def _validate(reference_dir: Path, year: int, previous: int, population: bool) -> None:
    """Read the staged folder back through the reference layer itself."""
    saved = config.REFERENCE_DIR
    config.REFERENCE_DIR = reference_dir
    clear_reference_caches()
    try:
        if register.division_for(year) != year:
            raise DivisionError(f"inndelingen for {year} ble ikke funnet")
        register.load_register(year)
        register.load_changes(year)
        cw = crosswalk(previous, year)
        lost = cw.filter(pl.col("til_nummer").is_null() & pl.col("merknad").is_null())
        if lost.height:
            raise DivisionError(f"{lost['fra_nummer'].to_list()} mangler i krysstabellen")
        if population:
            population_in(year, year)
        resolve.resolver(year)
        # Boundaries, when written, must match the register the maps will use with them.
        boundaries.read_real(year, reference_dir)
    except (DivisionError, KeyError, ValueError, pl.exceptions.PolarsError) as exc:
        raise RefreshError(
            f"Den nye inndelingen for {year} kunne ikke leses av referanselaget: "
            f"{_first_line(exc)}. {UNCHANGED}"
        ) from exc
    finally:
        config.REFERENCE_DIR = saved
        clear_reference_caches()


def _commit(staged: Path, year: int, county_text: str | None, catalogue_text: str | None) -> None:
    """Move the staged year folder, fylker.csv and the catalogue into place; undo on failure."""
    ref = config.REFERENCE_DIR
    target = ref / str(year)
    backup = ref / f".{year}.forrige-{os.getpid()}"
    county_path = ref / COUNTY_FILE
    old_county = county_path.read_bytes() if county_path.exists() else None
    old_catalogue = config.CATALOGUE.read_bytes() if config.CATALOGUE.exists() else None
    moved_old = moved_new = False
    try:
        if target.exists():
            target.replace(backup)
            moved_old = True
        (staged / str(year)).replace(target)
        moved_new = True
        if county_text is not None:
            _replace_text(county_path, county_text)
        if catalogue_text is not None:
            _replace_text(config.CATALOGUE, catalogue_text)
    except OSError as exc:
        if moved_new:
            shutil.rmtree(target, ignore_errors=True)
        if moved_old:
            backup.replace(target)
        if old_county is not None:
            county_path.write_bytes(old_county)
        if old_catalogue is not None:
            config.CATALOGUE.write_bytes(old_catalogue)
        raise RefreshError(
            f"Kunne ikke flytte de nye filene på plass ({exc}); de gamle er lagt tilbake. "
            f"{UNCHANGED}"
        ) from exc
    if moved_old:
        shutil.rmtree(backup, ignore_errors=True)


def _replace_text(path: Path, text: str) -> None:
    """Temp file in the same folder, then os.replace, so readers never see half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _stage_year(
    folder: Path,
    old_folder: Path,
    division: Division,
    fetched: _Fetched,
    features: list[dict[str, Any]] | None,
    today: date,
) -> tuple[bool, int | None]:
    """Write the year's files into the staged copy; returns (has population, GeoJSON bytes).

    With --force and --skip-population/--skip-boundaries, files that were not fetched again
    are kept from the existing folder (the validation then checks they still fit).
    """
    year = division.year
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    columns = [*register.REGISTER_COLUMNS, f"kommunenummer_{year - 1}"]
    _write(folder / REGISTER_FILE, _csv_text(division.register, columns))
    _write(folder / CHANGES_FILE, _csv_text(division.changes, [*CHANGE_COLUMNS, "endring"]))
    has_population = fetched.population is not None
    if fetched.population is not None:
        rows = [
            {
                "kommunenummer": r["kommunenummer"],
                "kommunenavn": r["kommunenavn"],
                "kommunenavn_norsk": r["kommunenavn_norsk"],
                "befolkning": fetched.population[r["kommunenummer"]],
            }
            for r in division.register
        ]
        columns = ["kommunenummer", "kommunenavn", "kommunenavn_norsk", "befolkning"]
        _write(folder / POPULATION_FILE, _csv_text(rows, columns))
    elif (old_folder / POPULATION_FILE).exists():
        shutil.copy2(old_folder / POPULATION_FILE, folder / POPULATION_FILE)
        has_population = True
    size = None
    if features is not None:
        # Where analysis.reference.boundaries reads a division's boundaries first.
        attribution = (
            f"Kommunegrenser {year}: © Kartverket (kommuneinfo, CC BY 4.0), hentet "
            f"{today:%d.%m.%Y}; forenklet."
        )
        county_of = {r["kommunenummer"]: r["fylkesnummer"] for r in division.register}
        names = {r["fylkesnummer"]: r["fylkesnavn"] for r in division.register}
        counties = boundaries.dissolve_counties(features, county_of, year, names)
        text = boundaries.collection_text(features, attribution, year)
        _write(folder / BOUNDARY_FILE, text)
        _write(
            folder / boundaries.COUNTY_FILE,
            boundaries.collection_text(counties, attribution, year),
        )
        size = len(text.encode("utf-8"))
        if size > MAX_GEOJSON_BYTES:
            division.notes.append(f"{BOUNDARY_FILE} er {size / 1e6:.1f} MB, over målet på 1 MB")
    else:
        for name in (BOUNDARY_FILE, boundaries.COUNTY_FILE):
            if (old_folder / name).exists():
                shutil.copy2(old_folder / name, folder / name)
    _write(folder / PROVENANCE_FILE, _provenance(year, division.previous, fetched, division, today))
    return has_population, size


def refresh_reference(
    year: int,
    *,
    client: SourceClient | None = None,
    force: bool = False,
    population: bool = True,
    boundaries: bool = True,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> RefreshResult:
    """Fetch, check and write the reference data of division ``year``; see the module doc."""
    today = today or date.today()
    report = progress or (lambda _msg: None)
    ref = config.REFERENCE_DIR
    clear_reference_caches()
    previous = _previous_division(year, force)
    owned = client is None
    source = client or SourceClient()
    try:
        fetched = _fetch(
            source, year, previous, population=population, boundaries=boundaries, progress=report
        )
    finally:
        if owned:
            source.close()

    fylker = _read_counties(ref / COUNTY_FILE)
    counties, county_name_notes = county_names(
        fetched.counties, fylker, {c.code[:2] for c in fetched.codes}
    )
    county_keys = {name_key(n) for c in fetched.counties for n in split_name(c.name)}
    county_keys |= {name_key(n) for n in fylker["fylkesnavn"]}
    try:
        division = build_division(
            year,
            previous,
            register.load_register(previous),
            fetched.codes,
            fetched.changes,
            counties,
            county_keys,
            organisation_numbers=fetched.organisation_numbers,
            known_names=_known_norwegian_names(),
            languages=_languages(ref),
        )
    except DivisionError as exc:
        raise RefreshError(f"{_first_line(exc)}. {UNCHANGED}") from exc
    division.notes[:0] = county_name_notes
    county_rows, county_notes = update_counties(fylker, counties, year)
    county_text = _csv_text(county_rows, ["fylkesnummer", "fylkesnavn", "fra_aar", "til_aar"])
    county_changed = county_text != (ref / COUNTY_FILE).read_text(encoding="utf-8")

    features: list[dict[str, Any]] | None = None
    if fetched.areas is not None:
        report("Forenkler kommunegrensene …")
        names = {r["kommunenummer"]: r["kommunenavn_norsk"] for r in division.register}
        try:
            features = simplify_boundaries(fetched.areas, names)
        except (RuntimeError, ValueError, shapely.errors.ShapelyError) as exc:
            raise RefreshError(
                f"Kunne ikke forenkle kommunegrensene fra Kartverket ({_first_line(exc)}). "
                f"{UNCHANGED}"
            ) from exc

    try:
        relative = ref.relative_to(config.RAW_DIR).as_posix()
    except ValueError:
        relative = ref.name
    try:
        stage_root = Path(tempfile.mkdtemp(prefix=f".refresh-{year}-", dir=ref.parent))
    except OSError as exc:
        raise RefreshError(f"Kunne ikke skrive i {ref.parent} ({exc}). {UNCHANGED}") from exc
    try:
        staged = stage_root / ref.name
        shutil.copytree(ref, staged, ignore=shutil.ignore_patterns(".*"))
        has_population, boundary_bytes = _stage_year(
            staged / str(year), ref / str(year), division, fetched, features, today
        )
        if county_changed:
            _write(staged / COUNTY_FILE, county_text)
        _validate(staged, year, previous, has_population)

        catalogue_old = (
            config.CATALOGUE.read_text(encoding="utf-8") if config.CATALOGUE.exists() else ""
        )
        entries = _catalogue_entries(year, previous, fetched, division, today, relative)
        if county_changed:
            entries.append(_county_entry(catalogue_old, county_rows, today))
        catalogue_text = update_catalogue(catalogue_old, entries)
        _commit(staged, year, county_text if county_changed else None, catalogue_text)
    except OSError as exc:
        raise RefreshError(f"Kunne ikke skrive referansedataene ({exc}). {UNCHANGED}") from exc
    finally:
        shutil.rmtree(stage_root, ignore_errors=True)
    clear_reference_caches()
    return RefreshResult(
        year=year,
        previous=previous,
        folder=ref / str(year),
        municipalities=len(division.register),
        change_counts=dict(division.change_counts()),
        population_total=sum(fetched.population.values()) if fetched.population else None,
        boundaries=len(features) if features is not None else None,
        boundary_bytes=boundary_bytes,
        county_notes=county_notes,
        notes=fetched.notes + division.notes,
    )
