"""The one Norwegian (bokmål) formatting of numbers, percentages, dates and months.

A narrow no-break space between thousands (it never wraps inside a number), a decimal comma,
a true minus sign, "%" after a no-break space; dates as 31.12.2023 in tables and as
«31. desember 2023» in prose. Everything a reader sees goes through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

THIN: Final = "\u202f"  # narrow no-break space: the thousands separator
NBSP: Final = "\u00a0"
DASH: Final = "–"  # shown for a missing value


def format_int(value: int | float | None) -> str:
    """1234567 -> "1 234 567" (narrow no-break spaces); None -> "–"."""
    if value is None:
        return DASH
    return f"{round(value):,}".replace(",", THIN).replace("-", "−")


def format_number(value: float | None, decimals: int = 1) -> str:
    """1234.56 -> "1 234,6"."""
    if value is None:
        return DASH
    if round(value, decimals) == 0:
        value = 0.0  # never "−0,0"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", THIN).replace("-", "−")


def format_percent(share: float | None, decimals: int = 0) -> str:
    """A share (0-1) as a percentage: 0.8647 -> "86 %"."""
    if share is None:
        return DASH
    return f"{format_number(share * 100, decimals)}{NBSP}%"


def format_date(value: Any) -> str:
    """A date as 28.11.2026."""
    if value is None:
        return DASH
    return f"{value.day:02d}.{value.month:02d}.{value.year}"


MONTH_NAMES: Final = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
                      "september", "oktober", "november", "desember")  # fmt: skip


def format_month(value: Any) -> str:
    """A date as its month: "mars 2024"."""
    if value is None:
        return DASH
    return f"{MONTH_NAMES[value.month - 1]} {value.year}"


def format_expected(kategori: str | None, expected: Any, low: Any = None, high: Any = None) -> str:
    """The expected date of reaching the ambition as text: "mars 2024 (februar–april 2024)",
    "nådd juli 2023", or a dash when it cannot be computed."""
    if expected is None:
        return DASH
    if kategori == "nådd":
        return f"nådd {format_month(expected)}"
    text = format_month(expected)
    if low is not None and high is not None and (low.year, low.month) != (high.year, high.month):
        return f"{text} ({format_month(low)}–{format_month(high)})"
    if low is not None and high is None:
        return f"{text} (tidligst {format_month(low)}, senest ukjent)"
    return text


def format_amount(value: float | None) -> str:
    """A count that may be a proportional share: 170 -> "170", 20.53 -> "20,5"."""
    if value is None:
        return DASH
    if float(value).is_integer():
        return format_int(value)
    return format_number(value, 1)


def date_text(value: Any) -> str:
    """A date in prose: 31. desember 2023."""
    if value is None:
        return DASH
    return f"{value.day}. {MONTH_NAMES[value.month - 1]} {value.year}"


def join_names(names: Sequence[str], word: str = "og") -> str:
    """["a", "b", "c"] -> "a, b og c" (or "a, b eller c" with ``word="eller"``)."""
    names = list(names)
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f" {word} " + names[-1]
