"""Simplification shared by every set of boundaries: the embedded ones, those
``ehelse refresh-reference`` fetches or imports, and those derived for a later division.

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

import json
import math
from collections.abc import Mapping, Sequence
from importlib.metadata import version
from typing import Any, Final

import numpy as np
import shapely
import topojson
from shapely.geometry import mapping
from shapely.geometry.polygon import orient

# ~560 m: at county zoom one or two pixels, and ~600 KB for the municipalities.
SIMPLIFY_TOLERANCE: Final = 0.005
# 1e-4 degrees is 11 m north-south, 5 m east-west: far below the tolerance.
COORDINATE_DECIMALS: Final = 4
# Longitudes are scaled by cos of this (mid-Norway) so the tolerance is isotropic.
REFERENCE_LATITUDE: Final = 65.0
# Bump when the method changes in a way the numbers above do not show.
METHOD: Final = "topojson-grid-arcs+geos-topology-preserving-simplify/1"

Feature = dict[str, Any]
_POLYGONAL: Final = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)


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


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Only the areas of a repaired geometry: make_valid can leave lines and points."""
    if shapely.is_valid(geom) and shapely.get_type_id(geom) in _POLYGONAL:
        return geom
    parts = shapely.get_parts(shapely.get_parts(shapely.make_valid(geom)))
    polygons = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
    return shapely.union_all(polygons)


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
        geom = polygonal(geom)
        # make_valid may add vertices off the grid; snapping them keeps the result valid.
        geom = polygonal(shapely.set_precision(geom, 10.0**-decimals))
        geom = shapely.transform(geom, lambda xy: np.round(xy, decimals))
    if not shapely.is_valid(geom):
        raise RuntimeError(f"Ugyldig geometri etter forenkling: {shapely.is_valid_reason(geom)}")
    if geom.is_empty:
        raise RuntimeError("Tom geometri etter forenkling")
    return shapely.MultiPolygon([orient(p, sign=1.0) for p in shapely.get_parts(geom)])


def geojson_geometry(geom: shapely.Geometry) -> dict[str, Any]:
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
    arcs, topo_geoms = _topology_arcs([polygonal(row[2]) for row in rows], codes, decimals)
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
                "geometry": geojson_geometry(geom),
            }
        )
    return features


def dissolve(
    geoms: Mapping[str, Sequence[shapely.Geometry]], decimals: int = COORDINATE_DECIMALS
) -> dict[str, shapely.Geometry]:
    """Each group's geometries as one valid (multi)polygon on the output grid: counties from
    their municipalities, a shared area from its parts. Parts that share simplified borders
    union without slivers."""
    return {
        key: _finish(polygonal(shapely.union_all(list(parts))), decimals)
        for key, parts in geoms.items()
    }


def feature_collection(features: Sequence[Feature]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection, the form plotly's ``geojson=`` takes."""
    return {"type": "FeatureCollection", "features": list(features)}


def dumps(collection: Mapping[str, Any]) -> str:
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
