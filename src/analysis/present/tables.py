"""Table builders: one table, two renderings from the same formatted cells.

HTML comes from great_tables (with a search field for long tables, so a reader can find a
municipality; a live region tells a screen reader how many rows match); the PDF gets a pandoc
pipe table with its caption, which pandoc writes as a Typst table. Numbers are formatted once,
the Norwegian way: a narrow no-break space between thousands (it never wraps inside a number),
a decimal comma, "%" after a no-break space. Builders compute nothing of their own.

Like figures, which renderings are produced follows ``EHELSE_TARGET`` (or, under a plain
``quarto render``, the format Quarto renders). Everything a chapter shows is markdown, raw
HTML or raw Typst that pandoc reads at the top level of the document, so a chapter cell
marked ``#| output: asis`` gives Quarto the same document the Python chain builds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import polars as pl

from analysis.edition.blocks import Tile
from analysis.escape import html_text, markdown_text, typst_string, visible
from analysis.fmt import (
    DASH,
    format_amount,
    format_date,
    format_expected,
    format_int,
    format_month,
    format_number,
    format_percent,
)
from analysis.present.figures import _once, _slug, targets

TYPST_FROM: Final = "```{=typst}\n#eksempel-fra()\n```\n\n"
TYPST_TO: Final = "```{=typst}\n#eksempel-til()\n```\n\n"
KEEP_ROWS: Final = 12
SEARCH_FROM_ROWS: Final = 10  # a county table (11 counties and the country) is searchable
PDF_TABLE_LETTERS: Final = 100  # letters of table text (9 pt) across the A4 text width

SEARCH_JS: Final = """
window.ehelse = window.ehelse || {};
ehelse.filter = function (input) {
  var table = document.getElementById(input.getAttribute("aria-controls"));
  var status = document.getElementById(input.id + "-status");
  var q = input.value.trim().toLocaleLowerCase("nb");
  var rows = table.tBodies[0].rows, shown = 0;
  for (var i = 0; i < rows.length; i++) {
    var hit = !q || rows[i].textContent.toLocaleLowerCase("nb").indexOf(q) !== -1;
    rows[i].hidden = !hit;
    if (hit) { shown++; }
  }
  status.textContent = q ? shown + " av " + rows.length + " rader vises" : "";
};
"""


def _cell(value: Any, dtype: pl.DataType, decimals: int) -> str:
    if value is None:
        return DASH
    if dtype.is_integer():
        return format_int(value)
    if dtype.is_float():
        return format_number(value, decimals)
    if dtype == pl.Boolean:
        return "ja" if value else "nei"
    if dtype == pl.Date:
        return format_date(value)
    return visible(value)


@dataclass
class Table:
    """A table ready to show; see ``table``."""

    df: pl.DataFrame
    caption: str
    labels: Mapping[str, str] = field(default_factory=dict)
    source: str | None = None
    decimals: Mapping[str, int] = field(default_factory=dict)
    percent: Sequence[str] = ()
    emphasis: str | None = None
    searchable: bool | None = None
    synthetic: bool = False
    name: str | None = None
    nowrap: Sequence[str] = ()  # text columns sized to their widest cell in the PDF
    printed: bool = True  # False: on the web page only

    def __post_init__(self) -> None:
        if not self.caption.strip():
            raise ValueError("Hver tabell trenger en tabelltekst (caption)")
        missing = [c for c in (*self.percent, *self.decimals) if c not in self.df.columns]
        if self.emphasis is not None and self.emphasis not in self.df.columns:
            missing.append(self.emphasis)
        if missing:
            raise KeyError(f"Tabellen mangler kolonnene {missing}; kolonnene er {self.df.columns}")
        self.name = _slug(self.name or self.caption)[:50]

    @property
    def columns(self) -> list[str]:
        return [c for c in self.df.columns if c != self.emphasis]

    def numeric(self, col: str) -> bool:
        return self.df.schema[col].is_numeric()

    def cells(self) -> list[list[str]]:
        """The formatted cells, row by row: what both renderings show."""
        rows = []
        for row in self.df.iter_rows(named=True):
            out = []
            for col in self.columns:
                if col in self.percent:
                    out.append(format_percent(row[col], self.decimals.get(col, 0)))
                else:
                    out.append(_cell(row[col], self.df.schema[col], self.decimals.get(col, 1)))
            rows.append(out)
        return rows

    def header(self) -> list[str]:
        return [self.labels.get(c, c) for c in self.columns]

    def full_caption(self) -> str:
        return f"{self.caption} (eksempeldata)" if self.synthetic else self.caption

    def html(self, table_id: str | None = None) -> str:
        from great_tables import GT, loc, style

        tid = table_id or f"tbl-{self.name}"
        ids = [f"c{i}" for i in range(len(self.columns))]
        data = pl.DataFrame(
            {k: [r[i] for r in self.cells()] for i, k in enumerate(ids)},
            schema=dict.fromkeys(ids, pl.String),
        )
        gt = GT(data, id=tid).tab_header(title=self.full_caption())
        headings: dict[str, Any] = dict(zip(ids, self.header(), strict=True))
        gt = gt.cols_label(**headings)
        right = [k for k, c in zip(ids, self.columns, strict=True) if self.numeric(c)]
        if right:
            gt = gt.cols_align("right", columns=right)
        if self.source:
            gt = gt.tab_source_note(self.source)
        if self.emphasis is not None:
            rows = [i for i, v in enumerate(self.df[self.emphasis].to_list()) if v]
            if rows:
                gt = gt.tab_style(style.text(weight="bold"), loc.body(rows=rows))
        gt = gt.tab_options(table_font_size="15px", heading_title_font_size="17px")
        body = gt.as_raw_html()
        # The scrolling wrapper must be reachable by keyboard and named for screen readers.
        body = body.replace(
            f'<div id="{tid}" style=',
            f'<div id="{tid}" role="region" tabindex="0" '
            f'aria-label="{html_text(self.caption)}" class="ehelse-tabell" style=',
            1,
        )
        body = body.replace('<table class="gt_table"', f'<table id="{tid}-t" class="gt_table"', 1)
        searchable = self.searchable
        if searchable is None:
            searchable = self.df.height >= SEARCH_FROM_ROWS
        if not searchable:
            return body
        script = f"<script>{SEARCH_JS}</script>" if _once("search.js") else ""
        return (
            f'{script}<div class="ehelse-sok"><label for="{tid}-sok">Søk i tabellen</label> '
            f'<input type="search" id="{tid}-sok" aria-controls="{tid}-t" '
            f'oninput="ehelse.filter(this)" autocomplete="off"> '
            f'<span id="{tid}-sok-status" class="ehelse-sok-status" aria-live="polite"></span>'
            f"</div>{body}"
        )

    def widths(self, budget: int = PDF_TABLE_LETTERS) -> list[int]:
        """Relative column widths for the PDF, in letters: numbers and short words get what
        they need not to wrap (the longer of the widest cell and the longest heading word,
        headings being bold), and the longer text columns share what is left of the page."""
        cells = self.cells()
        need, want, flexible = [], [], []
        for i, (col, head) in enumerate(zip(self.columns, self.header(), strict=True)):
            lengths = [len(r[i]) for r in cells] or [0]
            widest, mean = max(lengths), sum(lengths) / len(lengths)
            # A heading breaks between words and at soft hyphens.
            parts = head.replace("\u00ad", " ").split()
            word = max((len(w) for w in parts), default=0)
            # A cell breaks only between words: its longest word must fit, or it overlaps
            # the next column.
            longest = max((len(w) for r in cells for w in r[i].split()), default=0)
            least = max(round(word * 1.15), longest, 3) + 2  # every cell has an inset of ~2
            fixed = self.numeric(col) or widest <= 12 or col in self.nowrap
            need.append(max(least, widest + 2) if fixed else least)
            # Longer text on average gets more of the width.
            want.append(need[-1] if fixed else max(least, min(round(mean), 60) + 2))
            flexible.append(not fixed)
        spare = budget - sum(n for n, f in zip(need, flexible, strict=True) if not f)
        wanted = sum(w for w, f in zip(want, flexible, strict=True) if f)
        if wanted <= spare or not wanted:
            return want
        return [
            max(n, round(w * spare / wanted)) if f else n
            for n, w, f in zip(need, want, flexible, strict=True)
        ]

    def markdown(self) -> str:
        """A pandoc pipe table with its caption (pandoc writes it as a Typst figure). The
        dashes under the header set the columns' relative widths (pandoc does so for a table
        wider than the page)."""
        align = [
            "-" * (w - 1) + ":" if self.numeric(c) else ":" + "-" * (w - 1)
            for c, w in zip(self.columns, self.widths(), strict=True)
        ]
        emph = self.df[self.emphasis].to_list() if self.emphasis else [False] * self.df.height
        lines = [
            "| " + " | ".join(markdown_text(h) for h in self.header()) + " |",
            "|" + "|".join(align) + "|",
        ]
        for row, strong in zip(self.cells(), emph, strict=True):
            cells = [markdown_text(c) for c in row]
            if strong:
                cells = [f"**{c}**" if c else c for c in cells]
            lines.append("| " + " | ".join(cells) + " |")
        caption = markdown_text(self.full_caption())
        if self.source:
            caption += f". {markdown_text(self.source)}"
        text = "\n".join(lines) + f"\n\n: {caption}\n\n"
        if self.df.height <= KEEP_ROWS:  # a short table is never split over two pages
            keep = "#block(breakable: false, width: 100%)["
            text = f"```{{=typst}}\n{keep}\n```\n\n{text}```{{=typst}}\n]\n```\n\n"
        if self.synthetic:  # the pages it lands on get the Eksempeldata header (ehelse.typ)
            text = f"{TYPST_FROM}{text}{TYPST_TO}"
        return text

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        want = targets()
        bundle: dict[str, Any] = {"text/plain": f"<Tabell: {self.caption}>"}
        if "html" in want:
            bundle["text/html"] = self.html()
        if "pdf" in want:
            bundle["text/markdown"] = self.markdown() if self.printed else ""
        return bundle, {"ehelse": {"caption": self.caption, "kind": "table"}}


def table(df: pl.DataFrame, caption: str, **options: Any) -> Table:
    """Build a table; options: labels (column -> heading), source, decimals (column -> n),
    percent (columns holding shares 0-1), emphasis (a boolean column: rows in bold),
    searchable (default: from 10 rows), synthetic (adds "eksempeldata" to the caption)."""
    return Table(df, caption, **options)


def show_table(df: pl.DataFrame, caption: str, **options: Any) -> None:
    from IPython.display import display

    display(table(df, caption, **options))


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
    from IPython.display import display

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
    from IPython.display import display

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
    from IPython.display import display

    display(PageBreak())


def category_class(kategori: str | None) -> str:
    """A CSS class for a progress category: "kategori-paa-sporet"."""
    return "kategori-" + _slug(kategori or "ukjent")


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
    from IPython.display import display

    display(Tiles(tiles, synthetic))


__all__ = [
    "Markdown",
    "Notice",
    "Table",
    "Tile",
    "Tiles",
    "category_class",
    "format_amount",
    "format_date",
    "format_expected",
    "format_int",
    "format_month",
    "format_number",
    "format_percent",
    "notice",
    "page_break",
    "prose",
    "say",
    "show_block",
    "show_blocks",
    "show_table",
    "show_tiles",
    "table",
    "typst_string",
]


def show_block(block: Any) -> None:
    """Lay out one of the edition's blocks (analysis.edition.blocks): prose, a heading, a
    notice, the tiles, a table or a figure."""
    from analysis.edition import blocks as b
    from analysis.present.figures import municipality_map, share_chart, show, trend_chart

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


def show_blocks(blocks: Sequence[Any]) -> None:
    for block in blocks:
        show_block(block)
