"""Map frames on the areas a map draws: the edition's own division, so a map never
converts data itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import polars as pl

if TYPE_CHECKING:
    from analysis.edition.data import EditionData

# Steps from the least to the most advanced: where two municipalities share one drawn area
# (a split not yet in the boundaries), the area shows the less advanced of the two.
STATUS_ORDER: Final = ("ikke_startet", "planlagt", "tilgjengelig", "i_bruk")


def map_areas(
    d: EditionData, frame: pl.DataFrame, value: str, order: Sequence[str] | None = None
) -> tuple[pl.DataFrame, Any]:
    """The frame moved onto the edition's drawn areas, and those boundaries."""
    from analysis.reference.geometry import boundaries, to_areas

    b = boundaries(d.edition.division)
    return to_areas(frame, b, value, order=order), b


def map_note(b: Any) -> str:
    """The caption's closing words: how the boundaries were made, and whose they are."""
    return (f" {b.note}" if b.note else "") + f" {b.attribution}"
