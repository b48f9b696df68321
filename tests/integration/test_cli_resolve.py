"""`ehelse resolve` as a safe list tool: no guessed numbers, merged names, the file asked for."""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.tools.tablefile import read_xlsx_rows

runner = CliRunner()

ROWS = [
    ("Bergen", ""),
    ("Bergn", ""),  # a misspelling: a suggestion, no number
    ("Stokke", ""),  # merged into Sandefjord in 2017 (edit distance says Tokke)
    ("Tjøme", ""),
    ("Herøy", "Nordland"),  # settled by the Fylke column, without --county-column
    ("Våler", "Innlandet"),
    ("Sande", "Vestfold"),  # merged into Holmestrand in 2020
    ('=HYPERLINK("http://x")', ""),
]


def _csv(tmp_path: Path) -> Path:
    src = tmp_path / "liste.csv"
    pl.DataFrame(
        {"Kommune": [r[0] for r in ROWS], "Fylke": [r[1] or None for r in ROWS]}
    ).write_csv(src)
    return src


def _run(*args: str) -> str:
    result = runner.invoke(app, ["resolve", *args, "--year", "2023"])
    assert result.exit_code == 0, result.output
    return result.output


def test_fuzzy_and_merged_names_never_get_a_guessed_number(tmp_path: Path) -> None:
    out = tmp_path / "ut.csv"
    output = _run(str(_csv(tmp_path)), "--column", "Kommune", "--out", str(out))
    df = pl.read_csv(out, infer_schema=False)
    by = {r["Kommune"]: r for r in df.iter_rows(named=True)}
    assert by["Bergen"]["status"] == "funnet" and by["Bergen"]["kommunenummer"] == "4601"
    bergn = by["Bergn"]
    assert bergn["status"] == "usikker" and bergn["kommunenummer"] is None
    assert bergn["forslag"].startswith("4601 Bergen")
    stokke = by["Stokke"]
    assert (stokke["status"], stokke["kommunenummer"], stokke["kommunenavn"]) == (
        "utgått",
        "3804",
        "Sandefjord",
    )
    assert "Stokke" in stokke["merknad"] and "2017" in stokke["merknad"]
    assert "Tokke" not in (stokke["forslag"] or "")
    assert by["Tjøme"]["kommunenummer"] == "3811" and by["Tjøme"]["status"] == "utgått"
    assert (by["Sande"]["status"], by["Sande"]["kommunenummer"]) == ("utgått", "3802")
    # The county column is used without being named.
    assert by["Herøy"]["kommunenummer"] == "1818" and by["Våler"]["kommunenummer"] == "3419"
    assert "Fylke fra kolonnen 'Fylke'" in output
    # The summary counts every status, usikker included.
    assert "usikker: 1" in output and "utgått: 3" in output and "funnet: 3" in output
    assert "1 rad likner en kommune" in output


def test_out_xlsx_is_a_real_workbook_with_escaped_text(tmp_path: Path) -> None:
    out = tmp_path / "ut.xlsx"
    output = _run(str(_csv(tmp_path)), "--column", "Kommune", "--out", str(out))
    assert "Excel-fil" in output
    assert zipfile.is_zipfile(out)  # an Office Open XML package, not CSV text
    rows = read_xlsx_rows(out)
    assert rows[0][:3] == ["Kommune", "Fylke", "kommunenummer"]
    cells = {r[0]: r for r in rows[1:]}
    assert cells["Stokke"][2] == "3804"
    formula = next(k for k in cells if "HYPERLINK" in str(k))
    assert str(formula).startswith("'=")  # shown as text, never computed


def test_excel_csv_has_bom_and_semicolons(tmp_path: Path) -> None:
    out = tmp_path / "ut.csv"
    _run(str(_csv(tmp_path)), "--column", "Kommune", "--out", str(out), "--excel-csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw[3:].decode("utf-8").splitlines()[0]
    assert header.split(";")[:3] == ["Kommune", "Fylke", "kommunenummer"]
    assert "'=HYPERLINK" in raw.decode("utf-8-sig")
    plain = tmp_path / "plain.csv"
    _run(str(_csv(tmp_path)), "--column", "Kommune", "--out", str(plain))
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    assert plain.read_text(encoding="utf-8").splitlines()[0].startswith("Kommune,Fylke,")


@pytest.mark.parametrize("name", ["ut.xls", "ut.ods"])
def test_a_spreadsheet_kind_we_cannot_write_is_one_line(tmp_path: Path, name: str) -> None:
    result = runner.invoke(
        app, ["resolve", str(_csv(tmp_path)), "--column", "Kommune", "--out", str(tmp_path / name)]
    )
    assert result.exit_code == 2
    assert ".xlsx" in result.output and "Traceback" not in result.output
    assert not (tmp_path / name).exists()
