"""Figure builders for the report and notebooks, and the one way a figure is shown.

Builders draw what they are given and compute nothing of their own (the metrics do that):
``municipality_map`` (a choropleth on a white background, no tiles), ``trend_chart`` (counts
over time with the ambition line and a dashed projection). ``show`` emits one output that is
interactive in HTML and a static SVG in the PDF, so a chapter's code is the same for both:

* text/html: the plotly figure as JSON plus a tiny loader. plotly.js and each GeoJSON go into
  the page once (the first figure that needs them carries them), so the page works offline
  and ten maps do not carry ten copies of the boundaries.
* image/svg+xml: the same figure drawn by kaleido in the one Chromium kept open for the whole
  render. Maps are redrawn as a plotly ``geo`` trace for this: maplibre's WebGL takes about
  4 s a map in headless Chromium and rasterises, the geo trace takes about 1.3 s and stays
  vector, which is what a map on paper needs.

Which of the two is produced follows ``EHELSE_TARGET`` (``html``, ``pdf`` or ``html,pdf``),
set by ``analysis.render.publish``; under a plain ``quarto render`` it follows the format Quarto is
rendering (``QUARTO_EXECUTE_INFO``); an interactive session gets HTML only.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import math
import os
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import plotly.graph_objects as go
import polars as pl

from analysis.errors import EhelseError
from analysis.escape import html_text, spreadsheet_expr

if TYPE_CHECKING:
    from analysis.reference.boundaries import Boundaries

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
OKABE_ITO: Final = {
    "oransje": "#E69F00",
    "himmelblaa": "#56B4E9",
    "blaagronn": "#009E73",
    "gul": "#F0E442",
    "blaa": "#0072B2",
    "vermilion": "#D55E00",
    "rodlilla": "#CC79A7",
    "svart": "#000000",
}
IKKE_STARTET: Final = "ikke_startet"
INGEN_DATA: Final = "ingen_data"
# The ladder (schemas.TRINN), highest first, then the two "nothing" states kept apart:
# "ikke startet" is a fact about the municipality, "ingen data" is the absence of one.
STATUS_ORDER: Final = ("i_bruk", "tilgjengelig", "planlagt", IKKE_STARTET, INGEN_DATA)
STATUS_LABELS: Final = {
    "i_bruk": "I bruk",
    "tilgjengelig": "Tilgjengelig",
    "planlagt": "Planlagt",
    IKKE_STARTET: "Ikke startet",
    INGEN_DATA: "Ingen data",
}
STATUS_COLOURS: Final = {
    "i_bruk": OKABE_ITO["blaa"],
    "tilgjengelig": OKABE_ITO["himmelblaa"],
    "planlagt": OKABE_ITO["oransje"],
    IKKE_STARTET: OKABE_ITO["vermilion"],
    INGEN_DATA: "#DCDCDC",
}
# Viridis, light to dark: perceptually ordered and readable in greyscale.
SEQUENTIAL: Final = ("#FDE725", "#90D743", "#35B779", "#21918C", "#31688E", "#443983", "#440154")
LINE_COLOUR: Final = OKABE_ITO["blaa"]
PUBLISHED_COLOUR: Final = OKABE_ITO["svart"]
PROJECTION_COLOUR: Final = OKABE_ITO["vermilion"]
AMBITION_COLOUR: Final = "#333333"
TEXT_COLOUR: Final = "#222222"
FONT_FAMILY: Final = "Liberation Sans, DejaVu Sans, Arial, sans-serif"
SEPARATORS: Final = ",\u00a0"  # decimal comma, no-break space between thousands
EKSEMPELDATA: Final = "Eksempeldata"
MONTHS: Final = ("jan.", "feb.", "mar.", "apr.", "mai", "jun.", "jul.", "aug.", "sep.", "okt.",
                 "nov.", "des.")  # fmt: skip

MAP_HEIGHT: Final = 720
# On paper a map of the whole country gets an inset of the densest part, around Oslo, where
# municipalities are too small to tell apart at A4 (in the open space over Sweden).
INSET_ANCHOR: Final = "0301"
INSET_TITLE: Final = "Oslo og omegn"
INSET_LON: Final = (9.6, 11.9)
INSET_LAT: Final = (58.95, 60.35)
INSET_X: Final = (0.56, 0.99)  # at 700 x 880 px: the box the fitted inset fills, so the
INSET_Y: Final = (0.08, 0.49)  # title sits on its frame
CHART_HEIGHT: Final = 420
STATIC_WIDTH: Final = 700  # px; at A4 text width 1 px is about 0.23 mm
TARGET_ENV: Final = "EHELSE_TARGET"
GEO_PREFIX: Final = "ehelse-geo-"

STATS: dict[str, Any] = {"kaleido_start_s": None, "static_s": [], "figures": 0}
_emitted: set[str] = set()


class FigureError(EhelseError, RuntimeError):
    """A figure cannot be drawn (for example no browser for the static version)."""


# ---------------------------------------------------------------------------------------------
# Builders


def _layout(fig: go.Figure, title: str | None, height: int) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        title={"text": title, "x": 0, "xanchor": "left"} if title else None,
        font={"family": FONT_FAMILY, "size": 14, "color": TEXT_COLOUR},
        separators=SEPARATORS,
        height=height,
        hoverlabel={"font": {"family": FONT_FAMILY}},
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    return fig


def _finish_chart(fig: go.Figure, title: str | None, height: int, synthetic: bool) -> go.Figure:
    """The shared ending of the line charts: margins, legend under the plot, house layout and
    the Eksempeldata label when the data are synthetic."""
    fig.update_layout(
        margin={"l": 60, "r": 20, "t": 50 if title or synthetic else 20, "b": 40},
        legend={"orientation": "h", "y": -0.15, "x": 0},
    )
    _layout(fig, title, height)
    if synthetic:
        mark_synthetic(fig)
    return fig


def mark_synthetic(fig: go.Figure, corner: str = "above") -> go.Figure:
    """A visible label inside the figure, so a screenshot or a printout cannot lose it:
    ``above`` the plot area on the right (charts), or in the ``bottom`` right corner (maps of
    Norway, where that corner is open sea)."""
    above = corner == "above"
    fig.add_annotation(
        text=f"<b>{EKSEMPELDATA}</b>",
        xref="paper",
        yref="paper",
        x=1,
        y=1.01 if above else 0.01,
        xanchor="right",
        yanchor="bottom",
        showarrow=False,
        font={"size": 16, "color": "#7A0019", "family": FONT_FAMILY},
        bgcolor="#FFF3CD",
        bordercolor="#7A0019",
        borderwidth=1,
        borderpad=4,
    )
    meta = fig.layout.meta if isinstance(fig.layout.meta, Mapping) else {}
    fig.update_layout(meta={**meta, "ehelse_synthetic": True})
    return fig


def is_synthetic(fig: go.Figure) -> bool:
    meta = fig.layout.meta
    return isinstance(meta, Mapping) and bool(meta.get("ehelse_synthetic"))


def _coordinates(geometry: Mapping[str, Any]) -> Iterable[Sequence[float]]:
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    for polygon in polygons:
        yield from polygon[0]  # the exterior ring bounds the polygon


def _mercator(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def map_view(
    features: Sequence[Mapping[str, Any]], width: int = STATIC_WIDTH, height: int = MAP_HEIGHT
) -> tuple[dict[str, float], float]:
    """Centre and zoom that fit the features into a web-mercator map of this size."""
    lons, lats = [], []
    for feature in features:
        for lon, lat in _coordinates(feature["geometry"]):
            lons.append(lon)
            lats.append(lat)
    if not lons:
        return {"lat": 65.0, "lon": 15.0}, 3.5
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    y0, y1 = _mercator(south), _mercator(north)
    tile = 512.0  # maplibre's world is 512 px wide at zoom 0
    zoom_x = math.log2(width / tile * 360.0 / max(east - west, 1e-6))
    zoom_y = math.log2(height / tile * 2 * math.pi / max(y1 - y0, 1e-9))
    centre_lat = math.degrees(2 * math.atan(math.exp((y0 + y1) / 2)) - math.pi / 2)
    return {"lat": centre_lat, "lon": (west + east) / 2}, min(zoom_x, zoom_y) - 0.15


def _bin_labels(bins: Sequence[float]) -> list[str]:
    def fmt(x: float) -> str:
        return f"{x:,.0f}".replace(",", "\u00a0")

    labels = [f"under {fmt(bins[0])}"]
    labels += [f"{fmt(lo)}–{fmt(hi - 1)}" for lo, hi in itertools.pairwise(bins)]
    labels.append(f"{fmt(bins[-1])} og over")
    return labels


def _geojson_subset(geojson: Mapping[str, Any], codes: Iterable[str] | None) -> dict[str, Any]:
    if codes is None:
        return dict(geojson)
    keep = set(codes)
    return {
        "type": "FeatureCollection",
        "features": [f for f in geojson["features"] if str(f["id"]) in keep],
    }


# Boundaries are held here and traces refer to them by name: a plotly figure that held them
# would copy them on every trace and every serialisation (seconds per map), and the page
# would carry a copy per figure. The names are content hashes, so equal boundaries share one.
_GEOJSON: dict[str, Mapping[str, Any]] = {}
_GEOJSON_NAMES: dict[int, str] = {}
_GEOJSON_KEEP: list[Mapping[str, Any]] = []  # keeps every named object alive: ids stay unique
_SUBSETS: dict[tuple[int, str], dict[str, Any]] = {}


def geojson_ref(geojson: Mapping[str, Any]) -> str:
    """The name traces use for a set of boundaries (``ehelse-geo-<hash>``)."""
    name = _GEOJSON_NAMES.get(id(geojson))
    if name is None:
        text = json.dumps(geojson, separators=(",", ":"), sort_keys=True)
        name = GEO_PREFIX + hashlib.sha1(text.encode()).hexdigest()[:12]
        _GEOJSON_NAMES[id(geojson)] = name
        _GEOJSON_KEEP.append(geojson)
        _GEOJSON.setdefault(name, geojson)
    return name


def geojson_of(value: Any) -> Mapping[str, Any] | None:
    """The boundaries a trace's ``geojson`` names (or holds)."""
    if isinstance(value, str):
        return _GEOJSON.get(value)
    return value if isinstance(value, Mapping) else None


