"""Static figures for the PDF: the one place that starts Chromium and calls kaleido.

Maps are redrawn as a plotly ``geo`` trace for this (``static_figure``): maplibre's WebGL
takes about 4 s a map in headless Chromium and rasterises, the geo trace takes about 1.3 s and
stays vector, which is what a map on paper needs. A map of the whole country gets an inset of
the area around Oslo. One browser is kept open for the whole render (``prewarm`` starts it in
the background, ``close`` stops it); ``STATS`` holds its start time and each figure's.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

import plotly.graph_objects as go

from analysis.errors import EhelseError
from analysis.present.maps import exterior_points, geojson_of
from analysis.present.theme import CHART_HEIGHT, STATIC_WIDTH, TEXT_COLOUR, figure_meta

INSET_TITLE: Final = "Oslo og omegn"
INSET_LON: Final = (9.6, 11.9)
INSET_LAT: Final = (58.95, 60.35)
INSET_X: Final = (0.56, 0.99)  # at 700 x 880 px: the box the fitted inset fills, so the
INSET_Y: Final = (0.08, 0.49)  # title sits on its frame

STATS: dict[str, Any] = {"kaleido_start_s": None, "static_s": []}


class FigureError(EhelseError, RuntimeError):
    """A figure cannot be drawn (for example no browser for the static version)."""


@cache
def _topojson_stub() -> str:
    """A local, empty world outline: plotly's geo traces fetch one from its CDN otherwise,
    and the static maps draw only our own boundaries (``geo.visible`` is off)."""
    folder = Path(tempfile.mkdtemp(prefix="ehelse-topojson-"))
    layers = ("land", "ocean", "coastlines", "countries", "lakes", "rivers", "subunits")
    empty = {
        "type": "Topology",
        "objects": {k: {"type": "GeometryCollection", "geometries": []} for k in layers},
        "arcs": [],
    }
    for scope in ("world", "europe"):
        for res in ("110m", "50m"):
            (folder / f"{scope}_{res}.json").write_text(json.dumps(empty), encoding="utf-8")
    return folder.as_uri() + "/"


def _reverse_rings(geometry: Mapping[str, Any]) -> dict[str, Any]:
    """d3-geo (plotly's geo traces) wants clockwise exterior rings; GeoJSON has them
    counter-clockwise (RFC 7946), which d3 reads as "the whole globe but this"."""
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [r[::-1] for r in geometry["coordinates"]]}
    return {
        "type": "MultiPolygon",
        "coordinates": [[r[::-1] for r in p] for p in geometry["coordinates"]],
    }


def static_figure(fig: go.Figure) -> go.Figure:
    """The figure as kaleido should draw it: map traces become geo traces (vector, no WebGL)."""
    if not any(t.type == "choroplethmap" for t in fig.data):
        return fig
    out = go.Figure(layout=fig.layout)
    out.layout.map = None
    reversed_geo: dict[str, dict[str, Any]] = {}
    for trace in fig.data:
        if trace.type != "choroplethmap":
            out.add_trace(trace)
            continue
        props = trace.to_plotly_json()
        geo = geojson_of(props.pop("geojson"))
        if geo is None:
            raise FigureError("Kartet viser til kommunegrenser som ikke finnes")
        for f in geo["features"]:
            fid = str(f["id"])
            if fid not in reversed_geo:
                reversed_geo[fid] = {**f, "geometry": _reverse_rings(f["geometry"])}
        # Each trace gets only its own municipalities: the browser parses less.
        own = {
            "type": "FeatureCollection",
            "features": [reversed_geo[str(c)] for c in props.get("locations", [])],
        }
        for drop in ("type", "subplot", "below"):
            props.pop(drop, None)
        out.add_trace(go.Choropleth(geojson=own, **props))
    out.update_geos(
        fitbounds="locations", visible=False, projection_type="mercator", bgcolor="white"
    )
    if figure_meta(fig).get("ehelse_inset"):
        _add_inset(out)
    return out


def _add_inset(fig: go.Figure) -> None:
    """The same municipalities again, enlarged in a framed box (a second geo subplot)."""
    (west, east), (south, north) = INSET_LON, INSET_LAT

    def inside(feature: Mapping[str, Any]) -> bool:
        points = list(exterior_points(feature["geometry"]))
        lons, lats = [pt[0] for pt in points], [pt[1] for pt in points]
        return min(lons) <= east and max(lons) >= west and min(lats) <= north and max(lats) >= south

    for trace in list(fig.data):
        if trace.type != "choropleth":
            continue
        props = trace.to_plotly_json()
        # Only the municipalities the inset shows: drawing them all again costs a second a map.
        keep = [f for f in props["geojson"]["features"] if inside(f)]
        if not keep:
            continue
        ids = {str(f["id"]) for f in keep}
        at = [i for i, c in enumerate(props["locations"]) if str(c) in ids]
        for key in ("locations", "z", "customdata"):
            if props.get(key) is not None:
                props[key] = [props[key][i] for i in at]
        props["geojson"] = {"type": "FeatureCollection", "features": keep}
        fig.add_trace(go.Choropleth(props | {"geo": "geo2", "showlegend": False}))
    x, y = INSET_X, INSET_Y
    fig.update_layout(
        # Without its domain stated, the main map fits its bounds as if it shared the page.
        geo={"domain": {"x": [0, 1], "y": [0, 1]}},
        geo2={
            "domain": {"x": list(x), "y": list(y)},
            "visible": False,
            "projection_type": "mercator",
            "lonaxis_range": list(INSET_LON),
            "lataxis_range": list(INSET_LAT),
            "showframe": True,
            "framecolor": "#555555",
            "framewidth": 2,
            "bgcolor": "white",
        },
    )
    fig.add_annotation(
        text=INSET_TITLE,
        xref="paper",
        yref="paper",
        x=x[0],
        y=y[1],
        xanchor="left",
        yanchor="bottom",
        showarrow=False,
        font={"size": 12, "color": TEXT_COLOUR},
    )


_kaleido_lock = threading.Lock()


def start() -> None:
    """Start the one browser kaleido keeps open; safe to call from several threads."""
    import kaleido

    with _kaleido_lock:
        if STATS["kaleido_start_s"] is not None:
            return
        browser = shutil.which("chromium") or shutil.which("google-chrome")
        if not (browser or os.environ.get("BROWSER_PATH")):
            raise FigureError("Fant ikke Chromium for figurene i PDF-en: kjør `make browser`")
        t0 = time.perf_counter()
        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
        # The browser starts on the first figure; draw a trivial one so the start is measured.
        kaleido.calc_fig_sync(go.Figure(), opts={"format": "svg", "width": 10, "height": 10})
        STATS["kaleido_start_s"] = round(time.perf_counter() - t0, 3)


def start_in_background() -> None:
    """Start the browser in a thread, so it starts while the chapters import and load their
    data; a failure is reported again, with its message, by the first figure."""

    def run() -> None:
        try:
            start()
        except Exception as exc:  # reported again by the first figure
            STATS["prewarm_error"] = str(exc)

    threading.Thread(target=run, name="kaleido-prewarm", daemon=True).start()


def close() -> None:
    """Stop the browser kaleido kept open (the end of a render)."""
    import kaleido

    if STATS["kaleido_start_s"] is not None:
        kaleido.stop_sync_server(silence_warnings=True)
        STATS["kaleido_start_s"] = None


def static_svg(fig: go.Figure, width: int = STATIC_WIDTH, height: int | None = None) -> str:
    """SVG of the figure from the kaleido server kept open for the whole render."""
    import kaleido

    start()
    h = height or int(fig.layout.height or CHART_HEIGHT)
    t0 = time.perf_counter()
    svg = kaleido.calc_fig_sync(
        static_figure(fig),
        opts={"format": "svg", "width": width, "height": h},
        topojson=_topojson_stub(),
    )
    STATS["static_s"].append(round(time.perf_counter() - t0, 3))
    return svg.decode("utf-8") if isinstance(svg, bytes) else str(svg)


__all__ = [
    "STATS",
    "FigureError",
    "close",
    "start",
    "start_in_background",
    "static_figure",
    "static_svg",
]
