"""Layout blocks: two columns on the printed page, the names under a map, and the
«kommune × løsning» table (filters on the web page, one row per municipality in print).

Each display object gives both renderings (text/html and text/markdown), empty where a
rendering shows nothing, so neither exporter falls back to the other's output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

import polars as pl

from analysis import config
from analysis.edition import blocks as b
from analysis.escape import html_text, markdown_text
from analysis.fmt import DASH, format_date, format_int

FILTER_JS: Final = "kommunetabell.js"  # report/templates/ehelse-html/
PRINT_WORDS: Final = {  # the printed table's cells: narrow columns
    "i bruk": "i bruk",
    "tilgjengeliggjort": "tilgj.",
    "planlagt": "planlagt",
    "ikke startet": "–",
    "ingen data": "ingen data",
    "oppfyller kravet": "ja",
    "oppfyller ikke kravet": "nei",
}
SYNTHETIC_MARK: Final = " (eksempeldata)"  # after the activity in a row of example data
NO_SCRIPT: Final = "Tabellen vises når nettleseren kjører JavaScript."
PRINT_KEY: Final = (
    "i bruk: tatt i bruk; tilgj.: tilgjengeliggjort; – : ikke startet; meldingsversjoner: "
    "ja/nei om kravet er oppfylt; tom celle: kommunen er ikke i aktivitetens omfang."
)


class Raw:
    """Our own HTML for the web page and markdown (with raw Typst) for the PDF."""

    def __init__(self, html: str = "", markdown: str = "") -> None:
        self.html, self.markdown = html, markdown

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from analysis.present.output import targets

        want = targets()
        bundle: dict[str, Any] = {"text/plain": ""}
        if "html" in want:
            bundle["text/html"] = self.html
        if "pdf" in want:
            bundle["text/markdown"] = self.markdown
        return bundle


def typst(code: str) -> str:
    return f"```{{=typst}}\n{code}\n```\n\n"


def _show_raw(obj: Any) -> None:
    from IPython.display import display

    display(obj)


def name_list_html(block: b.NameList) -> str:
    parts = [
        f"<p><strong>{html_text(label)}:</strong> {html_text(', '.join(names))}.</p>"
        for label, names in block.groups
    ]
    if block.note:
        parts.append(f'<p class="merknad">{html_text(block.note)}</p>')
    return (
        '<details class="ehelse-navneliste"><summary>Kommunene bak kartet</summary>'
        + "".join(parts)
        + "</details>"
    )


def name_list_markdown(block: b.NameList) -> str:
    paras = [
        f"**{markdown_text(label)}:** {markdown_text(', '.join(names))}."
        for label, names in block.groups
    ]
    if block.note:
        paras.append(f"*{markdown_text(block.note)}*")
    flag = "true" if block.synthetic else "false"
    return typst(f"#kommuneliste(eksempel: {flag})[") + "\n\n".join(paras) + "\n\n" + typst("]")


def _options(values: Sequence[str], label: str) -> str:
    opts = "".join(f'<option value="{html_text(v)}">{html_text(v)}</option>' for v in values)
    return f'<option value="">Alle {html_text(label)}</option>{opts}'


def municipality_table_html(block: b.MunicipalityTable, table_id: str = "kommunetabell") -> str:
    """The long table with a filter per column; the script (report/templates) writes its
    rows from the data beside it (``municipality_rows``), shows those that match every filter
    and says how many."""
    from analysis.present.output import first_time, script_json

    f = block.frame
    counties = sorted(f["fylke"].unique().to_list())
    statuses = list(dict.fromkeys(s for s in PRINT_WORDS if s in set(f["status"].to_list())))
    filters = [
        ("fylke", "Fylke", _options(counties, "fylker")),
        ("aktivitet", "Aktivitet", _options(block.activities, "aktiviteter")),
        ("status", "Status", _options(statuses, "statuser")),
        (
            "teller",
            "Telles",
            '<option value="">Alle</option><option>ja</option><option>nei</option>',
        ),
    ]
    controls = "".join(
        f'<label>{label} <select data-kolonne="{key}" aria-controls="{table_id}-t">{opts}'
        "</select></label> "
        for key, label, opts in filters
    )
    controls += (
        f'<label>Kommune <input type="search" data-kolonne="kommune" '
        f'aria-controls="{table_id}-t" autocomplete="off"></label> '
        f'<span class="ehelse-sok-status" aria-live="polite" id="{table_id}-status"></span>'
    )
    script = ""
    if first_time(FILTER_JS):
        js = (config.REPORT_DIR / "templates" / "ehelse-html" / FILTER_JS).read_text("utf-8")
        script = f"<script>{js}</script>"
    source = f'<p class="kilde">{html_text(block.source)}</p>' if block.source else ""
    rows = script_json(municipality_rows(block))
    return (
        f'{script}<section class="ehelse-kommunetabell" id="{table_id}" '
        f'aria-label="{html_text(block.caption)}">'
        f'<div class="ehelse-filter" role="search">{controls}</div>'
        f'<div class="ehelse-tabell ehelse-lang" role="region" tabindex="0" '
        f'aria-label="{html_text(block.caption)}">'
        f'<table id="{table_id}-t"><caption>{html_text(block.caption)} '
        f"({format_int(f.height)} rader)</caption><thead><tr>"
        '<th scope="col" data-kolonne="kommune">Kommune</th>'
        '<th scope="col" data-kolonne="fylke">Fylke</th>'
        '<th scope="col" data-kolonne="aktivitet">Aktivitet</th>'
        '<th scope="col" data-kolonne="status">Status</th><th scope="col">Siden</th>'
        '<th scope="col" data-kolonne="teller">Telles</th>'
        f"</tr></thead><tbody></tbody></table></div>"
        f'<script type="application/json" class="ehelse-rader">{rows}</script>'
        f"<noscript><p>{NO_SCRIPT}</p></noscript>{source}</section>"
    )


def municipality_rows(block: b.MunicipalityTable) -> dict[str, Any]:
    """The table's rows as the page carries them, which its script (kommunetabell.js) writes
    into the table: a row is [municipality, activity, status, since, counted (1/0), example
    data (1/0)], the first three numbers in the lists ``kommuner`` ([name, county]),
    ``aktiviteter`` and ``statuser``, since as shown («–»: none); ``merke`` follows the
    activity of a row of example data. Each name is written once, not once a row: the
    national table has about 1 800 rows."""
    f = block.frame
    counties = sorted(f["fylke"].unique().to_list())
    county = {c: i for i, c in enumerate(counties)}
    activities = list(dict.fromkeys([*block.activities, *f["aktivitet"].to_list()]))
    statuses = list(dict.fromkeys(f["status"].to_list()))
    municipalities = list(dict.fromkeys(zip(f["kommune"], f["fylke"], strict=True)))
    index = {m: i for i, m in enumerate(municipalities)}
    activity = {a: i for i, a in enumerate(activities)}
    status = {s: i for i, s in enumerate(statuses)}
    rows = [
        [
            index[(r["kommune"], r["fylke"])],
            activity[r["aktivitet"]],
            status[r["status"]],
            format_date(r["siden"]) if r["siden"] else DASH,
            int(bool(r["teller"])),
            int(bool(r["syntetisk"])),
        ]
        for r in f.iter_rows(named=True)
    ]
    return {
        "kommuner": [[name, county[c]] for name, c in municipalities],
        "fylker": counties,
        "aktiviteter": activities,
        "statuser": statuses,
        "merke": SYNTHETIC_MARK,
        "rader": rows,
    }


def printed_frame(block: b.MunicipalityTable) -> pl.DataFrame:
    """One row per municipality, one column per activity, short status words."""
    f = block.frame.with_columns(
        celle=pl.col("status").replace_strict(PRINT_WORDS, default=pl.col("status"))
    )
    wide = f.pivot(on="aktivitet", index="kommune", values="celle", sort_columns=False)
    cols = [a for a in block.activities if a in wide.columns]
    return wide.select("kommune", *[pl.col(c).fill_null("") for c in cols]).sort("kommune")


def municipality_table_markdown(block: b.MunicipalityTable) -> str:
    if not block.printed:
        return ""
    from analysis.present.tables import Table

    wide = printed_frame(block)
    synthetic = bool(block.frame["syntetisk"].any())
    return Table(
        wide,
        block.caption,
        labels={"kommune": "Kommune", **block.headings},
        nowrap=["kommune"],
        source=PRINT_KEY,
        synthetic=synthetic,
        searchable=False,
        name="kommuner-status",
    ).markdown()


def show_layout_block(block: Any, show_blocks: Callable[[Sequence[Any]], None]) -> None:
    """Lay out a NameList, a MunicipalityTable, Columns or a Flush (analysis.edition.blocks)."""
    if isinstance(block, b.NameList):
        _show_raw(Raw(name_list_html(block), name_list_markdown(block)))
    elif isinstance(block, b.MunicipalityTable):
        _show_raw(Raw(municipality_table_html(block), municipality_table_markdown(block)))
    elif isinstance(block, b.Columns):
        flag = "true" if block.floating else "false"
        _show_raw(Raw(markdown=typst(f"#kolonner(flyt: {flag})[")))
        _show_column(block.left, show_blocks)
        _show_raw(Raw(markdown=typst("][")))
        _show_column(block.right, show_blocks)
        _show_raw(Raw(markdown=typst("]")))
    elif isinstance(block, b.Flush):
        _show_raw(Raw(markdown=typst("#place.flush()")))
    else:
        raise TypeError(f"not a layout block: {type(block).__name__}")


def _show_column(blocks: Sequence[Any], show_blocks: Callable[[Sequence[Any]], None]) -> None:
    """A column's blocks; its headings are headings on the web page and bold labels in
    print, where the pair floats (a heading there would leave the document's order)."""
    from analysis.escape import typst_string

    for block in blocks:
        if isinstance(block, b.Heading):
            level = min(max(block.level, 2), 6)
            _show_raw(
                Raw(
                    f"<h{level}>{html_text(block.text)}</h{level}>",
                    typst(f"#kolonne-tittel({typst_string(block.text)})"),
                )
            )
        else:
            show_blocks([block])