@cache
def _municipality_geojson() -> dict[str, Any]:
    from analysis.reference.geometry import load_municipality_geojson

    return load_municipality_geojson()


def _region_geojson(
    geojson: Mapping[str, Any], region: str, codes: Sequence[str]
) -> dict[str, Any]:
    key = (id(geojson), region)
    if key not in _SUBSETS:
        _GEOJSON_KEEP.append(geojson)
        _SUBSETS[key] = _geojson_subset(geojson, codes)
    return _SUBSETS[key]


def _with_meta(fig: go.Figure, **items: Any) -> None:
    meta = fig.layout.meta if isinstance(fig.layout.meta, Mapping) else {}
    fig.update_layout(meta={**meta, **items})


def _boundary_meta(
    fig: go.Figure, boundaries: Boundaries, drawn: Iterable[str] | None = None
) -> None:
    """What the caption must say about the boundaries (see FigureOutput); the note on areas
    drawn as one only when the map draws such an area."""
    shown = set(drawn) if drawn is not None else None
    shares = shown is None or any(a in shown for a in boundaries.shared)
    _with_meta(
        fig,
        ehelse_boundaries={
            "division": boundaries.division,
            "note": boundaries.note if shares else None,
            "attribution": boundaries.credit or boundaries.attribution,
        },
    )


