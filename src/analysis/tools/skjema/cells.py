"""Cells of a form: the formats, and text and dates written so that nothing from data is
ever a formula (a text that would start one when typed gets Excel's quote prefix, as
``analysis.escape.spreadsheet_text`` decides)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from analysis.escape import spreadsheet_text


class Formats:
    """xlsxwriter formats made once, with a quote-prefix twin for text that looks like a
    formula."""

    def __init__(self, wb: Any) -> None:
        self.wb = wb
        self._made: dict[tuple[str, bool], Any] = {}
        self.props: dict[str, dict[str, Any]] = {
            "title": {"bold": True, "font_size": 14},
            "note": {"italic": True, "text_wrap": True, "valign": "top"},
            "warn": {
                "bold": True,
                "font_color": "#9C0006",
                "bg_color": "#FFC7CE",
                "text_wrap": True,
            },
            "header": {
                "bold": True,
                "bg_color": "#DCE6F1",
                "bottom": 1,
                "text_wrap": True,
                "valign": "top",
            },
            "locked": {"bg_color": "#F2F2F2", "valign": "top"},
            "locked_date": {"bg_color": "#F2F2F2", "num_format": "dd.mm.yyyy", "valign": "top"},
            "answer": {"locked": False, "border": 1, "border_color": "#A6A6A6", "valign": "top"},
            "answer_date": {
                "locked": False,
                "border": 1,
                "border_color": "#A6A6A6",
                "num_format": "dd.mm.yyyy",
                "valign": "top",
            },
            "answer_wrap": {
                "locked": False,
                "border": 1,
                "border_color": "#A6A6A6",
                "text_wrap": True,
                "valign": "top",
            },
            "wrap": {"text_wrap": True, "valign": "top"},
            "bold_wrap": {"bold": True, "text_wrap": True, "valign": "top"},
        }

    def __call__(self, name: str, quote: bool = False) -> Any:
        key = (name, quote)
        if key not in self._made:
            props = dict(self.props[name]) | ({"quote_prefix": True} if quote else {})
            self._made[key] = self.wb.add_format(props)
        return self._made[key]


def text_cell(ws: Any, r: int, c: int, value: str | None, f: Formats, style: str) -> int:
    """A text cell; returns its length (for the column width)."""
    if value is None or value == "":
        ws.write_blank(r, c, None, f(style))
        return 0
    ws.write_string(r, c, value, f(style, quote=spreadsheet_text(value) != value))
    return len(value)


def date_cell(ws: Any, r: int, c: int, value: dt.date | str | None, f: Formats, style: str) -> int:
    if value is None:
        ws.write_blank(r, c, None, f(style))
        return 0
    if isinstance(value, str):  # typed as text (the example's free-text dates)
        return text_cell(ws, r, c, value, f, style)
    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), f(style))
    return 10
