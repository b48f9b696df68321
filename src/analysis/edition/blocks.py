"""What a chapter lays out: prose, tables and figures described as data.

The edition builds these; the present layer turns them into output (``show_block``), so a
chapter holds headings and calls, never a computation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl


@dataclass(frozen=True)
class Text:
    """A paragraph (or list) of prose with numbers: markdown written by the edition."""

    markdown: str


@dataclass(frozen=True)
class Heading:
    """A heading inside a chapter; ``level`` 3 is a section, 4 a subsection."""

    text: str
    level: int = 4


@dataclass(frozen=True)
class NoticeBlock:
    text: str
    kind: str = "merknad"
    title: str | None = None


@dataclass(frozen=True)
class TableBlock:
    """A table: the frame as shown, its caption and the table builder's options (labels,
    percent, decimals, emphasis, synthetic, name, source, searchable)."""

    frame: pl.DataFrame
    title: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChartBlock:
    """A figure: which chart, the frame it draws, the chart builder's options, and the
    caption, alternative text, file name and CSV download under it."""

    kind: Literal["trend", "shares", "map"]
    frame: pl.DataFrame
    options: dict[str, Any]
    caption: str
    alt: str
    name: str
    data: pl.DataFrame | None = None
    static_height: int | None = None
    static_width: int | None = None  # px of the static (PDF) figure; narrower = larger text


@dataclass(frozen=True)
class Tile:
    """One activity on the front page: the count against its target (the ambition, or in a
    regional edition the county's municipalities), the progress category, and short lines
    such as the expected date and the published figure."""

    aktivitet: str
    i_bruk: int | None
    ambisjon: float | None
    kategori: str | None = None
    merknad: str | None = None
    linjer: tuple[str, ...] = ()
    enhet: str | None = None  # after the target: "kommuner"
    bar_label: str = "av ambisjonen"
    tekst: str | None = None  # shown instead of the count: "Gjelder ikke fylket"


@dataclass(frozen=True)
class TilesBlock:
    """The front page's tiles, one per activity."""

    tiles: tuple[Tile, ...]
    synthetic: bool = False


@dataclass(frozen=True)
class NameList:
    """Municipalities named in groups, under a map: the printed page cannot be hovered, so it
    says who is behind. ``groups`` are (label, names); ``note`` says what is not listed."""

    groups: tuple[tuple[str, tuple[str, ...]], ...]
    note: str | None = None
    synthetic: bool = False


@dataclass(frozen=True)
class MunicipalityTable:
    """Every municipality's status per activity: one row per municipality and activity
    (``kommune``, ``fylke``, ``aktivitet``, ``status``, ``siden``, ``teller``, ``syntetisk``).
    The web page gets it with filters (county, activity, status, counted, a name); the PDF
    gets it as one row per municipality and a column per activity when ``printed``."""

    frame: pl.DataFrame
    caption: str
    activities: tuple[str, ...]  # column order of the printed table
    printed: bool = False
    source: str | None = None
    headings: dict[str, str] = field(default_factory=dict)  # activity -> narrow heading


@dataclass(frozen=True)
class Columns:
    """Two columns side by side on the printed page (a chart beside a map); on the web page
    the left column comes first, then the right."""

    left: tuple[Block, ...]
    right: tuple[Block, ...]
    floating: bool = True  # printed: may move to the top or bottom of a page, or the next


@dataclass(frozen=True)
class Flush:
    """The end of a chapter with floating pairs: the printed page places them here."""


Block = (
    Flush
    | TilesBlock
    | Text
    | Heading
    | NoticeBlock
    | TableBlock
    | ChartBlock
    | NameList
    | MunicipalityTable
    | Columns
)


def reading_order(blocks: Sequence[Block]) -> list[Block]:
    """Every block, the columns' blocks included, in the order a reader of the web page meets
    them (left column, then right)."""
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, Columns):
            out += reading_order(b.left) + reading_order(b.right)
        else:
            out.append(b)
    return out
