"""The layout of the edition's blocks (analysis.edition.blocks): prose, headings, notices,
page breaks, the front page's tiles, tables and figures. ``show_blocks`` is what a chapter
calls; ``say``, ``notice`` and ``page_break`` put a chapter's own prose and breaks in.

Everything shown is markdown, raw HTML or raw Typst that pandoc reads at the top level of the
document, so a chapter cell marked ``#| output: asis`` gives Quarto the same document the
Python chain builds. Which renderings are produced follows ``analysis.present.output.targets``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from IPython.display import display

from analysis.edition import blocks as b
from analysis.edition.blocks import Tile
from analysis.escape import html_text, markdown_text, slug, typst_string
from analysis.fmt import format_amount, format_int
from analysis.present.charts import share_chart, trend_chart
from analysis.present.maps import municipality_map
from analysis.present.output import show, targets
from analysis.present.tables import show_table


class Markdown:
    """Prose computed in a chapter: markdown for both renderings (HTML renders it itself)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        # A blank line after it: Quarto joins the outputs of an asis cell as they come.
        return self.text.rstrip("\n") + "\n\n"


def prose(text: str, /, **values: Any) -> str:
    """Our markdown with data filled in: ``prose("{navn} har {n} innbyggere.", navn=..., n=...)``
    puts each value in as text (``markdown_text``), so a name is never read as markdown,
    HTML or Typst. Numbers should be formatted first (``format_int``...)."""
    if not values:
        return text
    return text.format(**{k: markdown_text(v) for k, v in values.items()})


def say(text: str, /, **values: Any) -> None:
    """Display a paragraph of computed prose (markdown). Data goes in as keyword values, which
    are escaped (see ``prose``); the text itself is our own markdown."""
    display(Markdown(prose(text, **values)))


class Notice:
    """A highlighted note, such as the Eksempeldata notice: an aside in HTML, a box in PDF."""

    def __init__(self, text: str, kind: str = "merknad", title: str | None = None) -> None:
        if not re.fullmatch(r"[a-z]+", kind):
            raise ValueError(f"Ugyldig merknadstype {kind!r}")
        self.text, self.kind, self.title = text, kind, title

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        want = targets()
        bundle: dict[str, Any] = {"text/plain": self.text}
        heading = f"**{markdown_text(self.title)}** " if self.title else ""
        if "html" in want:
            import markdown_it

            # Our prose needs no raw HTML; data in it is escaped by the caller (``prose``).
            inner = markdown_it.MarkdownIt("commonmark", {"html": False}).render(
                heading + self.text
            )
            bundle["text/html"] = f'<aside class="ehelse-{self.kind}" role="note">{inner}</aside>'
        if "pdf" in want:
            # A notice of example data also marks every page of the PDF (the template's
            # header reads the state at the end of the document).
            mark = "#ehelse-eksempeldata.update(true)\n" if self.kind == "eksempeldata" else ""
            bundle["text/markdown"] = (
                f"```{{=typst}}\n{mark}#merknad(kind: {typst_string(self.kind)})[\n```\n\n"
                f"{heading}{self.text}\n\n```{{=typst}}\n]\n```\n\n"
            )
        return bundle


def notice(text: str, kind: str = "merknad", title: str | None = None, **values: Any) -> None:
    """A highlighted note; data goes in as keyword values, escaped as in ``say``."""
    display(Notice(prose(text, **values), kind, title))


