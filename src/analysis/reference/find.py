"""Finding a county the way a person types it (number or name, any case, with or without
spaces and hyphens), and the closest names as hints when nothing fits: used by the edition's
``--region``, the CLI and the notebooks, so an unknown county gets the same one-line answer
everywhere."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from analysis.errors import EhelseError
from analysis.reference.name_keys import folded_key, name_key
from analysis.reference.register import county_names

CLOSEST = 3
CLOSE_SCORE = 60.0  # below this a name is no hint at all


class NotFoundError(EhelseError, ValueError):
    """Nothing (or more than one thing) fits the input; the message is one line with hints."""


def closest(value: str, choices: dict[str, str], limit: int = CLOSEST) -> list[str]:
    """Keys of ``choices`` (key -> text compared) closest to ``value``, best first."""
    hits = process.extract(
        value, choices, scorer=fuzz.WRatio, processor=folded_key, limit=limit
    )  # a dict yields (text, score, key)
    return [key for _text, score, key in hits if score >= CLOSE_SCORE]


def find_county(value: str, division: int) -> tuple[str, str]:
    """A county number or name (any case, with or without spaces and hyphens) of a division
    -> (number, name); unknown input raises with the closest counties."""
    names = county_names(division)
    v = value.strip()
    if v.isdigit() and v.zfill(2) in names:
        return v.zfill(2), names[v.zfill(2)]
    for code, name in names.items():
        if name_key(name) == name_key(v) or folded_key(name) == folded_key(v):
            return code, name
    close = closest(v, names)
    if close:
        hint = "Mente du: " + "; ".join(f"{c} {names[c]}" for c in close) + "?"
    else:
        hint = "Fylkene er " + ", ".join(f"{c} {n}" for c, n in sorted(names.items()))
    raise NotFoundError(f"ukjent fylke {value!r} i inndelingen for {division}. {hint}")
