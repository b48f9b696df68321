"""The figure spec kaleido draws for the PDF, built as plain JSON.

A map's ``choropleth`` traces are drawn on paper as on the page, on a ``geo`` subplot (vector),
with the boundaries a map needs on paper: a ``go.Figure`` would validate and copy the
boundaries on every trace, so the spec is plain JSON, and its boundaries are pre-projected onto
a grid of about a pixel of the drawn map and rounded: a map carries only the points the page
can show. A map of the whole country gets an inset of the area around Oslo, with its own, finer
grid.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from analysis.errors import EhelseError
from analysis.present.maps import exterior_points, geojson_of
from analysis.present.theme import CHART_HEIGHT, STATIC_WIDTH, TEXT_COLOUR

if TYPE_CHECKING:
    import plotly.graph_objects as go

INSET_TITLE: Final = "Oslo og omegn"
INSET_LON: Final = (9.6, 11.9)
INSET_LAT: Final = (58.95, 60.35)
INSET_X: Final = (0.56, 0.99)  # at 700 x 880 px: the box the fitted inset fills, so the
INSET_Y: Final = (0.08, 0.49)  # title sits on its frame
GRID_PX: Final = 1.0  # boundary points closer than this on the page are one point
MIN_RING: Final = 5  # four distinct points: smaller islands and holes are specks on paper
SVG_DECIMALS: Final = 1  # 0.1 px is about 0.02 mm on A4


class FigureError(EhelseError, RuntimeError):
    """A figure cannot be drawn (for example no browser for the static version)."""


# ---------------------------------------------------------------------------------------------
# The spec kaleido draws


def _merc_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(max(min(lat, 85.0), -85.0)) / 2))


def _lat_of(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


class _Grid:
    """Mercator with the points snapped to a grid of ``step`` (radians of longitude): what
    d3-geo draws at the map's scale, less the points that fall on one pixel."""

    def __init__(self, step: float) -> None:
        self.step = step
        self._lat: dict[int, float] = {}

    def ring(self, ring: Sequence[Sequence[float]]) -> list[list[float]]:
        """The ring snapped, repeated points dropped and reversed: d3-geo wants clockwise
        exterior rings; GeoJSON has them counter-clockwise (RFC 7946), which d3 reads as
        "the whole globe but this"."""
        step, out = self.step, []
        last: tuple[int, int] | None = None
        for pt in reversed(ring):
            cell = (round(math.radians(pt[0]) / step), round(_merc_y(pt[1]) / step))
            if cell == last:
                continue
            last = cell
            lat = self._lat.get(cell[1])
            if lat is None:
                lat = self._lat[cell[1]] = round(_lat_of(cell[1] * step), 5)
            out.append([round(math.degrees(cell[0] * step), 5), lat])
        if len(out) > 1 and out[0] != out[-1]:
            out.append(out[0])
        return out

    def geometry(self, geometry: Mapping[str, Any]) -> dict[str, Any]:
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        out: list[list[list[list[float]]]] = []
        for polygon in polygons:
            rings = [self.ring(r) for r in polygon]
            if len(rings[0]) < MIN_RING:  # a speck of a pixel or two: gone on paper
                continue
            out.append([rings[0], *(r for r in rings[1:] if len(r) >= MIN_RING)])
        if not out:  # never lose an area: keep its largest polygon at full detail
            biggest = max(polygons, key=lambda p: len(p[0]))
            out = [[_reversed(r) for r in biggest]]
        return {"type": "MultiPolygon", "coordinates": out}


def _reversed(ring: Sequence[Sequence[float]]) -> list[list[float]]:
    return [list(pt) for pt in reversed(ring)]


def _bounds(features: Iterable[Mapping[str, Any]]) -> tuple[float, float, float, float] | None:
    xs: list[float] = []
    ys: list[float] = []
    for f in features:
        for lon, lat in exterior_points(f["geometry"]):
            xs.append(lon)
            ys.append(lat)
    if not xs:
        return None
    return min(xs), max(xs), min(ys), max(ys)


def _grid_for(
    lon: tuple[float, float], lat: tuple[float, float], width_px: float, height_px: float
) -> _Grid:
    """The grid of GRID_PX at the scale a fitted mercator map of this area has."""
    dx = max(math.radians(lon[1] - lon[0]), 1e-9)
    dy = max(_merc_y(lat[1]) - _merc_y(lat[0]), 1e-9)
    px_per_unit = min(width_px / dx, height_px / dy)
    return _Grid(GRID_PX / px_per_unit)


def _grid_features(
    by_id: Mapping[str, Mapping[str, Any]], ids: Iterable[str], grid: _Grid
) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": i, "geometry": grid.geometry(by_id[i]["geometry"])}
            for i in ids
            if i in by_id
        ],
    }


