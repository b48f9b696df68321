"""Text from data is shown as written by the CLI: Excel answers start no formula, the terminal
shows markup and escape codes as text."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.escape import terminal_text

runner = CliRunner()


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
