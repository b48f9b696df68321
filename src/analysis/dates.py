"""Month ends and month shifts: the calendar arithmetic the metrics, the edition and the
example data share."""

from __future__ import annotations

import re
from datetime import date

_NORWEGIAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def written_date(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a date as a person writes it: 31.12.2023 (or 1.7.2022) or ISO
    2023-12-31; None for anything else. The day may not exist (31.02.2023): ``date`` says."""
    text = text.strip()
    if m := _NORWEGIAN_DATE.fullmatch(text):
        day, month, year = (int(g) for g in m.groups())
        return year, month, day
    if m := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in m.groups())
        return year, month, day
    return None


def month_end(d: date) -> date:
    """The last day of the month of ``d``."""
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def shift_months(d: date, months: int) -> date:
    """The same day ``months`` later (earlier if negative), clamped to the month's end."""
    total = d.year * 12 + d.month - 1 + months
    y, m = divmod(total, 12)
    return date(y, m + 1, min(d.day, month_end(date(y, m + 1, 1)).day))


def month_ends(start: date, end: date) -> list[date]:
    """Month ends from the one of ``start`` up to ``end``, plus ``end`` itself if not one."""
    out: list[date] = []
    y, m = start.year, start.month
    while (last := month_end(date(y, m, 1))) <= end:
        out.append(last)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    if not out or out[-1] != end:
        out.append(end)
    return out
