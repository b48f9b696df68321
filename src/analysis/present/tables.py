"""Tables: one table, two renderings from the same formatted cells.

HTML comes from great_tables (with a search field for long tables, so a reader can find a
municipality; a live region tells a screen reader how many rows match); the PDF gets a pandoc
pipe table with its caption, which pandoc writes as a Typst table. Numbers are formatted once,
through analysis.fmt: a narrow no-break space between thousands (it never wraps inside a
number), a decimal comma, "%" after a no-break space. Builders compute nothing of their own.
Which renderings are produced follows ``analysis.present.output.targets``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Final

import polars as pl
from IPython.display import display

from analysis.escape import html_text, markdown_text, slug, visible
from analysis.fmt import DASH, format_date, format_int, format_number, format_percent
from analysis.present import cache as render_cache
from analysis.present.output import first_time, page_script, targets

TYPST_FROM: Final = "```{=typst}\n#eksempel-fra()\n```\n\n"
TYPST_TO: Final = "```{=typst}\n#eksempel-til()\n```\n\n"
KEEP_ROWS: Final = 12
SEARCH_FROM_ROWS: Final = 10  # a county table (11 counties and the country) is searchable
PDF_TABLE_LETTERS: Final = 100  # letters of table text (9 pt) across the A4 text width


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


def _table_code_version() -> str:
    """What a table's HTML depends on beside its content: this module and great_tables."""
    return render_cache.code_version((Path(__file__),), ("great_tables",))


_STYLE = re.compile(r"<style>(.*?)</style>\s*", re.S)


def _shared_style(body: str, tid: str) -> tuple[str, str]:
    """great_tables' stylesheet, scoped to the table's id, once per page instead: scoped to a
    class named by its content (``ehelse-gt-<hash>``), which every table styled alike shares;
    the first table of a page that needs it carries it. Returns the table without its own
    stylesheet, with the page's in front where this is the first, and the class."""
    found = _STYLE.search(body)
    if found is None:
        return body, ""
    css = found.group(1).replace(f"#{tid}", "{scope}")
    scope = "ehelse-gt-" + hashlib.sha1(css.encode()).hexdigest()[:10]
    css = css.replace("{scope}", f".{scope}")
    body = body[: found.start()] + body[found.end() :]
    if first_time(scope):
        body = f"<style>{css}</style>\n{body}"
    return body, scope


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
        self.name = slug(self.name or self.caption)[:50]

    @property
    def columns(self) -> list[str]:
        return [c for c in self.df.columns if c != self.emphasis]

    def numeric(self, col: str) -> bool:
        return self.df.schema[col].is_numeric()

    def cells(self) -> list[list[str]]:
        """The formatted cells, row by row: what both renderings show (made once)."""
        return self._formatted

    @cached_property
    def _formatted(self) -> list[list[str]]:
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

    def _great_table(self, tid: str, bold: list[int]) -> str:
        from great_tables import GT, loc, style

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
        if bold:
            gt = gt.tab_style(style.text(weight="bold"), loc.body(rows=bold))
        gt = gt.tab_options(table_font_size="15px", heading_title_font_size="17px")
        return str(gt.as_raw_html())

    def html(self, table_id: str | None = None) -> str:
        tid = table_id or f"tbl-{self.name}"
        bold = []
        if self.emphasis is not None:
            bold = [i for i, v in enumerate(self.df[self.emphasis].to_list()) if v]
        # great_tables' HTML is kept in the render cache under a hash of all it is made from:
        # making it took most of a second for the report's tables, reading it takes nothing.
        made_from = [
            _table_code_version(),
            tid,
            self.full_caption(),
            self.header(),
            [self.numeric(c) for c in self.columns],
            self.source,
            bold,
            self.cells(),
        ]
        key = hashlib.sha256(json.dumps(made_from, ensure_ascii=False).encode()).hexdigest()[:32]
        raw = render_cache.read(key, ".html")
        if raw is None:
            raw = self._great_table(tid, bold)
            render_cache.store(key, ".html", raw)
        body, scope = _shared_style(raw, tid)
        # The scrolling wrapper must be reachable by keyboard and named for screen readers.
        body = body.replace(
            f'<div id="{tid}" style=',
            f'<div id="{tid}" role="region" tabindex="0" '
            f'aria-label="{html_text(self.caption)}" class="ehelse-tabell {scope}" style=',
            1,
        )
        body = body.replace('<table class="gt_table"', f'<table id="{tid}-t" class="gt_table"', 1)
        searchable = self.searchable
        if searchable is None:
            searchable = self.df.height >= SEARCH_FROM_ROWS
        if not searchable:
            return body
        script = page_script()
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
    display(table(df, caption, **options))


__all__ = ["Table", "show_table", "table"]
