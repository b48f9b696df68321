"""What the page and the PDF show of an executed notebook (analysis.render.cells) and how each
format writes it: the page's markdown reader and the PDF's markdown with its figures."""

from __future__ import annotations

import base64
from pathlib import Path

import nbformat

from analysis.render import cells
from analysis.render.html import markdown_html
from analysis.render.pdf import to_markdown, write_figures

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"></svg>'
PNG = base64.b64encode(b"\x89PNG not really").decode("ascii")


def _notebook() -> nbformat.NotebookNode:
    out = nbformat.v4.new_output
    figure_meta = {"ehelse": {"alt": 'Kart "A"', "caption": "Figur\\1", "synthetic": True}}
    code = nbformat.v4.new_code_cell("show(x)")
    code.outputs = [
        out("stream", name="stdout", text="printed\n"),
        out("display_data", data={"text/plain": "<Figure>"}),  # a value's repr only
        out(
            "display_data",
            data={"text/html": "<p>tabell</p>", "text/markdown": "| a |\n|---|\n| 1 |"},
        ),
        out("display_data", data={"image/svg+xml": SVG, "text/plain": "x"}, metadata=figure_meta),
        out("display_data", data={"image/png": PNG}),
        out("error", ename="E", evalue="v", traceback=[]),
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("## Kapittel\n\nTekst."),
        nbformat.v4.new_raw_cell("raw"),
        code,
    ]
    return nb


def test_each_format_shows_its_first_type_and_hides_code_streams_and_errors() -> None:
    page = [(s.kind, s.cell, s.output) for s in cells.shown(_notebook(), cells.HTML_PRIORITY)]
    assert page == [
        ("markdown", 0, 0),
        ("text/html", 2, 2),
        ("image/svg+xml", 2, 3),
        ("image/png", 2, 4),
    ]
    pdf = [s.kind for s in cells.shown(_notebook(), cells.MARKDOWN_PRIORITY)]
    assert pdf == ["markdown", "text/markdown", "image/svg+xml", "image/png"]


def test_multiline_sources_are_joined() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(["# A\n", "\n", "b"])]
    assert [s.text for s in cells.shown(nb, cells.HTML_PRIORITY)] == ["# A\n\nb"]


def test_markdown_html_reads_tables_and_keeps_escaped_text_literal() -> None:
    page = markdown_html("| Kommune | Antall |\n|---|--:|\n| Ås | 3 |\n\n\\<b\\>fet\\</b\\> ~~x~~")
    assert "<table>" in page and "<td>Ås</td>" in page
    assert "&lt;b&gt;fet&lt;/b&gt;" in page and "<b>" not in page and "<del>x</del>" in page


def test_pdf_markdown_writes_figures_with_alt_text_as_typst_strings(tmp_path: Path) -> None:
    md = to_markdown(_notebook())
    write_figures(_notebook(), tmp_path)
    assert md.startswith("## Kapittel\n\nTekst.\n\n| a |")
    assert (tmp_path / "figurer" / "figur_2_3.svg").read_text(encoding="utf-8") == SVG
    assert (tmp_path / "figurer" / "figur_2_4.png").read_bytes() == b"\x89PNG not really"
    assert (
        '#ehelse-figur("figurer/figur_2_3.svg", alt: "Kart \\"A\\"", caption: "Figur\\\\1", '
        "eksempel: true)"
    ) in md
    assert '#ehelse-figur("figurer/figur_2_4.png", alt: "", caption: "")' in md
    assert "printed" not in md and "<Figure>" not in md


def test_a_range_of_cells_gives_that_chapter_only() -> None:
    nb = _notebook()
    assert to_markdown(nb, 0, 1) == "## Kapittel\n\nTekst.\n"
    assert to_markdown(nb, 1, 2) == "\n"  # a raw cell shows nothing
    assert to_markdown(nb, 2, 3).startswith("| a |")
