"""Text from data is shown as written in the report's HTML and PDF: markdown through the page's
markdown reader and through the report's own PDF chain (pandoc -> Typst -> pdftotext)."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from analysis.edition.provenance import citation as source_line
from analysis.present.blocks import prose
from analysis.present.tables import table

HOSTILE = (
    "<script>alert(1)</script> [x](javascript:alert(1)) @ola #panic $E=mc^2$ *x* _y_ "
    '`#panic("x")`{=typst} [/] a\\b &amp; <b>fet</b>'
)
SOURCE = {
    "id": "kilde",
    "title": HOSTILE,
    "producer": "Eier @firma",
    "url": "https://example.org/<script>x</script>",
    "license": "<img src=x onerror=alert(1)> [lisens](javascript:alert(1))",
    "date_accessed": "2024-01-01",
}


def _html(markdown: str) -> str:
    from analysis.render.html import markdown_html

    return markdown_html(markdown)


def _pdf_text(markdown: str, tmp_path: Path) -> str:
    """Markdown through the report's own PDF chain (pandoc -> Typst), as text."""
    import subprocess

    import typst

    from analysis.render.pdf import markdown_to_typst

    body = markdown_to_typst(markdown)
    (tmp_path / "main.typ").write_text(body, encoding="utf-8")
    (tmp_path / "main.pdf").write_bytes(typst.compile(str(tmp_path / "main.typ")))
    done = subprocess.run(
        ["pdftotext", str(tmp_path / "main.pdf"), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_markdown_text_is_literal_in_html_and_pdf(tmp_path: Path) -> None:
    md = prose("Kilden {navn} er med.", navn=HOSTILE)
    page = _html(md)
    assert "<script" not in page and "<b>" not in page and "href" not in page
    from html import unescape

    assert HOSTILE in unescape(re.sub(r"<[^>]+>", "", page))
    text = _pdf_text(md, tmp_path)  # an @ stops no build, #panic runs no code
    assert _squash(HOSTILE) in _squash(text)


def test_a_citation_is_literal_and_its_url_is_a_plain_link(tmp_path: Path) -> None:
    line = source_line(SOURCE)
    page = _html(line)
    assert (
        "<script" not in page
        and "<img" not in page
        and "javascript:" not in page.split("href")[-1].split(">")[0]
    )
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs == ["https://example.org/%3Cscript%3Ex%3C/script%3E"]
    text = _pdf_text(line, tmp_path)
    # A citation leaves out a catalogue aside after ";" (here inside "&amp;"); the rest is
    # literal.
    for part in (HOSTILE.split(";")[0], SOURCE["url"], SOURCE["license"], "Eier @firma"):
        assert _squash(part) in _squash(text), part
    assert "javascript" not in source_line({"title": "t", "url": "javascript:alert(1)"}).split(
        "]("
    )[-1] or "](" not in source_line({"title": "t", "url": "javascript:alert(1)"})


def test_table_cells_captions_and_sources_are_literal(tmp_path: Path) -> None:
    t = table(
        pl.DataFrame({"navn": [HOSTILE, "=1+1"], "n": [1, 2]}),
        f"Tabell {HOSTILE}",
        source=HOSTILE,
    )
    html = t.html()
    assert "<script>alert" not in html and "<b>fet" not in html
    text = _pdf_text(t.markdown(), tmp_path)
    assert _squash(HOSTILE) in _squash(text)
