"""Text from data is shown as written in every output: report HTML and PDF, CSV downloads,
Excel and the terminal."""

from __future__ import annotations

import base64
import re
import zipfile
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.edition.method import source_line
from analysis.escape import markdown_text, spreadsheet_expr, terminal_text, typst_string
from analysis.present.tables import Notice, prose, table

runner = CliRunner()
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
    from nbconvert.filters.markdown import markdown2html

    return str(markdown2html(markdown))


def _pdf_text(markdown: str, tmp_path: Path) -> str:
    """Markdown through the report's own PDF chain (pandoc -> Typst), as text."""
    import subprocess

    import typst

    from analysis.render.publish import markdown_to_typst

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


def test_a_source_line_is_literal_and_its_url_is_a_plain_link(tmp_path: Path) -> None:
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
    for part in (HOSTILE, SOURCE["url"], SOURCE["license"], "Eier @firma"):
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


def test_a_notice_renders_no_html_from_its_text() -> None:
    bundle = Notice(prose("Merk: {x}", x=HOSTILE), title="<i>t</i>")._repr_mimebundle_()
    assert "<script" not in bundle["text/html"] and "<i>" not in bundle["text/html"]
    raw = Notice("<script>alert(1)</script>")._repr_mimebundle_()["text/html"]
    assert "<script" not in raw


def test_typst_strings_and_markdown_escape_everything_that_is_markup() -> None:
    assert typst_string('a"b\\c\nd') == '"a\\"b\\\\c d"'
    assert typst_string("Os\x1b[31mlo") == '"Os\\\\x1b[31mlo"'
    for ch in "@#$*_<>[]\\`":
        assert markdown_text(ch) == "\\" + ch
    assert markdown_text("1\u202f000\u00a0%") == "1\u202f000\u00a0\\%"  # no-break spaces stay


def test_csv_downloads_and_spreadsheet_cells_start_no_formula() -> None:
    import plotly.graph_objects as go

    from analysis.present.figures import _html as figure_html

    df = pl.DataFrame({"navn": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "Oslo"]})
    page = figure_html(go.Figure(), "f", "Figur", "Alt", df)
    payload = re.search(r'data:text/csv;charset=utf-8;base64,([^"]+)"', page)
    assert payload is not None
    csv = base64.b64decode(payload.group(1)).decode("utf-8")
    rows = pl.read_csv(csv.encode())["navn"].to_list()
    assert rows == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "Oslo"]
    cells = pl.DataFrame({"a": ["Oslo", "=1", "\t2", None]}).select(spreadsheet_expr("a"))
    assert cells["a"].to_list() == ["Oslo", "'=1", "'\t2", None]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    from analysis.reference.municipalities import municipality_table

    out = tmp_path / "processed"
    out.mkdir()
    municipality_table(2023).write_parquet(out / "kommuner.parquet")
    return out


def test_query_excel_answer_has_no_formula_cells(data: Path, tmp_path: Path) -> None:
    target = tmp_path / "svar.xlsx"
    sql = "select '=1+1' as a, '@SUM(1)' as b, '+A1' as c"
    result = runner.invoke(app, ["query", sql, "--data", str(data), "--xlsx", str(target)])
    assert result.exit_code == 0, result.output
    sheet = zipfile.ZipFile(target).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet


def test_terminal_shows_markup_and_escape_codes_as_text(data: Path) -> None:
    result = runner.invoke(
        app, ["query", "select 'a[/]b' as x, 'Os' || chr(27) || '[31mlo' as y", "--data", str(data)]
    )
    assert result.exit_code == 0, result.output
    assert "a[/]b" in result.stdout
    assert "\x1b" not in result.stdout and "Os\\x1b[31mlo" in result.stdout
    bad = runner.invoke(app, ["query", 'select "a[/]b" from kommuner', "--data", str(data)])
    assert bad.exit_code == 2
    assert "[/]" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    who = runner.invoke(app, ["kommune", "Zz[/]q\x1b[31m"])
    assert who.exit_code == 2, who.output
    assert "Zz[/]q" in who.stderr and "\x1b" not in who.stderr
    assert terminal_text("[bold]x[/]") == "\\[bold]x\\[/]"


def test_resolve_messages_with_markup_print(tmp_path: Path) -> None:
    src = tmp_path / "[bold]liste.csv"
    src.write_text("Kommune\nBergen\n", encoding="utf-8")
    out = tmp_path / "[red]ut.csv"
    result = runner.invoke(app, ["resolve", str(src), "--column", "Kommune", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "[red]ut.csv" in "".join(result.stdout.split())
    missing = runner.invoke(app, ["resolve", str(src), "--column", "K[/]", "--out", str(out)])
    assert missing.exit_code == 2 and "'K[/]'" in missing.stderr
