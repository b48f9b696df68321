"""Static figures for the PDF: the one place that starts Chromium and calls kaleido.

* Maps are redrawn as a plotly ``geo`` trace (``static_spec``): maplibre's WebGL takes about
  4 s a map in headless Chromium and rasterises, the geo trace is vector, which is what a map
  on paper needs. The spec is built as plain JSON (a ``go.Figure`` would validate and copy the
  boundaries on every trace) and its boundaries are pre-projected onto a grid of half a pixel
  of the drawn map and rounded, so a map carries only the points the page can show. A map of
  the whole country gets an inset of the area around Oslo, with its own, finer grid.
* Every SVG is kept in a cache (``config.FIGURE_CACHE_DIR``) under a hash of the figure's JSON
  (whose boundaries are named by a hash of their content), its size and the code that draws
  it: a render whose figures are all cached starts no browser.
* One browser is kept open for the whole render (``prewarm`` starts it in the background when
  figures are missing, ``close`` stops it). Each kaleido call has a timeout; a call that hangs
  gets one more try in a new browser, then ends as one line (``FigureError``).

``STATS`` holds the browser's start time, each drawn figure's time, the cache hits and misses
and the retries.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import json
import math
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from analysis import _io, config
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

CACHE_ENV: Final = "EHELSE_FIGURE_CACHE"  # another cache folder; "off" draws every figure
TIMEOUT_ENV: Final = "EHELSE_FIGURE_TIMEOUT_S"
FIGURE_TIMEOUT_S: Final = 60.0  # one figure; the slowest map takes about 2 s under load
START_TIMEOUT_S: Final = 60.0  # the browser's start
GRID_PX: Final = 1.0  # boundary points closer than this on the page are one point
MIN_RING: Final = 5  # four distinct points: smaller islands and holes are specks on paper
SVG_DECIMALS: Final = 1  # 0.1 px is about 0.02 mm on A4

STATS: dict[str, Any] = {}


def reset_stats() -> None:
    """Start counting afresh (a render does this first)."""
    STATS.clear()
    STATS.update(
        kaleido_start_s=None, static_s=[], cache_hits=0, cache_misses=0, retries=0, attempts=0
    )


reset_stats()


class FigureError(EhelseError, RuntimeError):
    """A figure cannot be drawn (for example no browser for the static version)."""


# ---------------------------------------------------------------------------------------------
# The spec kaleido draws


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
    """The figure as kaleido should draw it, as plain JSON: map traces become geo traces
    (vector, no WebGL) over boundaries snapped to the map's pixels."""
    spec = json.loads(fig.to_json()) if hasattr(fig, "to_json") else json.loads(json.dumps(fig))
    layout = spec.setdefault("layout", {})
    h = height or int(layout.get("height") or CHART_HEIGHT)
    data = spec.get("data") or []
    if not any(t.get("type") == "choroplethmap" for t in data):
        return spec
    layout.pop("map", None)
    by_id: dict[str, Mapping[str, Any]] = {}
    drawn: list[str] = []
    for trace in data:
        if trace.get("type") != "choroplethmap":
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
        if trace.get("type") != "choroplethmap":
            out.append(trace)
            continue
        ids = [str(c) for c in trace.get("locations") or []]
        props = {k: v for k, v in trace.items() if k not in ("type", "subplot", "below")}
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


# ---------------------------------------------------------------------------------------------
# The cache