def _check_areas(df: pl.DataFrame, code_col: str, areas: Iterable[str]) -> None:
    """A map with Boundaries draws areas: a municipal number that is not one is an error,
    never "ingen data" (move the frame with ``analysis.reference.boundaries.to_areas``)."""
    known = set(areas)
    unknown = sorted({str(c) for c in df[code_col].drop_nulls()} - known)
    if unknown:
        raise ValueError(
            f"Kartet fikk {code_col} som ikke er områder i kartgrunnlaget: "
            f"{', '.join(unknown[:10])}; flytt dataene til kartets områder med to_areas"
        )


def municipality_map(
    df: pl.DataFrame,
    value_col: str,
    *,
    code_col: str = "kommunenummer",
    name_col: str | None = "kommunenavn",
    categories: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    colours: Mapping[str, str] | None = None,
    bins: Sequence[float] | None = None,
    legend_title: str | None = None,
    title: str | None = None,
    region: str | None = None,
    codes: Iterable[str] | None = None,
    synthetic: bool = False,
    boundaries: Boundaries | None = None,
    geojson: Mapping[str, Any] | None = None,
    height: int = MAP_HEIGHT,
) -> go.Figure:
    """A municipality map: one colour per category (a string column, or a number cut by
    ``bins``). Areas missing from ``df``, or with a null value, are drawn as "ingen data",
    apart from any category the data itself has (such as "ikke_startet"). ``region`` (a
    county code) limits the map to that county and ``codes`` to a set of areas (an
    activity's scope).

    With ``boundaries`` (``analysis.reference.geometry.boundaries(division)``) the map draws
    exactly that division's areas and ``df`` holds one row per area (``to_areas``; e.g.
    ``code_col="omrade", name_col="navn"``); the caption then gets the boundaries' note and
    attribution. Without, it draws ``geojson`` or the embedded 2020-2023 boundaries.

    Every category's trace refers to the same boundaries (plotly draws only a trace's own
    locations), so a page with many maps of the same area embeds the boundaries once."""
    county_of: Mapping[str, str] | None = None
    if boundaries is not None:
        if geojson is not None:
            raise TypeError("Oppgi enten boundaries eller geojson, ikke begge")
        geojson = boundaries.municipalities
        county_of = boundaries.county_of
    elif geojson is None:
        geojson = _municipality_geojson()
    for col in (code_col, value_col, *([name_col] if name_col else [])):
        if col not in df.columns:
            raise KeyError(f"Kartet mangler kolonnen {col!r}; kolonnene er {df.columns}")
    all_codes = [str(f["id"]) for f in geojson["features"]]
    if boundaries is not None:
        _check_areas(df, code_col, all_codes)
    if region is not None:
        all_codes = [
            c
            for c in all_codes
            if (county_of.get(c) == region if county_of is not None else c.startswith(region))
        ]
        if not all_codes:
            raise ValueError(f"Ingen kommuner i fylke {region!r} i kartgrunnlaget")
    # The boundaries named are those of the whole map area (the country or the county): the
    # same for every map of that area, so the page carries them once.
    shown = _region_geojson(geojson, region, all_codes) if region is not None else geojson
    drawn = all_codes
    if codes is not None:
        wanted = {str(c) for c in codes}
        drawn = [c for c in all_codes if c in wanted]
        if not drawn:
            raise ValueError("Ingen av kommunene i utvalget finnes i kartgrunnlaget")
    fig = _choropleth(
        df,
        value_col,
        shown,
        drawn,
        code_col=code_col,
        name_col=name_col,
        categories=categories,
        labels=labels,
        colours=colours,
        bins=bins,
        legend_title=legend_title,
        title=title,
        height=height,
        area_names=boundaries.area_names if boundaries is not None else None,
    )
    if region is None and codes is None and INSET_ANCHOR in set(drawn):
        _with_meta(fig, ehelse_inset=True)  # the whole country: see static_figure
    if boundaries is not None:
        _boundary_meta(fig, boundaries, drawn)
    if synthetic:
        mark_synthetic(fig, corner="bottom")
    return fig


