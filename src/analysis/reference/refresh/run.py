"""The refresh from start to end: fetch, build, stage, validate, commit (all or nothing)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import shapely

from analysis import config
from analysis._io import first_line
from analysis.reference import register
from analysis.reference.name_keys import name_key
from analysis.reference.refresh.build import build_division, simplify_boundaries
from analysis.reference.refresh.commit import (
    clear_reference_caches,
    commit,
    update_catalogue,
    validate,
)
from analysis.reference.refresh.fetch import fetch, previous_division
from analysis.reference.refresh.files import (
    COUNTY_FILE,
    county_entry,
    csv_text,
    reference_entries,
    stage_year,
    write_staged,
)
from analysis.reference.refresh.names import (
    klass_county_names,
    known_norwegian_names,
    parallel_languages,
    read_counties,
    split_name,
    update_counties,
)
from analysis.reference.register import DivisionError
from analysis.reference.sources_api import UNCHANGED, RefreshError, SourceClient


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


def refresh(
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
    previous = previous_division(year, force)
    owned = client is None
    source = client or SourceClient()
    try:
        fetched = fetch(
            source, year, previous, population=population, boundaries=boundaries, progress=report
        )
    finally:
        if owned:
            source.close()

    fylker = read_counties(ref / COUNTY_FILE)
    counties, county_name_notes = klass_county_names(
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
            known_names=known_norwegian_names(),
            languages=parallel_languages(ref),
        )
    except DivisionError as exc:
        raise RefreshError(f"{first_line(exc)}. {UNCHANGED}") from exc
    division.notes[:0] = county_name_notes
    county_rows, county_notes = update_counties(fylker, counties, year)
    county_text = csv_text(county_rows, ["fylkesnummer", "fylkesnavn", "fra_aar", "til_aar"])
    county_changed = county_text != (ref / COUNTY_FILE).read_text(encoding="utf-8")

    features: list[dict[str, Any]] | None = None
    if fetched.areas is not None:
        report("Forenkler kommunegrensene …")
        names = {r["kommunenummer"]: r["kommunenavn_norsk"] for r in division.register}
        try:
            features = simplify_boundaries(fetched.areas, names)
        except (RuntimeError, ValueError, shapely.errors.ShapelyError) as exc:
            raise RefreshError(
                f"Kunne ikke forenkle kommunegrensene fra Kartverket ({first_line(exc)}). "
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
        has_population, boundary_bytes = stage_year(
            staged / str(year), ref / str(year), division, fetched, features, today
        )
        if county_changed:
            write_staged(staged / COUNTY_FILE, county_text)
        validate(staged, year, previous, has_population)

        catalogue_old = (
            config.CATALOGUE.read_text(encoding="utf-8") if config.CATALOGUE.exists() else ""
        )
        entries = reference_entries(year, previous, fetched, division, today, relative)
        if county_changed:
            entries.append(county_entry(catalogue_old, county_rows, today))
        catalogue_text = update_catalogue(catalogue_old, entries)
        commit(staged, year, county_text if county_changed else None, catalogue_text)
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