class PageBreak:
    """A new page in the PDF before a section that should start on one (nothing in HTML)."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        want = targets()
        bundle: dict[str, Any] = {"text/plain": ""}
        if "html" in want:
            bundle["text/html"] = ""
        if "pdf" in want:
            bundle["text/markdown"] = "```{=typst}\n#ny-side()\n```\n\n"
        return bundle


def page_break() -> None:
    display(PageBreak())


def category_class(kategori: str | None) -> str:
    """A CSS class for a progress category: "kategori-paa-sporet"."""
    return "kategori-" + slug(kategori or "ukjent")


class Tiles:
    """The front page's tiles: a grid of cards in HTML, a grid of boxes in the PDF."""

    def __init__(self, tiles: Sequence[Tile], synthetic: bool = False) -> None:
        self.tiles, self.synthetic = list(tiles), synthetic

    @staticmethod
    def share(tile: Tile) -> float | None:
        if tile.i_bruk is None or not tile.ambisjon:
            return None
        return min(tile.i_bruk / tile.ambisjon, 1.0)

    def html(self) -> str:
        cards = []
        for t in self.tiles:
            share = self.share(t)
            unit = f" {html_text(t.enhet)}" if t.enhet else ""
            if t.tekst is not None:
                figure = html_text(t.tekst)
            elif t.i_bruk is None:
                figure = "Ingen status" + (
                    f' <span class="ambisjon">(ambisjon {format_amount(t.ambisjon)})</span>'
                    if t.ambisjon is not None
                    else ""
                )
            elif t.ambisjon is None:
                figure = f"{format_int(t.i_bruk)} (ingen tallfestet ambisjon)"
            else:
                figure = (
                    f"{format_int(t.i_bruk)} av {format_amount(t.ambisjon)}"
                    f'<span class="enhet">{unit}</span>'
                )
            bar = ""
            if share is not None:
                pct = round(share * 100)
                bar = (
                    f'<div class="ehelse-bar" role="img" aria-label="{pct} prosent '
                    f'{html_text(t.bar_label)}"><span style="width:{pct}%"></span></div>'
                )
            extra = ""
            if t.kategori:
                extra += (
                    f'<p class="kategori {category_class(t.kategori)}">'
                    f'<span class="merke" aria-hidden="true"></span>{html_text(t.kategori)}</p>'
                )
            extra += "".join(f'<p class="linje">{html_text(v)}</p>' for v in t.linjer)
            if t.merknad:
                extra += f'<p class="merknad">{html_text(t.merknad)}</p>'
            cards.append(
                f'<li class="ehelse-flis"><h4>{html_text(t.aktivitet)}</h4>'
                f'<p class="tall">{figure}</p>{bar}{extra}</li>'
            )
        label = ' <p class="ehelse-flis-merke">Eksempeldata</p>' if self.synthetic else ""
        return f'<ul class="ehelse-fliser">{"".join(cards)}</ul>{label}'

    def markdown(self) -> str:
        items = []
        for t in self.tiles:
            share = self.share(t)
            lines = [*t.linjer, *([t.merknad] if t.merknad else [])]
            items.append(
                "(aktivitet: {a}, tall: {n}, ambisjon: {m}, andel: {s}, kategori: {k}, "
                "enhet: {e}, linjer: ({li}))".format(
                    a=typst_string(t.aktivitet),
                    n=(
                        typst_string(t.tekst)
                        if t.tekst is not None
                        else "none"
                        if t.i_bruk is None
                        else typst_string(format_int(t.i_bruk))
                    ),
                    m=typst_string(format_amount(t.ambisjon)) if t.ambisjon is not None else "none",
                    s="none" if share is None else f"{share:.4f}",
                    k=typst_string(t.kategori) if t.kategori else "none",
                    e=typst_string(t.enhet) if t.enhet else "none",
                    li="".join(f"{typst_string(v)}, " for v in lines),
                )
            )
        synthetic = "true" if self.synthetic else "false"
        mark = "#ehelse-eksempeldata.update(true)\n" if self.synthetic else ""
        return (
            f"```{{=typst}}\n{mark}#fliser(("
            + ", ".join(items)
            + f",), eksempeldata: {synthetic})\n```\n\n"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        want = targets()
        bundle: dict[str, Any] = {"text/plain": f"<{len(self.tiles)} fliser>"}
        if "html" in want:
            bundle["text/html"] = self.html()
        if "pdf" in want:
            bundle["text/markdown"] = self.markdown()
        return bundle


def show_tiles(tiles: Sequence[Tile], synthetic: bool = False) -> None:
    display(Tiles(tiles, synthetic))


def show_block(block: b.Block) -> None:
    """Lay out one of the edition's blocks (analysis.edition.blocks): prose, a heading, a
    notice, the tiles, a table or a figure."""
    if isinstance(block, b.Text):
        say(block.markdown)
    elif isinstance(block, b.Heading):
        say(f"{'#' * block.level} {block.text}")
    elif isinstance(block, b.NoticeBlock):
        notice(block.text, kind=block.kind, title=block.title)
    elif isinstance(block, b.TilesBlock):
        show_tiles(block.tiles, synthetic=block.synthetic)
    elif isinstance(block, b.TableBlock):
        show_table(block.frame, block.title, **block.options)
    elif isinstance(block, b.ChartBlock):
        builders: dict[str, Callable[..., Any]] = {
            "trend": trend_chart,
            "shares": share_chart,
            "map": municipality_map,
        }
        build = builders[block.kind]
        options = dict(block.options)
        fig = (
            build(block.frame, options.pop("value_col"), **options)
            if block.kind == "map"
            else build(block.frame, **options)
        )
        show(
            fig,
            caption=block.caption,
            alt=block.alt,
            name=block.name,
            data=block.data,
            static_height=block.static_height,
            static_width=block.static_width,
        )
    elif isinstance(block, b.NameList | b.MunicipalityTable | b.Columns | b.Flush):
        from analysis.present.layout import show_layout_block

        show_layout_block(block, show_blocks)
    else:
        raise TypeError(f"not a block: {type(block).__name__}")


def show_blocks(blocks: Sequence[b.Block]) -> None:
    """Lay out the blocks in order (what a chapter calls)."""
    for block in blocks:
        show_block(block)


__all__ = [
    "Markdown",
    "Notice",
    "PageBreak",
    "Tiles",
    "category_class",
    "notice",
    "page_break",
    "prose",
    "say",
    "show_block",
    "show_blocks",
    "show_tiles",
]