@cache
def _code_version() -> str:
    """What the SVG depends on beside the figure: this module, the browser side's versions."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    for package in ("kaleido", "plotly", "choreographer"):
        h.update(f"{package}={version(package)}\n".encode())
    return h.hexdigest()[:16]


def figure_cache_dir() -> Path | None:
    """The folder of cached SVGs (EHELSE_FIGURE_CACHE, else config.FIGURE_CACHE_DIR); None
    when the cache is off."""
    env = os.environ.get(CACHE_ENV)
    if env and env.strip().lower() == "off":
        return None
    return Path(env) if env else config.FIGURE_CACHE_DIR


def figure_key(fig: go.Figure | Mapping[str, Any], width: int, height: int) -> str:
    """The cache key: the figure's JSON (boundaries are named by their content's hash), the
    size and the drawing code."""
    text = fig.to_json() if hasattr(fig, "to_json") else json.dumps(fig, sort_keys=True)
    h = hashlib.sha256(f"{_code_version()}|{width}x{height}\n".encode())
    h.update(text.encode("utf-8"))
    return h.hexdigest()[:32]


def cached(key: str) -> str | None:
    folder = figure_cache_dir()
    if folder is None:
        return None
    try:
        return (folder / f"{key}.svg").read_text(encoding="utf-8")
    except OSError:
        return None


def all_cached(keys: Iterable[str]) -> bool:
    folder = figure_cache_dir()
    return folder is not None and all((folder / f"{k}.svg").is_file() for k in keys)


def _store(key: str, svg: str) -> None:
    folder = figure_cache_dir()
    if folder is None:
        return
    with contextlib.suppress(OSError):  # a full or read-only cache only costs time
        folder.mkdir(parents=True, exist_ok=True)
        _io.write_file(folder / f"{key}.svg", lambda tmp: tmp.write_text(svg, encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# The browser


def _timeout() -> float:
    raw = os.environ.get(TIMEOUT_ENV)
    try:
        return float(raw) if raw else FIGURE_TIMEOUT_S
    except ValueError:
        raise FigureError(f"{TIMEOUT_ENV}={raw!r} er ikke et antall sekunder") from None


class _TimeoutError(Exception):
    pass


class _Browser:
    """One kaleido (Chromium) on an event loop of its own thread, so that a call can be given
    up after a timeout and the browser killed, which kaleido's own sync server cannot."""

    def __init__(self) -> None:
        import kaleido

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="ehelse-kaleido", daemon=True
        )
        self.thread.start()

        async def open_() -> Any:
            k = kaleido.Kaleido(n=1, timeout=None, mathjax=False)
            await k.open()
            return k

        self.kaleido: Any = None
        try:
            self.kaleido = self.call(open_(), START_TIMEOUT_S)
        except BaseException:
            self.close(kill=True)
            raise

    def call(self, coro: Any, timeout: float) -> Any:
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise _TimeoutError from None

    def svg(self, spec: Mapping[str, Any], width: int, height: int, timeout: float) -> str:
        opts = {"format": "svg", "width": width, "height": height}
        out = self.call(self.kaleido.calc_fig(spec, opts=opts, topojson=_topojson_stub()), timeout)
        return out.decode("utf-8") if isinstance(out, bytes) else str(out)

    def close(self, kill: bool = False) -> None:
        k, self.kaleido = self.kaleido, None
        if k is not None and not kill:
            try:
                self.call(k.close(), 15)
            except Exception:  # a browser that will not close is killed below
                kill = True
        if k is not None and kill:
            process = getattr(k, "subprocess", None)
            if process is not None and process.poll() is None:
                with contextlib.suppress(OSError):
                    os.killpg(process.pid, signal.SIGKILL)  # the wrapper's own session
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


_browser: _Browser | None = None
_lock = threading.RLock()


def start() -> None:
    """Start the one browser kaleido keeps open; safe to call from several threads."""
    global _browser
    with _lock:
        if _browser is not None:
            return
        if not (
            shutil.which("chromium")
            or shutil.which("google-chrome")
            or os.environ.get("BROWSER_PATH")
        ):
            raise FigureError("Fant ikke Chromium for figurene i PDF-en: kjør `make browser`")
        t0 = time.perf_counter()
        try:
            browser = _Browser()
            # The browser loads its page on the first figure: draw a trivial one now.
            browser.svg({"data": [], "layout": {}}, 10, 10, START_TIMEOUT_S)
        except _TimeoutError:
            raise FigureError(
                f"Chromium startet ikke innen {START_TIMEOUT_S:.0f} s (figurene i PDF-en)"
            ) from None
        _browser = browser
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


def running() -> bool:
    return _browser is not None


def close(kill: bool = False) -> None:
    """Stop the browser (the end of a render)."""
    global _browser
    with _lock:
        browser, _browser = _browser, None
        if browser is not None:
            browser.close(kill=kill)


def _draw(spec: Mapping[str, Any], width: int, height: int, name: str) -> str:
    """SVG from the open browser; a call that times out is tried once more in a new browser."""
    timeout = _timeout()
    for attempt in (1, 2):
        start()
        assert _browser is not None
        STATS["attempts"] += 1
        try:
            return _browser.svg(spec, width, height, timeout)
        except _TimeoutError:
            close(kill=True)
            if attempt == 1:
                STATS["retries"] += 1
    raise FigureError(
        f"Figuren {name} ble ikke tegnet innen {timeout:g} s, heller ikke i en ny nettleser "
        f"(øk {TIMEOUT_ENV} på en travel maskin)"
    )


def static_svg(
    fig: go.Figure | Mapping[str, Any],
    width: int = STATIC_WIDTH,
    height: int | None = None,
    name: str = "",
) -> str:
    """SVG of the figure: from the cache when it holds this figure at this size, else drawn by
    the browser kept open for the whole render (and cached)."""
    own = fig.layout.height if hasattr(fig, "layout") else (fig.get("layout") or {}).get("height")
    h = int(height or own or CHART_HEIGHT)
    key = figure_key(fig, width, h)
    svg = cached(key)
    if svg is not None:
        STATS["cache_hits"] += 1
        STATS.setdefault("keys", []).append(key)
        return svg
    STATS["cache_misses"] += 1
    STATS.setdefault("keys", []).append(key)
    t0 = time.perf_counter()
    svg = compact_svg(_draw(static_spec(fig, width, h), width, h, name or "i PDF-en"))
    STATS["static_s"].append(round(time.perf_counter() - t0, 3))
    _store(key, svg)
    return svg


__all__ = [
    "STATS",
    "FigureError",
    "all_cached",
    "close",
    "compact_svg",
    "figure_cache_dir",
    "figure_key",
    "reset_stats",
    "running",
    "start",
    "start_in_background",
    "static_spec",
    "static_svg",
]
