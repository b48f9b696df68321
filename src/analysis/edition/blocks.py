"""What a chapter lays out: prose, tables and figures described as data.

The edition builds these; the present layer turns them into output (``show_block``), so a
chapter holds headings and calls, never a computation.
"""

from __future__ import annotations

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


Block = TilesBlock | Text | Heading | NoticeBlock | TableBlock | ChartBlock