def static_spec(
    fig: go.Figure | Mapping[str, Any], width: int = STATIC_WIDTH, height: int | None = None
) -> dict[str, Any]:
    """The figure as kaleido should draw it, as plain JSON: each map trace gets its own areas'
    boundaries snapped to the map's pixels."""
    spec = json.loads(fig.to_json()) if hasattr(fig, "to_json") else json.loads(json.dumps(fig))
    layout = spec.setdefault("layout", {})
    h = height or int(layout.get("height") or CHART_HEIGHT)
    data = spec.get("data") or []
    if not any(_is_map(t) for t in data):
        return spec
    by_id: dict[str, Mapping[str, Any]] = {}
    drawn: list[str] = []
    for trace in data:
        if not _is_map(trace):
            continue
        geo = geojson_of(trace.get("geojson"))
        if geo is None:
            raise FigureError("Kartet viser til kommunegrenser som ikke finnes")
        for f in geo["features"]:
            by_id.setdefault(str(f["id"]), f)
        drawn += [str(c) for c in trace.get("locations") or []]
    box = _bounds(by_id[c] for c in drawn if c in by_id)
    margin = layout.get("margin") or {}
    plot_w = width - float(margin.get("l", 0)) - float(margin.get("r", 0))
    plot_h = h - float(margin.get("t", 0)) - float(margin.get("b", 0))
    grid = _grid_for(box[:2], box[2:], plot_w, plot_h) if box else _Grid(1e-4)
    out: list[dict[str, Any]] = []
    for trace in data:
        if not _is_map(trace):
            out.append(trace)
            continue
        ids = [str(c) for c in trace.get("locations") or []]
        props = {k: v for k, v in trace.items() if k != "type"}
        # Each trace gets only its own areas: the browser parses less.
        props["geojson"] = _grid_features(by_id, ids, grid)
        out.append({"type": "choropleth", **props})
    spec["data"] = out
    layout["geo"] = {
        "fitbounds": "locations",
        "visible": False,
        "projection": {"type": "mercator"},
        "bgcolor": "white",
    }
    meta = layout.get("meta") if isinstance(layout.get("meta"), dict) else {}
    if meta.get("ehelse_inset"):
        _add_inset(spec, by_id, width, h)
    return spec


def _is_map(trace: Mapping[str, Any]) -> bool:
    """A trace of a map (analysis.present.maps): a choropleth over named boundaries."""
    return trace.get("type") == "choropleth" and trace.get("geojson") is not None


def _add_inset(spec: dict[str, Any], by_id: Mapping[str, Any], width: int, height: int) -> None:
    """The same areas again, enlarged in a framed box (a second geo subplot)."""
    (west, east), (south, north) = INSET_LON, INSET_LAT

    def inside(feature: Mapping[str, Any]) -> bool:
        points = list(exterior_points(feature["geometry"]))
        lons, lats = [pt[0] for pt in points], [pt[1] for pt in points]
        return min(lons) <= east and max(lons) >= west and min(lats) <= north and max(lats) >= south

    x, y = INSET_X, INSET_Y
    grid = _grid_for(INSET_LON, INSET_LAT, width * (x[1] - x[0]), height * (y[1] - y[0]))
    for trace in list(spec["data"]):
        if trace.get("type") != "choropleth":
            continue
        # Only the areas the inset shows: drawing them all again costs a second a map.
        at = [i for i, c in enumerate(trace["locations"]) if inside(by_id[str(c)])]
        if not at:
            continue
        props = dict(trace)
        for key in ("locations", "z", "customdata"):
            if props.get(key) is not None:
                props[key] = [props[key][i] for i in at]
        props["geojson"] = _grid_features(by_id, [str(c) for c in props["locations"]], grid)
        spec["data"].append(props | {"geo": "geo2", "showlegend": False})
    layout = spec["layout"]
    # Without its domain stated, the main map fits its bounds as if it shared the page.
    layout["geo"]["domain"] = {"x": [0, 1], "y": [0, 1]}
    layout["geo2"] = {
        "domain": {"x": list(x), "y": list(y)},
        "visible": False,
        "projection": {"type": "mercator"},
        "lonaxis": {"range": list(INSET_LON)},
        "lataxis": {"range": list(INSET_LAT)},
        "showframe": True,
        "framecolor": "#555555",
        "framewidth": 2,
        "bgcolor": "white",
    }
    layout.setdefault("annotations", []).append(
        {
            "text": INSET_TITLE,
            "xref": "paper",
            "yref": "paper",
            "x": x[0],
            "y": y[1],
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": 12, "color": TEXT_COLOUR},
        }
    )


_NUMBER = re.compile(rf"(\d\.\d{{{SVG_DECIMALS}}})\d+")
_ATTRIBUTE = re.compile(r'(\s(?:d|transform|x|y|points)=")([^"]*)"')


def compact_svg(svg: str) -> str:
    """Coordinates (in the attributes that hold them, never in text) to a tenth of a pixel:
    the PDF carries the SVG's paths as they are."""
    return _ATTRIBUTE.sub(lambda m: m.group(1) + _NUMBER.sub(r"\1", m.group(2)) + '"', svg)
