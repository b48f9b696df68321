"""Maps: municipalities or counties coloured by category, on a white background (no tiles).

Each map is plotly's ``choropleth`` trace on a ``geo`` subplot (d3-geo, SVG): hover, pan and
zoom work without WebGL or map tiles, and the page's plotly.js stays small (report/vendor/plotly).

A map receives its division as an argument (``Boundaries``) and never converts data itself.
Boundaries are held here and traces refer to them by name (``geojson_ref``): a plotly figure
that held them would copy them on every trace and every serialisation (seconds per map), and
the page would carry a copy per figure. The names are content hashes, so equal boundaries
share one, and the page carries each set once (analysis.present.output).
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Final

import plotly.graph_objects as go
import polars as pl

from analysis.escape import html_text
from analysis.present.theme import (
    INGEN_DATA,
    MAP_HEIGHT,
    OKABE_ITO,
    SEQUENTIAL,
    STATUS_COLOURS,
    STATUS_LABELS,
    STATUS_ORDER,
    make_figure,
    mark_synthetic,
)

if TYPE_CHECKING:
    from analysis.reference.boundaries import Boundaries

GEO_PREFIX: Final = "ehelse-geo-"
# The drawn areas fill the map (fitbounds), in web mercator as on any web map, with none of
# plotly's own base layers (coastlines, countries): the boundaries are all there is.
GEO_LAYOUT: Final = {
    "fitbounds": "locations",
    "visible": False,
    "projection": {"type": "mercator"},
    "bgcolor": "white",
}
# On paper a map of the whole country gets an inset of the densest part, around Oslo, where
# municipalities are too small to tell apart at A4 (in the open space over Sweden): a map
# that draws this municipality and all the country is marked for it (analysis.present.static).
INSET_ANCHOR: Final = "0301"


def exterior_points(geometry: Mapping[str, Any]) -> Iterable[Sequence[float]]:
    """The points of a (multi)polygon's exterior rings, which bound it."""
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    for polygon in polygons:
        yield from polygon[0]


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


def _polyline(values: Iterable[int]) -> str:
    """Integers in the Encoded Polyline Algorithm Format: zigzag, then 5 bits a character
    from "?" (63) on, a set sixth bit meaning "more follows"; 1-2 characters for the steps
    between the points of a boundary, against 7-9 as JSON numbers."""
    out: list[str] = []
    for value in values:
        v = ~(value << 1) if value < 0 else value << 1
        while v >= 0x20:
            out.append(chr((0x20 | (v & 0x1F)) + 63))
            v >>= 5
        out.append(chr(v + 63))
    return "".join(out)


@cache
def _page_boundaries(ref: str) -> dict[str, Any]:
    import numpy as np

    from analysis.reference.simplify import COORDINATE_DECIMALS

    geojson = _GEOJSON[ref]
    step = 10.0**-COORDINATE_DECIMALS
    rings = [
        np.rint(np.asarray(ring, dtype=np.float64)[::-1, :2] / step).astype(np.int64)
        for f in geojson["features"]
        for polygon in _polygons(f["geometry"])
        for ring in polygon
    ]
    origin = np.min([r.min(axis=0) for r in rings], axis=0) if rings else np.zeros(2, np.int64)
    encoded = iter(
        _polyline(np.diff(r, axis=0, prepend=origin[None, :]).ravel().tolist()) for r in rings
    )
    features = [
        {
            "type": "Feature",
            "id": f["id"],
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [
                    [next(encoded) for _ in polygon] for polygon in _polygons(f["geometry"])
                ],
            },
        }
        for f in geojson["features"]
    ]
    return {
        "type": "FeatureCollection",
        "ehelse": {"step": step, "origin": origin.tolist()},
        "features": features,
    }


def page_boundaries(geojson: Mapping[str, Any]) -> dict[str, Any]:
    """The boundaries as the web page carries them, a third of their GeoJSON: each ring a
    string of steps on the boundaries' own grid (``COORDINATE_DECIMALS``, so nothing moves),
    as ``_polyline`` encodes them, the first from ``origin``; the loader
    (report/templates/ehelse.js) makes them GeoJSON again. The rings are reversed: d3-geo
    (plotly's geo subplot) reads GeoJSON's counter-clockwise exterior rings (RFC 7946) as
    the whole globe less the area. Properties are left out: a map names its areas itself."""
    return _page_boundaries(geojson_ref(geojson))


def _polygons(geometry: Mapping[str, Any]) -> list[Any]:
    coords = geometry["coordinates"]
    return [coords] if geometry["type"] == "Polygon" else list(coords)


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


def _boundary_meta(
    layout: dict[str, Any], boundaries: Boundaries, drawn: Iterable[str] | None = None
) -> None:
    """What the caption must say about the boundaries (see FigureOutput); the note on areas
    drawn as one only when the map draws such an area."""
    shown = set(drawn) if drawn is not None else None
    shares = shown is None or any(a in shown for a in boundaries.shared)
    layout["meta"] = {
        **layout.get("meta", {}),
        "ehelse_boundaries": {
            "division": boundaries.division,
            "note": boundaries.note if shares else None,
            "attribution": boundaries.credit or boundaries.attribution,
        },
    }


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
    data, layout = _choropleth(
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
        titled=bool(title),
        area_names=boundaries.area_names if boundaries is not None else None,
    )
    if region is None and codes is None and INSET_ANCHOR in set(drawn):
        layout["meta"] = {"ehelse_inset": True}  # the whole country: see analysis.present.static
    if boundaries is not None:
        _boundary_meta(layout, boundaries, drawn)
    if synthetic:
        mark_synthetic(layout, corner="bottom")
    return make_figure(data, layout, title, height)


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
    data, layout = _choropleth(
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
        titled=bool(title),
    )
    _boundary_meta(layout, boundaries)
    if synthetic:
        mark_synthetic(layout, corner="bottom")
    return make_figure(data, layout, title, height)


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
    titled: bool,
    area_names: Mapping[str, str] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One trace per category over the named boundaries ``shown``, for the ids ``drawn``:
    the traces and the layout, as dicts (``make_figure``)."""
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

    data: list[dict[str, Any]] = []
    for category in order:
        members = [c for c in drawn if (values[c] or INGEN_DATA) == category]
        if not members:
            continue
        label = text.get(category, category)
        data.append(
            {
                "type": "choropleth",
                "geojson": ref,
                "locations": members,
                "z": [1] * len(members),
                "featureidkey": "id",
                "colorscale": [[0, palette[category]], [1, palette[category]]],
                "showscale": False,
                "name": f"{label} ({len(members)})",
                "legendgroup": category,
                "showlegend": True,
                "customdata": [[html_text(names.get(c, c))] for c in members],
                "hovertemplate": f"%{{customdata[0]}} (%{{location}})<br>{html.escape(label)}"
                "<extra></extra>",
                "marker": {"line": {"color": "white", "width": 0.6}},
            }
        )
    layout = {
        "geo": GEO_LAYOUT,
        "margin": {"l": 0, "r": 0, "t": 40 if titled else 8, "b": 0},
        "legend": {
            "title": {"text": legend_title or ""},
            "x": 0.01,
            "y": 0.99,
            "xanchor": "left",
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.85)",
        },
    }
    return data, layout


__all__ = [
    "GEO_LAYOUT",
    "GEO_PREFIX",
    "INSET_ANCHOR",
    "county_map",
    "exterior_points",
    "geojson_of",
    "geojson_ref",
    "municipality_map",
    "page_boundaries",
]
