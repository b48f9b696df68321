"""`ehelse liste`: municipalities by county, solution and step, as `ehelse status` counts them."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from analysis import schemas
from analysis.cli import app
from analysis.tools.tablefile import read_xlsx_rows
from metric_frames import portfolio_ambitions

runner = CliRunner()

MUNICIPALITIES = [
    ("0301", "Oslo", "03", "Oslo", 700000),
    ("1101", "Eigersund", "11", "Rogaland", 15000),
    ("1103", "Stavanger", "11", "Rogaland", 145000),
    ("1108", "Sandnes", "11", "Rogaland", 82000),
]


@pytest.fixture
def processed(tmp_path: Path) -> Path:
    """DigiHelse in use in Oslo and (synthetic) Stavanger, available in Sandnes, not started
    in Eigersund; Kjernejournal (real) available in Eigersund."""
    kommuner = pl.DataFrame(
        MUNICIPALITIES,
        schema=["kommunenummer", "kommunenavn", "fylkesnummer", "fylkesnavn", "befolkning"],
        orient="row",
    ).with_columns(
        inndeling=pl.lit(2020, pl.Int64),
        kommunenavn_norsk=pl.col("kommunenavn"),
        parallelle_navn=pl.lit([], pl.List(pl.String)),
        organisasjonsnummer=pl.lit(None, pl.String),
        befolkning_dato=pl.lit(date(2024, 1, 1)),
    )
    kommuner = kommuner.select(
        "inndeling",
        "kommunenummer",
        "kommunenavn",
        "kommunenavn_norsk",
        "parallelle_navn",
        "fylkesnummer",
        "fylkesnavn",
        "organisasjonsnummer",
        "befolkning",
        "befolkning_dato",
    )
    events = [
        ("digihelse", "0301", "i_bruk", date(2022, 6, 1), False),
        ("digihelse", "1103", "i_bruk", date(2023, 1, 15), True),
        ("digihelse", "1108", "tilgjengelig", date(2023, 2, 1), False),
        ("kjernejournal", "1101", "tilgjengelig", date(2021, 5, 1), False),
    ]
    adopsjon = pl.DataFrame(
        events, schema=["losning", "kommunenummer", "trinn", "dato", "syntetisk"], orient="row"
    ).with_columns(
        kilde_id=pl.lit("test"),
        rad=pl.int_range(2, len(events) + 2),
        kommune_inndata=pl.col("kommunenummer"),
        treff=pl.lit("exact"),
    )
    for name, df, model in (
        ("kommuner", kommuner, schemas.Kommuner),
        ("ambisjoner", portfolio_ambitions([3, 3, 2, 1, 1, 3, 3]), schemas.Ambisjoner),
        ("adopsjon", adopsjon, schemas.Adopsjon),
    ):
        model.validate(df)
        df.write_parquet(tmp_path / f"{name}.parquet")
    return tmp_path


def _liste(processed: Path, *args: str, columns: int = 100) -> tuple[int, str, str]:
    result = runner.invoke(
        app,
        ["liste", "--as-of", "30.04.2023", "--data", str(processed), *args],
        env={"COLUMNS": str(columns)},
    )
    return result.exit_code, result.stdout, result.stderr


def test_not_started_in_a_county_by_name(processed: Path) -> None:
    code, out, err = _liste(
        processed, "--fylke", "rogaland", "--losning", "DigiHelse", "--trinn", "ikke_startet"
    )
    assert code == 0, err
    assert "Eigersund" in out and "ikke startet" in out
    for other in ("Stavanger", "Sandnes", "Oslo"):
        assert other not in out
    assert "1 rad av 3 i omfanget" in out
    assert "30.04.2023" in out


def test_the_list_agrees_with_the_status(processed: Path) -> None:
    code, out, err = _liste(processed, "--losning", "digihelse", "--format", "csv")
    assert code == 0, err
    df = pl.read_csv(io.StringIO(out), infer_schema=False)
    status = runner.invoke(
        app, ["status", "--as-of", "2023-04-30", "--format", "json", "--data", str(processed)]
    )
    dh = next(r for r in json.loads(status.stdout) if r["losning"] == "digihelse")
    assert df.filter(pl.col("trinn") == "i_bruk").height == dh["i_bruk"] == 2
    assert df.filter(pl.col("trinn").is_in(["i_bruk", "tilgjengelig"])).height == dh["tilgjengelig"]
    assert df.height == dh["i_omfang"] == 4


def test_synthetic_rows_are_marked_in_every_format(processed: Path, tmp_path: Path) -> None:
    code, out, _err = _liste(processed, "--losning", "digihelse", "--fylke", "11")
    assert code == 0
    stavanger = next(line for line in out.splitlines() if "Stavanger" in line)
    assert "eksempel" in stavanger and "SYNTETISKE" in out
    code, out, err = _liste(processed, "--losning", "digihelse", "--format", "csv")
    df = pl.read_csv(io.StringIO(out))
    assert df.filter(pl.col("syntetisk"))["kommunenavn"].to_list() == [
        "Eigersund",  # "not started" according to a synthetic source
        "Stavanger",
    ]
    assert "SYNTETISKE" in err
    real = _liste(processed, "--losning", "kjernejournal", "--format", "csv")[1]
    assert not pl.read_csv(io.StringIO(real))["syntetisk"].any()


def test_xlsx_has_norwegian_headers_and_a_synthetic_title_row(
    processed: Path, tmp_path: Path
) -> None:
    out = tmp_path / "liste.xlsx"
    code, _out, err = _liste(
        processed, "--losning", "digihelse", "--format", "xlsx", "--out", str(out)
    )
    assert code == 0, err
    rows = read_xlsx_rows(out)
    assert "DigiHelse" in str(rows[0][0])
    assert "SYNTETISKE" in str(rows[1][0])
    header = rows[2]
    assert header[:2] == ["Kommunenummer", "Kommune"] and "Eksempeldata" in header
    assert len(rows) == 3 + 4
    marks = {r[1]: r[header.index("Eksempeldata")] for r in rows[3:]}
    assert marks == {"Oslo": "nei", "Eigersund": "ja", "Stavanger": "ja", "Sandnes": "nei"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trinn", "startet"], "ukjent trinn"),
        (["--losning", "digihlse"], "Mente du"),
        (["--fylke", "Atlantis"], "ukjent fylke"),
        (["--format", "xlsx"], "--out"),
        (["--as-of", "31.02.2023"], "finnes ikke som dato"),
    ],
)
def test_bad_arguments_are_one_line(processed: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["liste", "--data", str(processed), *args])
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