def county_map(
    df: pl.DataFrame,
    value_col: str,
    *,
    boundaries: Boundaries | None = None,
    code_col: str = "fylkesnummer",
    name_col: str | None = "fylkesnavn",
    categories: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    colours: Mapping[str, str] | None = None,
    bins: Sequence[float] | None = None,
    legend_title: str | None = None,
    title: str | None = None,
    synthetic: bool = False,
    height: int = MAP_HEIGHT,
) -> go.Figure:
    """A county map of one division (default: the embedded 2020-2023 counties), coloured as
    ``municipality_map`` colours; ``df`` has one row per county (2-digit numbers)."""
    if boundaries is None:
        boundaries = _default_boundaries()
    geojson = boundaries.counties
    all_codes = [str(f["id"]) for f in geojson["features"]]
    for col in (code_col, value_col, *([name_col] if name_col else [])):
        if col not in df.columns:
            raise KeyError(f"Kartet mangler kolonnen {col!r}; kolonnene er {df.columns}")
    _check_areas(df, code_col, all_codes)
    fig = _choropleth(
        df,
        value_col,
        geojson,
        all_codes,
        code_col=code_col,
        name_col=name_col,
        categories=categories,
        labels=labels,
        colours=colours,
        bins=bins,
        legend_title=legend_title,
        title=title,
        height=height,
    )
    _boundary_meta(fig, boundaries)
    if synthetic:
        mark_synthetic(fig, corner="bottom")
    return fig


@cache
def _default_boundaries() -> Boundaries:
    from analysis.reference.geometry import boundaries

    return boundaries(2020)


def _choropleth(
    df: pl.DataFrame,
    value_col: str,
    shown: Mapping[str, Any],
    drawn: Sequence[str],
    *,
    code_col: str,
    name_col: str | None,
    categories: Sequence[str] | None,
    labels: Mapping[str, str] | None,
    colours: Mapping[str, str] | None,
    bins: Sequence[float] | None,
    legend_title: str | None,
    title: str | None,
    height: int,
    area_names: Mapping[str, str] | None = None,
) -> go.Figure:
    """One trace per category over the named boundaries ``shown``, for the ids ``drawn``."""
    ref = geojson_ref(shown)
    names = dict(area_names or {})
    if name_col:
        names |= {k: v for k, v in df.select(code_col, name_col).iter_rows() if v is not None}
    raw = dict(df.select(code_col, value_col).iter_rows())
    if bins is not None:
        edges = sorted(bins)
        cut_labels = _bin_labels(edges)

        def classify(v: Any) -> str | None:
            if v is None:
                return None
            return cut_labels[sum(1 for e in edges if v >= e)]

        values = {c: classify(raw.get(c)) for c in drawn}
        order = list(cut_labels)
        ramp = SEQUENTIAL if len(order) <= len(SEQUENTIAL) else SEQUENTIAL * 2
        step = (len(SEQUENTIAL) - 1) / max(len(order) - 1, 1)
        palette = {k: ramp[round(i * step)] for i, k in enumerate(order)}
        palette[INGEN_DATA] = STATUS_COLOURS[INGEN_DATA]
        text = {k: k for k in order} | {INGEN_DATA: STATUS_LABELS[INGEN_DATA]}
    else:
        values = {c: (None if raw.get(c) is None else str(raw[c])) for c in drawn}
        seen = [v for v in dict.fromkeys(values.values()) if v is not None]
        if categories is not None:
            order = list(categories)
        else:
            order = [s for s in STATUS_ORDER if s in seen]
            order += sorted(v for v in seen if v not in STATUS_ORDER)
        unknown = [v for v in seen if v not in order]
        if unknown:
            raise ValueError(f"Verdier uten kategori i kartet: {unknown}")
        palette = dict(STATUS_COLOURS) | dict(colours or {})
        spare = iter(c for c in OKABE_ITO.values() if c not in palette.values())
        for k in order:
            palette.setdefault(k, next(spare, "#999999"))
        text = dict(STATUS_LABELS) | dict(labels or {})
    if INGEN_DATA not in order:
        order.append(INGEN_DATA)

    fig = go.Figure()
    for category in order:
        members = [c for c in drawn if (values[c] or INGEN_DATA) == category]
        if not members:
            continue
        label = text.get(category, category)
        fig.add_trace(
            go.Choroplethmap(
                geojson=ref,
                locations=members,
                z=[1] * len(members),
                featureidkey="id",
                colorscale=[[0, palette[category]], [1, palette[category]]],
                showscale=False,
                name=f"{label} ({len(members)})",
                legendgroup=category,
                showlegend=True,
                customdata=[[html_text(names.get(c, c))] for c in members],
                hovertemplate=f"%{{customdata[0]}} (%{{location}})<br>{html.escape(label)}"
                "<extra></extra>",
                marker={"line": {"color": "white", "width": 0.6}},
            )
        )
    drawn_set = set(drawn)
    centre, zoom = map_view(
        [f for f in shown["features"] if str(f["id"]) in drawn_set], STATIC_WIDTH, height
    )
    fig.update_layout(
        map={"style": "white-bg", "center": centre, "zoom": zoom},
        margin={"l": 0, "r": 0, "t": 40 if title else 8, "b": 0},
        legend={
            "title": {"text": legend_title or ""},
            "x": 0.01,
            "y": 0.99,
            "xanchor": "left",
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.85)",
        },
    )
    _layout(fig, title, height)
    return fig


