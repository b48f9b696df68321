"""Line charts: counts over time against an ambition (``trend_chart``) and shares of groups
over time (``share_chart``). They draw what they are given and compute nothing of their own.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Final

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
    apply_theme,
    mark_synthetic,
)

# Tick labels: "jan.", "feb.", ..., "mai" (plotly ships English month names only).
MONTHS: Final = tuple(m if len(m) <= 3 else f"{m[:3]}." for m in MONTH_NAMES)


def _finish_chart(fig: go.Figure, title: str | None, height: int, synthetic: bool) -> go.Figure:
    """The shared ending of the line charts: margins, legend under the plot, house layout and
    the Eksempeldata label when the data are synthetic."""
    fig.update_layout(
        margin={"l": 60, "r": 20, "t": 50 if title or synthetic else 20, "b": 40},
        legend={"orientation": "h", "y": -0.15, "x": 0},
    )
    apply_theme(fig, title, height)
    if synthetic:
        mark_synthetic(fig)
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


__all__ = ["MONTHS", "norwegian_date_ticks", "share_chart", "trend_chart"]
