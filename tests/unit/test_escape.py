"""Text from data is shown as written: the escaping functions, notices and CSV downloads.
Through the PDF chain: tests/e2e/test_escape_pdf.py; through the CLI:
tests/integration/test_escape_cli.py."""

from __future__ import annotations

import base64
import re

import polars as pl

from analysis.escape import (
    markdown_text,
    slug,
    spreadsheet_expr,
    spreadsheet_text,
    typst_string,
)
from analysis.ingest.skjema_layout import form_file_name
from analysis.present.blocks import Notice, prose

HOSTILE = (
    "<script>alert(1)</script> [x](javascript:alert(1)) @ola #panic $E=mc^2$ *x* _y_ "
    '`#panic("x")`{=typst} [/] a\\b &amp; <b>fet</b>'
)


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

    from analysis.present.output import figure_html

    df = pl.DataFrame({"navn": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "Oslo"]})
    page = figure_html(go.Figure(), "f", "Figur", "Alt", df)
    payload = re.search(r'data:text/csv;charset=utf-8;base64,([^"]+)"', page)
    assert payload is not None
    csv = base64.b64decode(payload.group(1)).decode("utf-8")
    rows = pl.read_csv(csv.encode())["navn"].to_list()
    assert rows == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "Oslo"]
    cells = pl.DataFrame({"a": ["Oslo", "=1", "\t2", None]}).select(spreadsheet_expr("a"))
    assert cells["a"].to_list() == ["Oslo", "'=1", "'\t2", None]
    assert spreadsheet_text("Oslo") == "Oslo" and spreadsheet_text("=1") == "'=1"


def _download(page: str) -> tuple[str, pl.DataFrame]:
    found = re.search(r'download="([^"]+)" href="data:text/csv;charset=utf-8;base64,([^"]+)"', page)
    assert found is not None
    return found.group(1), pl.read_csv(base64.b64decode(found.group(2)))


def test_csv_downloads_of_example_data_say_so_in_name_column_and_link() -> None:
    from analysis.present.output import csv_download

    df = pl.DataFrame({"dato": ["2023-01-31"], "antall": [3]})
    name, real = _download(page := csv_download(df, "fig-1"))
    assert name == "fig-1.csv" and "syntetisk" not in real.columns and "eksempeldata" not in page
    name, fake = _download(page := csv_download(df, "fig-1", synthetic=True))
    assert name == "fig-1-eksempeldata.csv" and fake["syntetisk"].to_list() == [True]
    assert "eksempeldata" in page
    # A frame with its own synthetic column keeps it, per row, and names the file after it.
    mixed = pl.DataFrame({"antall": [1, 2], "syntetisk": [False, True]})
    name, got = _download(csv_download(mixed, "fig-2"))
    assert name == "fig-2-eksempeldata.csv" and got["syntetisk"].to_list() == [False, True]


def test_a_slug_spells_out_norwegian_letters_and_drops_other_accents() -> None:
    assert slug("Status på Øst – Æra") == "status-pa-ost-aera"
    assert slug("Kárášjohka / Karasjok") == "karasjohka-karasjok"
    assert slug("«»", "region") == "region"
    assert form_file_name(2023, "15", "Møre og Romsdal") == "skjema-2023-15-more-og-romsdal.xlsx"
    assert (
        form_file_name(2025, "viken", "Viken nettverk", "nettverk")
        == "skjema-2025-viken-nettverk.xlsx"
    )