def _number_text(value: float) -> str:
    """170 -> "170", 20.53 -> "20,5" (an ambition may be a county's proportional share)."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u00a0")
    return f"{value:.1f}".replace(".", ",")


def norwegian_date_ticks(start: date, end: date) -> tuple[list[str], list[str]]:
    """Tick positions and Norwegian labels (plotly ships English month names only)."""
    span_months = (end.year - start.year) * 12 + end.month - start.month
    every = 1 if span_months <= 8 else 3 if span_months <= 36 else 12
    ticks, labels = [], []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        if (m - 1) % every == 0:
            ticks.append(date(y, m, 1).isoformat())
            labels.append(str(y) if every == 12 else f"{MONTHS[m - 1]} {y}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return ticks, labels


def trend_chart(
    series: pl.DataFrame,
    ambition: int | None = None,
    projection: pl.DataFrame | None = None,
    *,
    date_col: str = "dato",
    value_col: str = "antall",
    low_col: str = "lav",
    high_col: str = "hoy",
    name: str = "Kommuner",
    ambition_label: str = "Ambisjon",
    projection_label: str = "Framskrevet",
    deadline: date | None = None,
    deadline_label: str = "Frist",
    published: pl.DataFrame | None = None,
    published_label: str = "Publisert",
    title: str | None = None,
    y_title: str = "Antall kommuner",
    synthetic: bool = False,
    height: int = CHART_HEIGHT,
) -> go.Figure:
    """Counts over time, a horizontal ambition line and, when given, a dashed projection with
    its interval (columns ``lav``/``hoy``) to the expected date, and published figures
    (``published``: dato, antall, optionally kilde) as markers.

    With ``synthetic`` the computed series is named as example data in the legend, the
    published markers as real figures, and the figure carries the Eksempeldata label."""
    fig = go.Figure()
    s = series.sort(date_col)
    fig.add_trace(
        go.Scatter(
            x=s[date_col].to_list(),
            y=s[value_col].to_list(),
            mode="lines+markers" if s.height <= 40 else "lines",
            name=f"{name} ({EKSEMPELDATA.lower()})" if synthetic else name,
            line={"color": LINE_COLOUR, "width": 3},
            marker={"size": 6},
            hovertemplate="%{x|%d.%m.%Y}: %{y}<extra></extra>",
        )
    )
    dates = list(s[date_col].to_list())
    if published is not None and published.height:
        pub = published.sort(date_col)
        sources = (
            pub["kilde"].fill_null("").to_list() if "kilde" in pub.columns else [""] * pub.height
        )
        fig.add_trace(
            go.Scatter(
                x=pub[date_col].to_list(),
                y=pub[value_col].to_list(),
                mode="markers",
                name=f"{published_label} (virkelige tall)" if synthetic else published_label,
                marker={
                    "symbol": "diamond",
                    "size": 11,
                    "color": PUBLISHED_COLOUR,
                    "line": {"color": "white", "width": 1.5},
                },
                customdata=[[html_text(str(k)[:90])] for k in sources],
                hovertemplate="%{x|%d.%m.%Y}: %{y}<br>%{customdata[0]}<extra></extra>",
            )
        )
        dates += pub[date_col].to_list()
    if projection is not None and projection.height:
        p = projection.sort(date_col)
        x = p[date_col].to_list()
        if low_col in p.columns and high_col in p.columns:
            fig.add_trace(
                go.Scatter(
                    x=x + x[::-1],
                    y=p[high_col].to_list() + p[low_col].to_list()[::-1],
                    fill="toself",
                    mode="lines",
                    fillcolor="rgba(213,94,0,0.15)",
                    line={"width": 0},
                    hoverinfo="skip",
                    name=f"{projection_label} (intervall)",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=p[value_col].to_list(),
                mode="lines",
                name=projection_label,
                line={"color": PROJECTION_COLOUR, "width": 2, "dash": "dash"},
                hovertemplate="%{x|%d.%m.%Y}: %{y:.0f}<extra></extra>",
            )
        )
        dates += x
    if ambition is not None:
        fig.add_hline(
            y=ambition,
            line={"color": AMBITION_COLOUR, "width": 2, "dash": "dot"},
            annotation_position="top left",
            annotation={
                "text": f"{ambition_label}: {_number_text(ambition)}",
                "font": {"color": AMBITION_COLOUR},
            },
        )
    if deadline is not None:
        fig.add_vline(x=deadline.isoformat(), line={"color": "#666666", "width": 1, "dash": "dot"})
        fig.add_annotation(
            x=deadline.isoformat(),
            y=0,
            yref="paper",
            text=deadline_label,
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font={"color": "#555555", "size": 12},
        )
        dates.append(deadline)
    if dates:
        ticks, ticktext = norwegian_date_ticks(min(dates), max(dates))
        fig.update_xaxes(tickvals=ticks, ticktext=ticktext)
    shown = list(s[value_col].to_list())
    if projection is not None:
        shown += [projection[c].max() for c in (value_col, high_col) if c in projection.columns]
    if published is not None and published.height:
        shown += published[value_col].to_list()
    top = max([v for v in shown if v is not None] + [ambition or 0, 1])
    fig.update_yaxes(title=y_title, rangemode="tozero", range=[0, top * 1.12])
    return _finish_chart(fig, title, height, synthetic)


LINE_STYLES: Final = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
LINE_PALETTE: Final = (
    OKABE_ITO["blaa"],
    OKABE_ITO["vermilion"],
    OKABE_ITO["blaagronn"],
    OKABE_ITO["rodlilla"],
    OKABE_ITO["oransje"],
    OKABE_ITO["svart"],
)


def share_chart(
    df: pl.DataFrame,
    *,
    group_col: str,
    date_col: str = "dato",
    value_col: str = "andel",
    threshold: float | None = None,
    threshold_label: str = "Krav",
    y_title: str = "Andel",
    title: str | None = None,
    synthetic: bool = False,
    height: int = CHART_HEIGHT,
) -> go.Figure:
    """Shares (0-1) over time, one line per group: colour and dash pattern both differ, so
    the lines stay apart in greyscale and for colour-blind readers."""
    fig = go.Figure()
    groups = list(dict.fromkeys(df.sort(group_col)[group_col].to_list()))
    for i, group in enumerate(groups):
        part = df.filter(pl.col(group_col) == group).sort(date_col)
        fig.add_trace(
            go.Scatter(
                x=part[date_col].to_list(),
                y=[None if v is None else v * 100 for v in part[value_col].to_list()],
                mode="lines",
                name=str(group),
                line={
                    "color": LINE_PALETTE[i % len(LINE_PALETTE)],
                    "width": 2.5,
                    "dash": LINE_STYLES[i % len(LINE_STYLES)],
                },
                hovertemplate=f"{html.escape(str(group))}<br>%{{x|%m.%Y}}: %{{y:.1f}}\u00a0%"
                "<extra></extra>",
            )
        )
    if threshold is not None:
        fig.add_hline(
            y=threshold * 100,
            line={"color": AMBITION_COLOUR, "width": 2, "dash": "dot"},
            annotation_position="bottom right",
            annotation={
                "text": f"{threshold_label}: {_number_text(threshold * 100)}\u00a0%",
                "font": {"color": AMBITION_COLOUR},
            },
        )
    first, last = df[date_col].min(), df[date_col].max()
    if isinstance(first, date) and isinstance(last, date):
        ticks, ticktext = norwegian_date_ticks(first, last)
        fig.update_xaxes(tickvals=ticks, ticktext=ticktext)
    fig.update_yaxes(title=y_title, ticksuffix="\u00a0%", range=[0, 105])
    return _finish_chart(fig, title, height, synthetic)


# ---------------------------------------------------------------------------------------------
# Showing a figure: interactive HTML and a static SVG from the same call


QUARTO_INFO_ENV: Final = "QUARTO_EXECUTE_INFO"
QUARTO_DOCUMENT_ENV: Final = "QUARTO_DOCUMENT_PATH"
# Quarto's target formats -> ours (only typst makes the PDF here).
QUARTO_TARGETS: Final = {"html": "html", "typst": "pdf"}
QUARTO_FIGURE_DIR: Final = "_ehelse-figurer"  # "_": Quarto never renders it as an input


def quarto_target() -> str | None:
    """The format Quarto is executing the document for, from the JSON file it names in
    QUARTO_EXECUTE_INFO (``format.identifier.target-format``); None outside Quarto."""
    path = os.environ.get(QUARTO_INFO_ENV)
    if not path:
        return None
    try:
        info = json.loads(Path(path).read_text(encoding="utf-8"))
        target = info["format"]["identifier"]["target-format"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return QUARTO_TARGETS.get(str(target), str(target))


def targets() -> set[str]:
    """The renderings to produce: EHELSE_TARGET (set by ``ehelse report`` on both paths),
    else the format Quarto is rendering, else HTML (an interactive session)."""
    raw = os.environ.get(TARGET_ENV) or quarto_target() or "html"
    return {t.strip() for t in raw.split(",") if t.strip()} or {"html"}


def in_quarto() -> bool:
    """Quarto runs this kernel (it sets QUARTO_DOCUMENT_PATH for it)."""
    return bool(os.environ.get(QUARTO_DOCUMENT_ENV))


def _slug(text: str) -> str:
    from analysis.fmt import slug

    return slug(text, "figur")


def _script_json(data: Any) -> str:
    """JSON safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


