"""Map frames on the areas a map draws: the edition's own division, so a map never
converts data itself (the map's caption gets the boundaries' note and source by itself)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import polars as pl

from analysis.reference.areas import Boundaries, to_areas
from analysis.reference.boundaries import boundaries

if TYPE_CHECKING:
    from analysis.edition.data import EditionData

# Steps from the most to the least advanced, as the legend lists them: where two
# municipalities share one drawn area (a split not yet in the boundaries), the area shows the
# less advanced of the two.
STATUS_ORDER: Final = ("i_bruk", "tilgjengelig", "planlagt", "ikke_startet", "ikke_svart")
# «Ikke svart»: a municipality that got a status form, did not answer it and has no step
# from any other source (analysis.edition.skjema), kept apart from «ikke startet».
NO_ANSWER_LABELS: Final = {"ikke_svart": "Ikke svart"}
NO_ANSWER_COLOURS: Final = {"ikke_svart": "#CC79A7"}
MAP_PAGE: Final = 880  # px at 700 px wide: a map of the whole country fills an A4 page
HALF: Final = 420  # px of a figure in one of two columns: text stays readable at half width
TREND_HALF: Final = 380  # px high at HALF wide: the legend under the plot needs the room


def half_height(height: int) -> int:
    """A static height for a figure drawn at HALF px wide, keeping its shape."""
    return round(height * HALF / 700)


def map_areas(
    d: EditionData, frame: pl.DataFrame, value: str, order: Sequence[str] | None = None
) -> tuple[pl.DataFrame, Boundaries]:
    """The frame moved onto the edition's drawn areas, and those boundaries."""
    b = boundaries(d.edition.division)
    return to_areas(frame, b, value, order=order), b


def map_options(b: Boundaries, value: str, **options: Any) -> dict[str, Any]:
    """The map builder's options for a frame from ``map_areas``."""
    return {
        "value_col": value,
        "code_col": "omrade",
        "name_col": "navn",
        "boundaries": b,
        **options,
    }
