"""`ehelse query`: DuckDB over the processed tables, read-only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.reference.municipalities import municipality_table
from analysis.tools.query import QueryError, run, schema

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
    assert "syntaksfeil i spørringen ved «selec»" in result.output


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("select x from kommuner", "ukjent kolonne «x»"),
        ("select * from kommune", "ukjent tabell «kommune»"),
        ("select 'abc'::int", "kan ikke gjøre «abc» om til"),
        ("select * from read_csv('/etc/passwd')", "ikke tillatt"),
        ("select sum(kommunenavn) from kommuner", "ingen funksjon passer"),
    ],
)
def test_duckdb_errors_are_bokmal_one_liners(processed: Path, sql: str, message: str) -> None:
    result = runner.invoke(app, ["query", sql, "--data", str(processed)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    for english in ("Error:", "does not exist", "not found", "Could not"):
        assert english not in lines[0]


def test_a_result_from_synthetic_rows_ends_with_a_note(processed: Path) -> None:
    """Both adopsjon rows of the fixture are synthetic; kommuner is reference data."""
    read = runner.invoke(
        app, ["query", "select count(*) n from adopsjon", "--data", str(processed)]
    )
    assert read.exit_code == 0, read.output
    assert "SYNTETISKE" in read.stdout and "adopsjon (2 av 2 rader)" in read.stdout
    counted = runner.invoke(
        app,
        [
            "query",
            "select syntetisk, count(*) n from adopsjon group by 1",
            "--data",
            str(processed),
        ],
    )
    assert "1 av 1 rader i svaret er SYNTETISKE" in counted.stdout
    to_stdout = runner.invoke(
        app, ["query", "select * from adopsjon", "--format", "csv", "--data", str(processed)]
    )
    assert "SYNTETISKE" in to_stdout.stderr and "SYNTETISKE" not in to_stdout.stdout
    real = runner.invoke(app, ["query", "select count(*) from kommuner", "--data", str(processed)])
    assert real.exit_code == 0 and "SYNTETISKE" not in real.output


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


def test_a_runaway_query_stops_at_its_time_limit_with_one_line(processed: Path) -> None:
    import time

    start = time.monotonic()
    result = runner.invoke(
        app,
        [
            "query",
            "select count(*) from range(100000000000) a, kommuner b",
            "--data",
            str(processed),
            "--timeout",
            "1",
        ],
    )
    assert time.monotonic() - start < 30
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "stoppet etter 1 s" in lines[0]


def test_memory_limit_and_spill_folder_are_set_and_locked(processed: Path) -> None:
    from analysis.tools.query import connect, default_memory_limit, machine_memory, temp_folder

    con = connect(processed)
    try:
        spill = con.execute("select current_setting('temp_directory')").fetchall()[0]
        assert Path(spill[0]) == temp_folder(processed)
        assert temp_folder(processed).is_relative_to(processed)
        assert abs(default_memory_limit() - machine_memory() / 4) < 2**20
        with pytest.raises(Exception, match="locked"):
            con.execute("SET memory_limit = '100GB'")
    finally:
        con.close()
    with pytest.raises(QueryError, match="minne"):
        run(
            "select list(range) from range(100000000)",
            processed,
            memory_limit=64 * 2**20,
        )


def test_answers_to_stdout_as_csv_or_json(processed: Path) -> None:
    import json

    sql = "select kommunenummer, kommunenavn from kommuner where kommunenummer = '4601'"
    dash = runner.invoke(app, ["query", sql, "--data", str(processed), "--csv", "-"])
    assert dash.exit_code == 0, dash.output
    assert dash.stdout == "kommunenummer,kommunenavn\n4601,Bergen\n"
    assert not Path("-").exists()
    fmt = runner.invoke(app, ["query", sql, "--data", str(processed), "--format", "csv"])
    assert fmt.stdout == dash.stdout
    js = runner.invoke(app, ["query", sql, "--data", str(processed), "--format", "json"])
    assert json.loads(js.stdout) == [{"kommunenummer": "4601", "kommunenavn": "Bergen"}]
