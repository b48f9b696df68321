"""Reading the staged folder back through the reference layer, then moving it into place."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from analysis import catalogue_edit, config
from analysis._io import first_line, replace_file
from analysis.reference import boundaries, register, resolve
from analysis.reference.crosswalk import crosswalk, division_edges
from analysis.reference.population import population as population_in
from analysis.reference.population import population_years
from analysis.reference.refresh.files import COUNTY_FILE
from analysis.reference.register import DivisionError
from analysis.reference.sources_api import UNCHANGED, RefreshError


def clear_reference_caches() -> None:
    """Make a running process see the reference folder as it now is."""
    register.clear_register_caches()
    resolve.clear_caches()
    boundaries.clear_cache()
    for fn in (
        division_edges,
        crosswalk,
        population_years,
        population_in,
    ):
        fn.cache_clear()


def validate(reference_dir: Path, year: int, previous: int, population: bool) -> None:
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
            f"{first_line(exc)}. {UNCHANGED}"
        ) from exc
    finally:
        config.REFERENCE_DIR = saved
        clear_reference_caches()


def commit(staged: Path, year: int, county_text: str | None, catalogue_text: str | None) -> None:
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
            replace_file(county_path, county_text)
        if catalogue_text is not None:
            replace_file(config.CATALOGUE, catalogue_text)
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


def update_catalogue(text: str, entries: Sequence[Mapping[str, Any]]) -> str:
    """The catalogue with ``entries`` replacing those of the same id, or appended to
    ``sources``; every other line (comments included) is kept as it was."""
    try:
        return catalogue_edit.replace_entries(text, entries)
    except catalogue_edit.CatalogueEditError as exc:
        raise RefreshError(f"{config.CATALOGUE}: {exc}. {UNCHANGED}") from exc