# Opened from disk (file://), a page has an opaque origin and Chromium refuses maplibre's
# module worker from a blob: URL ("Refused to cross-origin redirects of the top-level worker
# script"), so maps stay blank. The worker code plotly bundles is handed over as a data: URL
# instead, which Chromium accepts; pages served over http(s) are left alone.
LOADER_JS: Final = """
(function () {
  if (location.protocol !== "file:" || window.ehelseBlobShim) { return; }
  window.ehelseBlobShim = true;
  var OrigBlob = window.Blob, sources = new WeakMap(), create = URL.createObjectURL;
  function ShimBlob(parts, options) {
    var blob = new OrigBlob(parts, options);
    if (options && options.type === "text/javascript" && parts && parts.length === 1 &&
        typeof parts[0] === "string") { sources.set(blob, parts[0]); }
    return blob;
  }
  ShimBlob.prototype = OrigBlob.prototype;
  window.Blob = ShimBlob;
  URL.createObjectURL = function (obj) {
    if (sources.has(obj)) {
      return "data:text/javascript;charset=utf-8," + encodeURIComponent(sources.get(obj));
    }
    return create.call(URL, obj);
  };
})();
window.ehelse = window.ehelse || {};
ehelse.geo = ehelse.geo || {};
ehelse.draw = function (id) {
  var el = document.getElementById(id + "-data");
  if (!el || el.dataset.drawn) { return; }
  el.dataset.drawn = "1";
  var spec = JSON.parse(el.textContent);
  (spec.data || []).forEach(function (t) {
    if (typeof t.geojson === "string" && t.geojson.indexOf("ehelse-geo-") === 0) {
      if (!ehelse.geo[t.geojson]) {
        ehelse.geo[t.geojson] = JSON.parse(document.getElementById(t.geojson).textContent);
      }
      t.geojson = ehelse.geo[t.geojson];
    }
  });
  Plotly.newPlot(id, spec.data, spec.layout, spec.config).then(function (gd) {
    // maplibre names every map canvas "Map": give each its figure's description instead,
    // so a screen reader can tell the maps (landmarks) apart.
    var fig = document.getElementById(id.replace(/-plot$/, ""));
    var label = fig && fig.getAttribute("aria-label");
    if (!label) { return; }
    gd.querySelectorAll(".maplibregl-canvas").forEach(function (c) {
      c.setAttribute("aria-label", "Interaktivt kart. " + label);
    });
  });
};
"""


