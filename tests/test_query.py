"""`ehelse query`: DuckDB over the processed tables, read-only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.query import QueryError, run, schema
from analysis.reference.municipalities import municipality_table

runner = CliRunner()


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("processed")
    municipality_table(2023).write_parquet(out / "kommuner.parquet")
    pl.DataFrame(
        {
            "kilde_id": ["x", "x"],
            "losning": ["digihelse", "digihelse"],
            "kommunenummer": ["4601", "0301"],
            "trinn": ["i_bruk", "tilgjengelig"],
            "dato": [date(2023, 1, 1), date(2023, 2, 1)],
            "syntetisk": [True, True],
            "rad": [2, 3],
            "kommune_inndata": ["Bergen", "<b>Oslo</b>"],
            "treff": ["exact", "fuzzy"],
        }
    ).write_parquet(out / "adopsjon.parquet")
    return out


def test_counts_and_joins(processed: Path) -> None:
    assert run("select count(*) as n from kommuner", processed)["n"].item() == 356
    df = run(
        "select k.kommunenavn_norsk, a.trinn from adopsjon a join kommuner k using (kommunenummer) "
        "order by 1",
        processed,
    )
    assert df.rows() == [("Bergen", "i_bruk"), ("Oslo", "tilgjengelig")]


@pytest.mark.parametrize(
    "sql",
    [
        "select * from read_csv('/etc/passwd')",
        "select * from read_parquet('/work/main/data/raw/reference/2024/befolkning.csv')",
        "copy kommuner to '/tmp/ut.csv'",
        "attach '/tmp/annen.db'",
        "set enable_external_access = true",
        "install httpfs",
    ],
)
def test_reading_or_writing_files_is_refused(processed: Path, sql: str, tmp_path: Path) -> None:
    with pytest.raises(QueryError) as info:
        run(sql, processed)
    assert "\n" not in str(info.value)
    assert not Path("/tmp/ut.csv").exists()


def test_sql_error_is_one_line_in_the_cli(processed: Path) -> None:
    result = runner.invoke(app, ["query", "selec 1", "--data", str(processed)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "syntax" in result.output.lower()


def test_cli_csv_xlsx_and_schema(processed: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    csv, xlsx = tmp_path / "svar.csv", tmp_path / "svar.xlsx"
    result = runner.invoke(
        app,
        [
            "query",
            "select fylkesnavn, count(*) n from kommuner group by 1 order by 2 desc",
            "--data",
            str(processed),
            "--csv",
            str(csv),
            "--xlsx",
            str(xlsx),
        ],
    )
    assert result.exit_code == 0, result.output
    df = pl.read_csv(csv)
    assert df["n"].sum() == 356 and df.height == 11
    ws = load_workbook(xlsx).active
    assert ws is not None and ws["A1"].value == "fylkesnavn"
    shown = runner.invoke(
        app,
        ["query", "select kommune_inndata from adopsjon order by rad", "--data", str(processed)],
    )
    assert "<b>Oslo</b>" in shown.output  # data printed as text, not interpreted
    cols = {(c.view, c.column) for c in schema(processed)}
    assert ("kommuner", "befolkning") in cols and ("adopsjon", "treff") in cols
    listed = runner.invoke(app, ["query", "--schema", "--data", str(processed)])
    assert listed.exit_code == 0 and "kommunenummer" in listed.output


def test_missing_data_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["query", "select 1", "--data", str(tmp_path)])
    assert result.exit_code == 2 and "ehelse ingest" in result.output
