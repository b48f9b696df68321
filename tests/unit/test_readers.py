"""Readers for the files users really get: encodings, separators, Excel title rows."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from analysis.ingest.readers import ROW, ReadError, read_table

ROWS = [("0301", "Oslo", "Tatt i bruk"), ("4601", "Bærum-Ås Øst", "I bruk")]


def _write_csv(path: Path, sep: str, encoding: str, bom: bool = False) -> Path:
    text = sep.join(["Kommunenr", "Kommune", "Status"]) + "\r\n"
    text += "".join(sep.join(r) + "\r\n" for r in ROWS)
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


@pytest.mark.parametrize(
    ("sep", "encoding", "bom"),
    [(";", "utf-8", False), (",", "utf-8", True), ("\t", "cp1252", False), (";", "cp1252", False)],
)
def test_csv_encodings_and_separators(tmp_path: Path, sep: str, encoding: str, bom: bool) -> None:
    df = read_table(_write_csv(tmp_path / "a.csv", sep, encoding, bom))
    assert df.columns == ["Kommunenr", "Kommune", "Status", ROW]
    assert df["Kommunenr"].to_list() == ["0301", "4601"]  # leading zero kept
    assert df["Kommune"].to_list() == ["Oslo", "Bærum-Ås Øst"]
    assert df[ROW].to_list() == [2, 3]


def test_csv_quoted_fields_and_blank_lines(tmp_path: Path) -> None:
    p = tmp_path / "q.csv"
    p.write_text('Kommune,Merknad\n"Oslo","a, b"\n\n"Bergen","c"\n', encoding="utf-8")
    df = read_table(p)
    assert df["Merknad"].to_list() == ["a, b", "c"]
    assert df[ROW].to_list() == [2, 4]  # line numbers in the file, blank line skipped


def test_excel_with_title_rows(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["DigiHelse – uttrekk per kommune"])
    ws.append(["Kilde: eksempel"])
    ws.append([])
    ws.append(["Kommunenr", "Kommune", "Antall"])
    ws.append([301, "Oslo", 12.0])
    ws.append(["4601", "Bergen", 3])
    p = tmp_path / "t.xlsx"
    wb.save(p)
    df = read_table(p)
    assert df.columns == ["Kommunenr", "Kommune", "Antall", ROW]
    assert df["Kommunenr"].to_list() == ["301", "4601"]
    assert df["Antall"].to_list() == ["12", "3"]
    assert df[ROW].to_list() == [5, 6]  # the sheet's own row numbers
    assert df.schema["Antall"] == pl.String


def test_unusable_files_give_one_line_naming_the_file(tmp_path: Path) -> None:
    empty = tmp_path / "tom.csv"
    empty.write_bytes(b"")
    with pytest.raises(ReadError, match=r"tom\.csv.*tom"):
        read_table(empty)
    with pytest.raises(ReadError, match="finnes ikke"):
        read_table(tmp_path / "mangler.csv")
    broken = tmp_path / "ødelagt.xlsx"
    broken.write_bytes(b"this is not a zip file")
    with pytest.raises(ReadError, match=r"ødelagt\.xlsx"):
        read_table(broken)
    wrong = tmp_path / "data.json"
    wrong.write_text("{}")
    with pytest.raises(ReadError, match="ukjent filtype"):
        read_table(wrong)
    ragged = tmp_path / "skjev.csv"
    ragged.write_text("a;b\n1;2;3\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"skjev\.csv, rad 2"):
        read_table(ragged)