def _once(key: str) -> bool:
    """True the first time a key is seen in this process (one kernel renders the report)."""
    if key in _emitted:
        return False
    _emitted.add(key)
    return True


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _html(fig: go.Figure, fig_id: str, caption: str, alt: str, csv: pl.DataFrame | None) -> str:
    spec = json.loads(fig.to_json())
    parts: list[str] = []
    if _once("loader"):
        parts.append(f"<script>{LOADER_JS}</script>")
    if _once("plotly.js"):
        parts.append(f"<script>{_plotly_js()}</script>")
    for trace in spec.get("data", []):
        geo = geojson_of(trace.get("geojson"))
        if geo is None:
            continue
        key = geojson_ref(geo) if isinstance(trace["geojson"], dict) else trace["geojson"]
        if _once(key):
            parts.append(f'<script type="application/json" id="{key}">{_script_json(geo)}</script>')
        trace["geojson"] = key
    height = int(spec.get("layout", {}).get("height") or CHART_HEIGHT)
    spec["config"] = {"displayModeBar": False, "responsive": True, "scrollZoom": False}
    download = ""
    if csv is not None:
        flat = csv.select([c for c, t in csv.schema.items() if not t.is_nested()])
        flat = flat.with_columns(
            spreadsheet_expr(c) for c, t in flat.schema.items() if t == pl.String
        )
        payload = base64.b64encode(flat.write_csv().encode("utf-8")).decode("ascii")
        download = (
            f' <a class="ehelse-csv" download="{fig_id}.csv" '
            f'href="data:text/csv;charset=utf-8;base64,{payload}">'
            "Last ned tallene (CSV)</a>"
        )
    parts.append(
        f'<figure class="ehelse-figur" id="{fig_id}" aria-label="{html_text(alt)}">'
        f'<div class="ehelse-plot" id="{fig_id}-plot" style="height:{height}px"></div>'
        f'<script type="application/json" id="{fig_id}-plot-data">{_script_json(spec)}</script>'
        f'<script>ehelse.draw("{fig_id}-plot");</script>'
        f"<figcaption>{html_text(caption)}{download}</figcaption></figure>"
    )
    return "\n".join(parts)


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
    meta = fig.layout.meta
    if isinstance(meta, Mapping) and meta.get("ehelse_inset"):
        _add_inset(out)
    return out


def _add_inset(fig: go.Figure) -> None:
    """The same municipalities again, enlarged in a framed box (a second geo subplot)."""
    (west, east), (south, north) = INSET_LON, INSET_LAT

    def inside(feature: Mapping[str, Any]) -> bool:
        points = list(_coordinates(feature["geometry"]))
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


def _kaleido_start() -> None:
    """Start the one browser kaleido keeps open; safe to call from several threads."""
    import shutil

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


def prewarm() -> None:
    """Start the browser in the background when static figures will be wanted, so it starts
    while the chapters import and load their data (a render calls this first)."""
    if "pdf" not in targets():
        return

    def start() -> None:
        try:
            _kaleido_start()
        except Exception as exc:  # reported again, with its message, by the first figure
            STATS["prewarm_error"] = str(exc)

    threading.Thread(target=start, name="kaleido-prewarm", daemon=True).start()


def close() -> None:
    """Stop the browser kaleido kept open (the end of a render)."""
    import kaleido

    if STATS["kaleido_start_s"] is not None:
        kaleido.stop_sync_server(silence_warnings=True)
        STATS["kaleido_start_s"] = None


