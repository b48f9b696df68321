"""The house style of every figure: colours, fonts, sizes, the plotly template and the
Eksempeldata label.

Colours are Okabe-Ito (told apart with the common colour-vision deficiencies) and, for ordered
classes, viridis (ordered in greyscale too). Every builder ends with ``make_figure``, so a chart
and a map share font, number separators and background.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, Final

import plotly.graph_objects as go

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
# Lines of several groups differ in colour and in dash pattern, so they stay apart in greyscale.
LINE_STYLES: Final = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
LINE_PALETTE: Final = (
    OKABE_ITO["blaa"],
    OKABE_ITO["vermilion"],
    OKABE_ITO["blaagronn"],
    OKABE_ITO["rodlilla"],
    OKABE_ITO["oransje"],
    OKABE_ITO["svart"],
)
FONT_FAMILY: Final = "Liberation Sans, DejaVu Sans, Arial, sans-serif"
SEPARATORS: Final = ",\u00a0"  # decimal comma, no-break space between thousands
TEMPLATE: Final = "plotly_white"
EKSEMPELDATA: Final = "Eksempeldata"

MAP_HEIGHT: Final = 720
CHART_HEIGHT: Final = 420
STATIC_WIDTH: Final = 700  # px; at A4 text width 1 px is about 0.23 mm


# The trace types the report draws (those of its plotly.js bundle, report/vendor/plotly).
TRACE_TYPES: Final = ("scatter", "choropleth")


@cache
def _template() -> go.layout.Template:
    """plotly_white cut to the layout and the trace types the report draws. plotly copies a
    template into every figure: with the whole one, defaults for two dozen trace types,
    applying the house layout took 29 ms per figure, with this one 8 ms."""
    import plotly.io as pio

    full = pio.templates[TEMPLATE]
    return go.layout.Template(layout=full.layout, data={t: full.data[t] for t in TRACE_TYPES})


def house_layout(title: str | None, height: int) -> dict[str, Any]:
    """The house layout: template, title on the left, font, separators, white background."""
    layout: dict[str, Any] = {
        "template": _template(),
        "font": {"family": FONT_FAMILY, "size": 14, "color": TEXT_COLOUR},
        "separators": SEPARATORS,
        "height": height,
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
    }
    if title:
        layout["title"] = {"text": title, "x": 0, "xanchor": "left"}
    return layout


def make_figure(
    data: list[dict[str, Any]], layout: dict[str, Any], title: str | None, height: int
) -> go.Figure:
    """A figure from its traces and layout as plain dicts, in the house layout, checked by
    plotly once. The builders write dicts rather than calling ``add_trace`` and
    ``update_layout``, each of which checks and merges again: a chart took 34 ms that way,
    5 ms this way, for the same figure. The template (``_template``, checked when it was made)
    is put in as plotly puts in its default one, without checking it again for every figure
    (half of what is left)."""
    house = house_layout(title, height)
    template = house.pop("template")
    fig = go.Figure({"data": data, "layout": {**layout, **house, "template": {}}})
    fig._layout_obj._validate = False
    try:
        fig.layout.template = template
    finally:
        fig._layout_obj._validate = fig._validate
    return fig


def figure_meta(fig: go.Figure | Mapping[str, Any]) -> Mapping[str, Any]:
    """``layout.meta`` of a figure or of its JSON."""
    meta = fig.layout.meta if isinstance(fig, go.Figure) else (fig.get("layout") or {}).get("meta")
    return meta if isinstance(meta, Mapping) else {}


def mark_synthetic(layout: dict[str, Any], corner: str = "above") -> dict[str, Any]:
    """A visible label inside the figure, so a screenshot or a printout cannot lose it:
    ``above`` the plot area on the right (charts), or in the ``bottom`` right corner (maps of
    Norway, where that corner is open sea). An annotation in the layout dict, with
    ``layout.meta`` saying so."""
    above = corner == "above"
    label = {
        "text": f"<b>{EKSEMPELDATA}</b>",
        "xref": "paper",
        "yref": "paper",
        "x": 1,
        "y": 1.01 if above else 0.01,
        "xanchor": "right",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": 16, "color": "#7A0019", "family": FONT_FAMILY},
        "bgcolor": "#FFF3CD",
        "bordercolor": "#7A0019",
        "borderwidth": 1,
        "borderpad": 4,
    }
    layout["annotations"] = [*layout.get("annotations", []), label]
    layout["meta"] = {**layout.get("meta", {}), "ehelse_synthetic": True}
    return layout


def is_synthetic(fig: go.Figure | Mapping[str, Any]) -> bool:
    return bool(figure_meta(fig).get("ehelse_synthetic"))


__all__ = [
    "AMBITION_COLOUR",
    "CHART_HEIGHT",
    "EKSEMPELDATA",
    "FONT_FAMILY",
    "IKKE_STARTET",
    "INGEN_DATA",
    "LINE_COLOUR",
    "LINE_PALETTE",
    "LINE_STYLES",
    "MAP_HEIGHT",
    "OKABE_ITO",
    "PROJECTION_COLOUR",
    "PUBLISHED_COLOUR",
    "SEPARATORS",
    "SEQUENTIAL",
    "STATIC_WIDTH",
    "STATUS_COLOURS",
    "STATUS_LABELS",
    "STATUS_ORDER",
    "TEMPLATE",
    "TEXT_COLOUR",
    "figure_meta",
    "house_layout",
    "is_synthetic",
    "make_figure",
    "mark_synthetic",
]
