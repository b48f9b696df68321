"""Line charts: counts over time against an ambition (``trend_chart``) and shares of groups
over time (``share_chart``). They draw what they are given and compute nothing of their own.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any, Final

import plotly.graph_objects as go
import polars as pl

from analysis.escape import html_text
from analysis.fmt import MONTH_NAMES
from analysis.present.theme import (
    AMBITION_COLOUR,
    CHART_HEIGHT,
    EKSEMPELDATA,
    LINE_COLOUR,
    LINE_PALETTE,
    LINE_STYLES,
    PROJECTION_COLOUR,
    PUBLISHED_COLOUR,
    make_figure,
    mark_synthetic,
)

# Tick labels: "jan.", "feb.", ..., "mai" (plotly ships English month names only).
MONTHS: Final = tuple(m if len(m) <= 3 else f"{m[:3]}." for m in MONTH_NAMES)


def _finish_chart(
    data: list[dict[str, Any]],
    layout: dict[str, Any],
    title: str | None,
    height: int,
    synthetic: bool,
) -> go.Figure:
    """The shared ending of the line charts: margins, legend under the plot, house layout and
    the Eksempeldata label when the data are synthetic."""
    layout["margin"] = {"l": 60, "r": 20, "t": 50 if title or synthetic else 20, "b": 40}
    layout["legend"] = {"orientation": "h", "y": -0.15, "x": 0}
    if synthetic:
        mark_synthetic(layout)
    return make_figure(data, layout, title, height)


def _reference_line(layout: dict[str, Any], y: float, text: str, below: bool = False) -> None:
    """A dotted horizontal line across the plot at ``y`` (an ambition, a requirement) with its
    label above it on the left, or ``below`` it on the right."""
    top = not below
    line = {"color": AMBITION_COLOUR, "width": 2, "dash": "dot"}
    shape = {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": y, "y1": y}
    layout.setdefault("shapes", []).append({**shape, "line": line})
    layout.setdefault("annotations", []).append(
        {
            "text": text,
            "font": {"color": AMBITION_COLOUR},
            "showarrow": False,
            "xref": "x domain",
            "x": 0 if top else 1,
            "xanchor": "left" if top else "right",
            "yref": "y",
            "y": y,
            "yanchor": "bottom" if top else "top",
        }
    )


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
    data: list[dict[str, Any]] = []
    layout: dict[str, Any] = {}
    s = series.sort(date_col)
    data.append(
        {
            "type": "scatter",
            "x": s[date_col].to_list(),
            "y": s[value_col].to_list(),
            "mode": "lines+markers" if s.height <= 40 else "lines",
            "name": f"{name} ({EKSEMPELDATA.lower()})" if synthetic else name,
            "line": {"color": LINE_COLOUR, "width": 3},
            "marker": {"size": 6},
            "hovertemplate": "%{x|%d.%m.%Y}: %{y}<extra></extra>",
        }
    )
    dates = list(s[date_col].to_list())
    if published is not None and published.height:
        pub = published.sort(date_col)
        sources = (
            pub["kilde"].fill_null("").to_list() if "kilde" in pub.columns else [""] * pub.height
        )
        data.append(
            {
                "type": "scatter",
                "x": pub[date_col].to_list(),
                "y": pub[value_col].to_list(),
                "mode": "markers",
                "name": f"{published_label} (virkelige tall)" if synthetic else published_label,
                "marker": {
                    "symbol": "diamond",
                    "size": 11,
                    "color": PUBLISHED_COLOUR,
                    "line": {"color": "white", "width": 1.5},
                },
                "customdata": [[html_text(str(k)[:90])] for k in sources],
                "hovertemplate": "%{x|%d.%m.%Y}: %{y}<br>%{customdata[0]}<extra></extra>",
            }
        )
        dates += pub[date_col].to_list()
    if projection is not None and projection.height:
        p = projection.sort(date_col)
        x = p[date_col].to_list()
        if low_col in p.columns and high_col in p.columns:
            data.append(
                {
                    "type": "scatter",
                    "x": x + x[::-1],
                    "y": p[high_col].to_list() + p[low_col].to_list()[::-1],
                    "fill": "toself",
                    "mode": "lines",
                    "fillcolor": "rgba(213,94,0,0.15)",
                    "line": {"width": 0},
                    "hoverinfo": "skip",
                    "name": f"{projection_label} (intervall)",
                }
            )
        data.append(
            {
                "type": "scatter",
                "x": x,
                "y": p[value_col].to_list(),
                "mode": "lines",
                "name": projection_label,
                "line": {"color": PROJECTION_COLOUR, "width": 2, "dash": "dash"},
                "hovertemplate": "%{x|%d.%m.%Y}: %{y:.0f}<extra></extra>",
            }
        )
        dates += x
    if ambition is not None:
        _reference_line(layout, ambition, f"{ambition_label}: {_number_text(ambition)}")
    if deadline is not None:
        day = deadline.isoformat()
        layout.setdefault("shapes", []).append(
            {
                "type": "line",
                "xref": "x",
                "x0": day,
                "x1": day,
                "yref": "y domain",
                "y0": 0,
                "y1": 1,
                "line": {"color": "#666666", "width": 1, "dash": "dot"},
            }
        )
        layout.setdefault("annotations", []).append(
            {
                "x": day,
                "y": 0,
                "yref": "paper",
                "text": deadline_label,
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"color": "#555555", "size": 12},
            }
        )
        dates.append(deadline)
    if dates:
        ticks, ticktext = norwegian_date_ticks(min(dates), max(dates))
        layout["xaxis"] = {"tickvals": ticks, "ticktext": ticktext}
    shown = list(s[value_col].to_list())
    if projection is not None:
        shown += [projection[c].max() for c in (value_col, high_col) if c in projection.columns]
    if published is not None and published.height:
        shown += published[value_col].to_list()
    top = max([v for v in shown if v is not None] + [ambition or 0, 1])
    layout["yaxis"] = {"title": {"text": y_title}, "rangemode": "tozero", "range": [0, top * 1.12]}
    return _finish_chart(data, layout, title, height, synthetic)


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
    data: list[dict[str, Any]] = []
    layout: dict[str, Any] = {}
    groups = list(dict.fromkeys(df.sort(group_col)[group_col].to_list()))
    for i, group in enumerate(groups):
        part = df.filter(pl.col(group_col) == group).sort(date_col)
        data.append(
            {
                "type": "scatter",
                "x": part[date_col].to_list(),
                "y": [None if v is None else v * 100 for v in part[value_col].to_list()],
                "mode": "lines",
                "name": str(group),
                "line": {
                    "color": LINE_PALETTE[i % len(LINE_PALETTE)],
                    "width": 2.5,
                    "dash": LINE_STYLES[i % len(LINE_STYLES)],
                },
                "hovertemplate": f"{html.escape(str(group))}<br>%{{x|%m.%Y}}: "
                "%{y:.1f}\u00a0%<extra></extra>",
            }
        )
    if threshold is not None:
        text = f"{threshold_label}: {_number_text(threshold * 100)}\u00a0%"
        _reference_line(layout, threshold * 100, text, below=True)
    first, last = df[date_col].min(), df[date_col].max()
    if isinstance(first, date) and isinstance(last, date):
        ticks, ticktext = norwegian_date_ticks(first, last)
        layout["xaxis"] = {"tickvals": ticks, "ticktext": ticktext}
    layout["yaxis"] = {"title": {"text": y_title}, "ticksuffix": "\u00a0%", "range": [0, 105]}
    return _finish_chart(data, layout, title, height, synthetic)


__all__ = ["MONTHS", "norwegian_date_ticks", "share_chart", "trend_chart"]
