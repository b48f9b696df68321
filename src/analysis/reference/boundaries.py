"""Where a division's map boundaries come from.

``boundaries(division)`` looks, in order, for:

1. ``data/raw/reference/<division>/kommuner.geojson`` (and ``fylker.geojson``), written by
   ``ehelse refresh-reference`` from Kartverket or from a boundary file the analyst imported;
2. the embedded boundaries, for the division they belong to (2020, in force 2020-2023);
3. boundaries derived from the embedded ones through the change files of every division
   since. A renumbered or merged municipality is exact (the union of its predecessors). A
   municipality that was split cannot be drawn apart, so its successors share one area (in
   2024: 1508 Ålesund and 1580 Haram, both from 1507); which codes share is read from the
   change files, never listed here. Counties are dissolved from the areas by the division's
   own county numbers. The result is cached like the embedded boundaries
   (``analysis.reference.boundary_derive``).

A map draws areas, not municipalities: ``analysis.reference.areas.to_areas`` moves a municipal
frame onto them, so the map itself never converts data. Divisions before the embedded one would need the merged
municipalities taken apart, which boundaries cannot do: they need real boundaries.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from analysis import config
from analysis.reference.areas import (
    COUNTY_FILE,
    EMBEDDED_DIVISION,
    META_KEY,
    MUNICIPALITY_FILE,
    Boundaries,
    BoundaryError,
    county_numbers,
    dissolve_counties,
    mismatch,
    municipality_names,
)
from analysis.reference.boundary_derive import derived_boundaries
from analysis.reference.register import division_for
from analysis.reference.simplify import feature_collection


def boundaries(division: int) -> Boundaries:
    """The boundaries of a division (a year is mapped to its division first)."""
    division = division_for(division)
    return _boundaries(division, config.REFERENCE_DIR, _cache_dir())


def clear_cache() -> None:
    """Forget loaded boundaries (after a refresh or an import)."""
    _boundaries.cache_clear()


def _cache_dir() -> Path:
    return config.CACHE_DIR / "geo"


@cache
def _boundaries(division: int, reference_dir: Path, cache_dir: Path) -> Boundaries:
    real = read_real(division, reference_dir)
    if real is not None:
        return real
    if division == EMBEDDED_DIVISION:
        return _embedded()
    return derived_boundaries(division, reference_dir, cache_dir)


def _embedded() -> Boundaries:
    from analysis.reference import geometry  # geometry imports this module

    municipalities = geometry.load_municipality_geojson()
    codes = [str(f["id"]) for f in municipalities["features"]]
    names = municipality_names(EMBEDDED_DIVISION)
    return Boundaries(
        division=EMBEDDED_DIVISION,
        municipalities=municipalities,
        counties=geometry.load_county_geojson(),
        area_of={c: c for c in codes},
        area_names={c: names.get(c, c) for c in codes},
        county_of={c: c[:2] for c in codes},
        derived=False,
        note=None,
        attribution=geometry.SOURCE.attribution,
        credit=geometry.SOURCE.credit,
    )


def default_attribution(division: int) -> str:
    return f"Kommunegrenser {division}: © Kartverket (CC BY 4.0); forenklet."


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BoundaryError(f"{path}: kan ikke leses som GeoJSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise BoundaryError(f"{path}: ventet en GeoJSON FeatureCollection")
    return data


def read_real(division: int, reference_dir: Path) -> Boundaries | None:
    folder = reference_dir / str(division)
    path = folder / MUNICIPALITY_FILE
    if not path.is_file():
        return None
    data = _read_json(path)
    codes = [str(f.get("id")) for f in data["features"]]
    county_of = county_numbers(division)
    problem = mismatch(path, "kommunenumrene", codes, list(county_of), division)
    if problem:
        raise BoundaryError(problem)
    county_path = folder / COUNTY_FILE
    if county_path.is_file():
        counties = _read_json(county_path)
        ids = [str(f.get("id")) for f in counties["features"]]
        problem = mismatch(
            county_path, "fylkesnumrene", ids, sorted(set(county_of.values())), division
        )
        if problem:
            raise BoundaryError(problem)
        counties = feature_collection(counties["features"])
    else:
        counties = feature_collection(dissolve_counties(data["features"], county_of, division))
    meta = data.get(META_KEY)
    meta = meta if isinstance(meta, dict) else {}
    names = municipality_names(division)
    return Boundaries(
        division=division,
        municipalities=feature_collection(data["features"]),
        counties=counties,
        area_of={c: c for c in codes},
        area_names={c: names[c] for c in codes},
        county_of={c: county_of[c] for c in codes},
        derived=False,
        note=None,
        attribution=str(meta.get("attribution") or default_attribution(division)),
    )
