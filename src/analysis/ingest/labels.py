"""Status labels, solution names and dates as the sources write them.

The vocabularies are committed data (``data/trinn.csv``, ``data/losninger.csv``,
``data/maaneder.csv``, ``data/publisert_beskrivelser.csv``), so a new label, a new solution or a
new month spelling is a new line in a file, not a code change. Dates keep their precision: a
month-only date means the first of that month, a year-only date the first of January, and the
precision says which.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

DATA_DIR = Path(__file__).resolve().parent / "data"
NO_STEP = "ingen"  # a label that explicitly says no step was reached ("ikke startet")
EXCEL_EPOCH = dt.date(1899, 12, 30)

Precision = Literal["dag", "maaned", "aar"]


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def label_key(text: str) -> str:
    """Comparison key of a label: case, underscores, repeated spaces and end punctuation ignored."""
    text = unicodedata.normalize("NFC", text).casefold().replace("_", " ")
    text = re.sub(r"\s+", " ", text)
    return text.strip(" .:;,-–")


def compact_key(text: str) -> str:
    """A looser key for names: spaces, hyphens and dashes do not count either."""
    return re.sub(r"[\s\-–—.()/]+", "", label_key(text))


# -- status labels ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """What a status label means: a step on the ladder (or ``NO_STEP``)."""

    trinn: str
    future_as_planned: bool = False  # a future date means the step is planned, not an error
    note: str = ""


@cache
def status_vocabulary() -> dict[str, Step]:
    out: dict[str, Step] = {}
    for r in _rows("trinn.csv"):
        out[label_key(r["etikett"])] = Step(
            r["trinn"], r["fremtidig_dato"] == "planlagt", r["merknad"] or ""
        )
    return out


_PARENS = re.compile(r"\([^)]*\)")


def parse_status(text: str | None) -> Step | None:
    """The step a label names, or None for an unknown label.

    A parenthetical remark does not count: "tatt i bruk (først ut)" is "tatt i bruk".
    """
    if text is None:
        return None
    vocab = status_vocabulary()
    key = label_key(text)
    if key in vocab:
        return vocab[key]
    key = label_key(_PARENS.sub(" ", text))
    return vocab.get(key)


def remark(text: str) -> str | None:
    """The parenthetical remarks of a label, joined, or None."""
    found = [m.strip("() ") for m in _PARENS.findall(text)]
    return "; ".join(f for f in found if f) or None


# -- solutions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Solution:
    id: str
    navn: str


@cache
def solutions() -> dict[str, Solution]:
    return {r["id"]: Solution(r["id"], r["navn"]) for r in _rows("losninger.csv")}


@cache
def _solution_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for r in _rows("losninger.csv"):
        for name in [r["id"], r["navn"], *r["alias"].split("|")]:
            if name.strip():
                keys[compact_key(name)] = r["id"]
    return keys


SOLUTION_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def parse_solution(text: str | None) -> str | None:
    """The solution id for a name, alias or id in the vocabulary, or None if unknown."""
    if text is None or not text.strip():
        return None
    return _solution_keys().get(compact_key(text))


# -- published descriptions ---------------------------------------------------------------------


@dataclass(frozen=True)
class Description:
    losning: str | None
    trinn: str | None
    note: str | None


@cache
def published_descriptions() -> dict[str, Description]:
    return {
        label_key(r["beskrivelse"]): Description(
            r["losning"] or None, r["trinn"] or None, r["merknad"] or None
        )
        for r in _rows("publisert_beskrivelser.csv")
    }


def parse_description(text: str) -> Description:
    """(solution, step) of a published series' free-text description.

    The committed mapping decides; a description it lacks is read as "<solution> – <status>"
    through the solution and status vocabularies, else both stay unknown (None).
    """
    known = published_descriptions().get(label_key(text))
    if known is not None:
        return known
    parts = re.split(r"\s+[–—-]\s+", text, maxsplit=1)
    head, tail = (parts[0], parts[1]) if len(parts) == 2 else (text, "")
    losning = parse_solution(head)
    step = parse_status(tail) if tail else None
    trinn = step.trinn if step and step.trinn != NO_STEP else None
    return Description(losning, trinn if losning else None, None)


# -- dates --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedDate:
    dato: dt.date
    presisjon: Precision

    @property
    def month_start(self) -> dt.date:
        return self.dato.replace(day=1)


@cache
def month_names() -> dict[str, int]:
    return {label_key(r["navn"]): int(r["maaned"]) for r in _rows("maaneder.csv")}


_DAY_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DAY_NO = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")
_MONTH_ISO = re.compile(r"(\d{4})(?:-|/|m)(\d{1,2})")
_MONTH_NO = re.compile(r"(\d{1,2})[./](\d{4})")
_DAY_NAMED = re.compile(r"(\d{1,2})\.?\s+([a-zæøå]+)\.?\s+(\d{4})")
_MONTH_NAMED = re.compile(r"([a-zæøå]+)\.?[\s\-]+(\d{4})")
_YEAR = re.compile(r"(\d{4})")
_SERIAL = re.compile(r"(\d{5})(?:\.0+)?")


def _valid_date(y: int, m: int, d: int, precision: Precision) -> ParsedDate | None:
    if not 1900 <= y <= 2100:
        return None
    try:
        return ParsedDate(dt.date(y, m, d), precision)
    except ValueError:
        return None


def parse_date(text: str | None) -> ParsedDate | None:
    """A date as Norwegian sources write it, with its precision; None if it is not a date.

    Accepts 01.03.2023, 1.3.2023, 1/3/2023, 2023-03-01 (with a time, as Excel cells give it),
    2023-03, 2023/03, 2023M03, 03.2023, "mars 2023", "mar. 2023", "1. mars 2023", 2023, and an
    Excel serial day number.
    """
    if text is None:
        return None
    s = label_key(text)
    if not s:
        return None
    if m := _DAY_ISO.fullmatch(s):
        return _valid_date(int(m[1]), int(m[2]), int(m[3]), "dag")
    if m := _DAY_NO.fullmatch(s):
        return _valid_date(int(m[3]), int(m[2]), int(m[1]), "dag")
    if m := _MONTH_ISO.fullmatch(s):
        return _valid_date(int(m[1]), int(m[2]), 1, "maaned")
    if m := _MONTH_NO.fullmatch(s):
        return _valid_date(int(m[2]), int(m[1]), 1, "maaned")
    if (m := _DAY_NAMED.fullmatch(s)) and m[2] in month_names():
        return _valid_date(int(m[3]), month_names()[m[2]], int(m[1]), "dag")
    if (m := _MONTH_NAMED.fullmatch(s)) and m[1] in month_names():
        return _valid_date(int(m[2]), month_names()[m[1]], 1, "maaned")
    if m := _YEAR.fullmatch(s):
        return _valid_date(int(m[1]), 1, 1, "aar")
    if m := _SERIAL.fullmatch(s):
        days = int(m[1])
        if 20000 <= days <= 80000:  # 1954-10-03 .. 2119-01-10
            return ParsedDate(EXCEL_EPOCH + dt.timedelta(days=days), "dag")
    return None


_LEADING_DATE = re.compile(
    r"^\s*(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{1,2}|\d{1,2}\.\d{4}|\d{4})"
    r"(?=$|[\s,;:/])[\s,;:/]*(.*)$",
    re.DOTALL,
)
_TRAILING_DATE = re.compile(
    r"^(.*?)[\s,;:/]+(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{1,2}|\d{1,2}\.\d{4})\s*$",
    re.DOTALL,
)


def split_date_status(text: str | None) -> tuple[str | None, str | None]:
    """Split a combined cell ("2022-11 tatt i bruk (sammen med ...)") into date and status text."""
    if text is None or not text.strip():
        return None, None
    if m := _LEADING_DATE.match(text):
        return m[1], (m[2].strip() or None)
    if m := _TRAILING_DATE.match(text):
        return m[2], (m[1].strip() or None)
    return None, text.strip()
