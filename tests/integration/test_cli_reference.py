"""The reference commands: `ehelse kommune` and `ehelse resolve`."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from openpyxl import Workbook
from typer.testing import CliRunner

from analysis.cli import app

runner = CliRunner()

MIXED = [
    ("Bergen", "", "4601", "4601", "exact"),
    ("301", "", "0301", "0301", "alias"),
    ("Herøy", "", None, None, "ambiguous"),
    ("Herøy", "Nordland", "1818", "1818", "exact"),
    ("Våler i Innlandet", "", "3419", "3419", "exact"),
    ("Porsanger - Porsáŋgu - Porsanki", "", "5436", "5622", "alias"),
    ("Guovdageaidnu", "", "5430", "5612", "exact"),
    ("Aurskog Høland", "", "3026", "3226", "exact"),
    ("1201", "", "4601", "4601", "historical"),
    ("Tysfjord", "", None, None, "ambiguous"),
    ("Qwxyzzz", "", None, None, "unknown"),
    ("964338531", "", "4601", "4601", "alias"),
]


def _input(tmp_path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Liste fra e-post"])
    ws.append(["Kommune", "Fylke", "Kontakt"])
    for i, (name, county, *_rest) in enumerate(MIXED):
        ws.append([name, county or None, f"person{i}"])
    p = tmp_path / "liste.xlsx"
    wb.save(p)
    return p


def test_kommune_shows_bergen_with_county_and_population() -> None:
    result = runner.invoke(app, ["kommune", "4601"])
    assert result.exit_code == 0, result.output
    assert "Bergen" in result.output and "Vestland" in result.output
    assert "Befolkning" in result.output and "291" in result.output


def test_kommune_ambiguous_and_unknown_exit_2_with_candidates() -> None:
    result = runner.invoke(app, ["kommune", "Herøy"])
    assert result.exit_code == 2
    assert "1515" in result.output and "1818" in result.output
    unknown = runner.invoke(app, ["kommune", "Qwxyzzz"])
    assert unknown.exit_code == 2 and "Mente du" in unknown.output
    assert "Traceback" not in unknown.output


def test_resolve_2023_and_2024(tmp_path: Path) -> None:
    src = _input(tmp_path)
    for year, idx in ((2023, 2), (2024, 3)):
        out = tmp_path / f"ut{year}.csv"
        result = runner.invoke(
            app,
            [
                "resolve",
                str(src),
                "--column",
                "Kommune",
                "--county-column",
                "Fylke",
                "--year",
                str(year),
                "--out",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        df = pl.read_csv(out, infer_schema=False)
        assert df.columns == [
            "Kommune",
            "Fylke",
            "Kontakt",
            "kommunenummer",
            "kommunenavn",
            "status",
            "treff",
            "merknad",
            "forslag",
        ]
        assert df["Kontakt"].to_list() == [f"person{i}" for i in range(len(MIXED))]
        for row, expected in zip(df.iter_rows(named=True), MIXED, strict=True):
            assert row["kommunenummer"] == expected[idx], (year, row)
            assert row["treff"] == expected[4], (year, row)
        flagged = df.filter(pl.col("treff").is_in(["ambiguous", "unknown"]))
        assert flagged["kommunenummer"].null_count() == flagged.height
        assert all(c for c in flagged["forslag"].to_list())
        assert set(flagged["status"]) == {"flertydig", "ukjent"}


def test_resolve_missing_column_is_one_line(tmp_path: Path) -> None:
    src = _input(tmp_path)
    result = runner.invoke(
        app, ["resolve", str(src), "--column", "Kommunenavn", "--out", str(tmp_path / "x.csv")]
    )
    assert result.exit_code == 2
    assert "Kommunenavn" in result.output and "Kommune, Fylke, Kontakt" in result.output
    assert not (tmp_path / "x.csv").exists()