def static_svg(fig: go.Figure, width: int = STATIC_WIDTH, height: int | None = None) -> str:
    """SVG of the figure from the kaleido server kept open for the whole render."""
    import kaleido

    _kaleido_start()
    h = height or int(fig.layout.height or CHART_HEIGHT)
    t0 = time.perf_counter()
    svg = kaleido.calc_fig_sync(
        static_figure(fig),
        opts={"format": "svg", "width": width, "height": h},
        topojson=_topojson_stub(),
    )
    STATS["static_s"].append(round(time.perf_counter() - t0, 3))
    return svg.decode("utf-8") if isinstance(svg, bytes) else str(svg)


def _with_boundary_caption(fig: go.Figure, caption: str) -> str:
    """A map's caption with what its boundaries require said: the note on derived
    boundaries and the source and licence, each unless the caption already has it."""
    meta = fig.layout.meta
    info = meta.get("ehelse_boundaries") if isinstance(meta, Mapping) else None
    if not isinstance(info, Mapping):
        return caption
    for part in (info.get("note"), info.get("attribution")):
        if part and part not in caption:
            caption = f"{caption} {part}"
    return caption


class FigureOutput:
    """A figure as the two exporters see it: text/html for the page, SVG for the PDF."""

    def __init__(
        self,
        fig: go.Figure,
        *,
        caption: str,
        alt: str,
        name: str | None = None,
        data: pl.DataFrame | None = None,
        static_height: int | None = None,
        static_width: int | None = None,
    ) -> None:
        if not caption.strip() or not alt.strip():
            raise ValueError(
                "Hver figur trenger både bildetekst (caption) og alternativ tekst (alt)"
            )
        self.fig = fig
        self.caption = _with_boundary_caption(fig, caption.strip())
        self.alt = alt.strip()
        self.name = _slug(name or caption)[:60]
        self.data = data
        self.static_height = static_height
        self.static_width = static_width

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        want = targets()
        STATS["figures"] += 1
        fig_id = f"fig-{self.name}-{STATS['figures']}"
        bundle: dict[str, Any] = {"text/plain": f"<Figur: {self.caption}>"}
        meta: dict[str, Any] = {
            "ehelse": {
                "caption": self.caption,
                "alt": self.alt,
                "name": fig_id,
                "synthetic": is_synthetic(self.fig),
            }
        }
        if "html" in want:
            bundle["text/html"] = _html(self.fig, fig_id, self.caption, self.alt, self.data)
        if "pdf" in want:
            width = self.static_width or STATIC_WIDTH
            height = self.static_height
            if height is None and self.static_width:  # narrower, same shape
                height = round(int(self.fig.layout.height or CHART_HEIGHT) * width / STATIC_WIDTH)
            svg = static_svg(self.fig, width=width, height=height)
            if in_quarto():
                # Quarto would take the caption and alt text from cell options, which a
                # figure made in a loop does not have: the figure goes in as Typst instead.
                bundle["text/markdown"] = typst_figure(
                    svg, fig_id, self.caption, self.alt, synthetic=is_synthetic(self.fig)
                )
            else:
                bundle["image/svg+xml"] = svg
        return bundle, meta


def typst_figure(svg: str, fig_id: str, caption: str, alt: str, synthetic: bool = False) -> str:
    """A figure for Quarto's Typst: the SVG in a file beside the document, placed with the
    template's ``ehelse-figur`` so its alternative text reaches the tagged PDF."""
    from analysis.present.tables import typst_string

    folder = Path(os.environ.get(QUARTO_DOCUMENT_ENV) or ".") / QUARTO_FIGURE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{fig_id}.svg").write_text(svg, encoding="utf-8")
    # Typst resolves a path where `image` is written: here, in the document beside the folder.
    path, text = typst_string(f"{QUARTO_FIGURE_DIR}/{fig_id}.svg"), typst_string(alt)
    return (
        f"```{{=typst}}\n#ehelse-figur(image({path}, alt: {text}, width: 100%), alt: {text}, "
        f"caption: {typst_string(caption)}{', eksempel: true' if synthetic else ''})\n```\n\n"
    )


def show(
    fig: go.Figure,
    *,
    caption: str,
    alt: str,
    name: str | None = None,
    data: pl.DataFrame | None = None,
    static_height: int | None = None,
    static_width: int | None = None,
) -> None:
    """Display a figure in a chapter: caption and alt text are required; ``data`` becomes a
    CSV download under the figure in HTML; ``static_width`` draws the PDF's figure narrower
    (for a column), so its text is larger on the page."""
    from IPython.display import display

    output = FigureOutput(
        fig,
        caption=caption,
        alt=alt,
        name=name,
        data=data,
        static_height=static_height,
        static_width=static_width,
    )
    display(output)


__all__ = [
    "EKSEMPELDATA",
    "IKKE_STARTET",
    "INGEN_DATA",
    "OKABE_ITO",
    "SEQUENTIAL",
    "STATUS_COLOURS",
    "STATUS_LABELS",
    "STATUS_ORDER",
    "FigureError",
    "FigureOutput",
    "close",
    "geojson_of",
    "geojson_ref",
    "in_quarto",
    "is_synthetic",
    "map_view",
    "mark_synthetic",
    "municipality_map",
    "norwegian_date_ticks",
    "prewarm",
    "quarto_target",
    "share_chart",
    "show",
    "static_figure",
    "static_svg",
    "targets",
    "trend_chart",
    "typst_figure",
]
