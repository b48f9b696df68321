"""The files of a refreshed year, its provenance note and its catalogue entries."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from analysis.reference import areas, register
from analysis.reference.refresh.build import Division
from analysis.reference.refresh.fetch import FetchedDivision
from analysis.reference.refresh.names import REGISTER_FILE
from analysis.reference.sources_api import POPULATION_TABLE

MAX_GEOJSON_BYTES = 1_000_000


CHANGES_FILE = "endringer.csv"


POPULATION_FILE = "befolkning.csv"


BOUNDARY_FILE = "kommuner.geojson"


PROVENANCE_FILE = "refresh.source.md"


COUNTY_FILE = "fylker.csv"


CHANGE_COLUMNS = ["gammelt_nummer", "gammelt_navn", "nytt_nummer", "nytt_navn", "gyldig_fra"]


def csv_text(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" if row.get(c) is None else row[c] for c in columns})
    return buf.getvalue()


def write_staged(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")


def stage_year(
    folder: Path,
    old_folder: Path,
    division: Division,
    fetched: FetchedDivision,
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
    write_staged(folder / REGISTER_FILE, csv_text(division.register, columns))
    write_staged(folder / CHANGES_FILE, csv_text(division.changes, [*CHANGE_COLUMNS, "endring"]))
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
        write_staged(folder / POPULATION_FILE, csv_text(rows, columns))
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
        counties = areas.dissolve_counties(features, county_of, year, names)
        text = areas.collection_text(features, attribution, year)
        write_staged(folder / BOUNDARY_FILE, text)
        write_staged(
            folder / areas.COUNTY_FILE,
            areas.collection_text(counties, attribution, year),
        )
        size = len(text.encode("utf-8"))
        if size > MAX_GEOJSON_BYTES:
            division.notes.append(f"{BOUNDARY_FILE} er {size / 1e6:.1f} MB, over målet på 1 MB")
    else:
        for name in (BOUNDARY_FILE, areas.COUNTY_FILE):
            if (old_folder / name).exists():
                shutil.copy2(old_folder / name, folder / name)
    write_staged(
        folder / PROVENANCE_FILE, provenance(year, division.previous, fetched, division, today)
    )
    return has_population, size


def provenance(
    year: int, previous: int, fetched: FetchedDivision, division: Division, today: date
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


def reference_entries(
    year: int,
    previous: int,
    fetched: FetchedDivision,
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
                "path": f"{relative}/{year}/{areas.COUNTY_FILE}",
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


def county_entry(text: str, rows: Sequence[Mapping[str, Any]], today: date) -> dict[str, Any]:
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
