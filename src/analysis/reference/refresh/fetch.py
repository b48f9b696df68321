"""Fetching a division's codes, changes, organisation numbers, population and areas."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import shapely

from analysis import config
from analysis.reference import register
from analysis.reference.source_answers import (
    KlassChange,
    KlassCode,
    parse_area,
    parse_changes,
    parse_codes,
    parse_correspondence,
    parse_jsonstat_values,
)
from analysis.reference.sources_api import (
    COUNTIES,
    KOMMUNEINFO,
    MUNICIPALITIES,
    ORGANISATION_NUMBERS,
    POPULATION_TABLE,
    UNCHANGED,
    Fetched,
    HttpStatusError,
    RefreshError,
    SourceClient,
    klass_changes,
    klass_codes_at,
    klass_corresponds_at,
    kommuneinfo_area,
    pxweb_population,
)

# SSB codes outside the municipal division: 21 Svalbard, 22 Jan Mayen, 23 the continental
# shelf, 99 unknown ("Uoppgitt"). KLASS lists some of them; no population or boundary exists.
NON_MUNICIPAL_PREFIXES = ("21", "22", "23", "99")


def previous_division(year: int, force: bool) -> int:
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
class FetchedDivision:
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


def fetch(
    client: SourceClient,
    year: int,
    previous: int,
    *,
    population: bool,
    boundaries: bool,
    progress: Callable[[str], None],
) -> FetchedDivision:
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
    return FetchedDivision(counties, codes, changes, orgnr, pop, areas, urls, notes)


def _not_a_count(value: float | None) -> bool:
    return value is None or value < 0 or value != int(value)
