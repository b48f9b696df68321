"""`ehelse status`: on a small hand-made processed folder, and end to end on the embedded
example data (the April 2023 portfolio figures)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from analysis import schemas
from analysis.cli import app
from metric_frames import portfolio_ambitions

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "raw" / "example"


def _write(folder: Path, name: str, df: pl.DataFrame, model: type) -> None:
    model.validate(df)
    df.write_parquet(folder / f"{name}.parquet")


@pytest.fixture
def processed(tmp_path: Path) -> Path:
    """Oslo (03), Stavanger and Sandnes (11): DigiHelse in use in Oslo (2022-06-01) and
    Stavanger (2023-01-15), available in Sandnes; Kjernejournal available in Stavanger."""
    kommuner = pl.DataFrame(
        {
            "inndeling": [2020] * 3,
            "kommunenummer": ["0301", "1103", "1108"],
            "kommunenavn": ["Oslo", "Stavanger", "Sandnes"],
            "kommunenavn_norsk": ["Oslo", "Stavanger", "Sandnes"],
            "parallelle_navn": [[], [], []],
            "fylkesnummer": ["03", "11", "11"],
            "fylkesnavn": ["Oslo", "Rogaland", "Rogaland"],
            "organisasjonsnummer": [None, None, None],
            "befolkning": [700000, 145000, 82000],
            "befolkning_dato": [date(2024, 1, 1)] * 3,
        },
        schema_overrides={"parallelle_navn": pl.List(pl.String), "organisasjonsnummer": pl.String},
    )
    ambisjoner = portfolio_ambitions([3, 3, 2, 1, 1, 3, 3])
    events = [
        ("digihelse", "0301", "i_bruk", date(2022, 6, 1)),
        ("digihelse", "1103", "i_bruk", date(2023, 1, 15)),
        ("digihelse", "1108", "tilgjengelig", date(2023, 2, 1)),
        ("kjernejournal", "1103", "tilgjengelig", date(2021, 5, 1)),
    ]
    adopsjon = pl.DataFrame(
        events, schema=["losning", "kommunenummer", "trinn", "dato"], orient="row"
    ).with_columns(
        kilde_id=pl.lit("test"),
        syntetisk=pl.lit(False),
        rad=pl.int_range(2, len(events) + 2),
        kommune_inndata=pl.col("kommunenummer"),
        treff=pl.lit("exact"),
    )
    publisert = pl.DataFrame(
        {
            "kilde_id": ["test"],
            "dato": [date(2023, 4, 1)],
            "dato_presisjon": ["maaned"],
            "losning": ["digihelse"],
            "trinn": ["i_bruk"],
            "beskrivelse": ["DigiHelse – tatt i bruk"],
            "antall": [3],
            "kilde": ["test"],
            "merknad": [None],
            "syntetisk": [False],
        },
        schema_overrides={"merknad": pl.String},
    )
    _write(tmp_path, "kommuner", kommuner, schemas.Kommuner)
    _write(tmp_path, "ambisjoner", ambisjoner, schemas.Ambisjoner)
    _write(tmp_path, "adopsjon", adopsjon, schemas.Adopsjon)
    _write(tmp_path, "publisert", publisert, schemas.Publisert)
    return tmp_path


def _status(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["status", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_counts_ambition_and_published_difference(processed: Path) -> None:
    code, out, err = _status("--as-of", "2023-04-30", "--format", "json", "--data", str(processed))
    assert code == 0, err
    rows = {r["losning"]: r for r in json.loads(out)}
    dh = rows["digihelse"]
    assert (dh["i_bruk"], dh["tilgjengelig"], dh["antall"], dh["ambisjon"]) == (2, 3, 2, 3)
    assert dh["prosent_av_ambisjon"] == pytest.approx(66.7)
    assert (dh["gjenstar"], dh["publisert"], dh["avvik"]) == (1, 3, -1)
    kj = rows["kjernejournal"]  # counts tilgjengelig
    assert (kj["i_bruk"], kj["tilgjengelig"], kj["antall"]) == (0, 1, 1)
    assert rows["meldinger"]["antall"] is None  # no message data: no status
    assert rows["helseplattformen"]["i_omfang"] == 0
    assert rows["helseplattformen"]["kategori"] == "ikke beregnbar"
    order = ["skattedata", "kjernejournal", "digihelsestasjon", "helseplattformen", "vkp"]
    assert list(rows) == [*order, "meldinger", "digihelse"]  # by the portfolio's numbering


def test_region_by_name_gives_the_county_share(processed: Path) -> None:
    code, out, err = _status(
        "--as-of", "2023-04-30", "--region", "rogaland", "--format", "csv", "--data", str(processed)
    )
    assert code == 0, err
    df = pl.read_csv(io.StringIO(out))
    dh = df.filter(pl.col("losning") == "digihelse").row(0, named=True)
    assert (dh["i_omfang"], dh["antall"]) == (2, 1)
    assert dh["ambisjon_andel"] == pytest.approx(2.0)  # 3 * 2/3
    assert dh["publisert"] is None  # published figures are national


def test_table_format_has_norwegian_headers(processed: Path) -> None:
    args = ["status", "--as-of", "2023-04-30", "--data", str(processed)]
    wide = runner.invoke(app, args, env={"COLUMNS": "160"})
    assert wide.exit_code == 0, wide.stderr
    for header in ("Aktivitet", "I bruk", "Tilgj.", "Ambisjon", "Tempo/år", "Kategori", "Avvik"):
        assert header in wide.stdout
    assert "30.04.2023" in wide.stdout and "DigiHelse" in wide.stdout
    narrow = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert narrow.exit_code == 0, narrow.stderr
    assert "Antall" in narrow.stdout and "Tempo/år" not in narrow.stdout
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "31.02.2023"], "--as-of"),
        (["--as-of", "30/04/2023"], "--as-of"),
        (["--format", "xml"], "--format"),
        (["--region", "Atlantis"], "ukjent fylke"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(processed: Path, args: list[str], message: str) -> None:
    code, out, err = _status(*args, "--data", str(processed))
    assert code == 2
    assert message in err and "Traceback" not in err + out
    assert len(err.strip().splitlines()) == 1


def test_missing_data_says_run_ingest(tmp_path: Path) -> None:
    code, _out, err = _status("--data", str(tmp_path))
    assert code == 2 and "ehelse ingest" in err and "Traceback" not in err


def test_a_bug_inside_a_command_keeps_its_traceback(
    processed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plain KeyError or ValueError from the metrics is a bug, not a user error: it must not
    become a one-line «Feil:» with exit code 2."""
    import analysis.metrics.overview

    def broken(*_args: object, **_kwargs: object) -> pl.DataFrame:
        raise KeyError("intern_kolonne")

    monkeypatch.setattr(analysis.metrics.overview, "status_overview", broken)
    result = runner.invoke(app, ["status", "--as-of", "2023-04-30", "--data", str(processed)])
    assert result.exit_code == 1
    assert isinstance(result.exception, KeyError) and "Feil:" not in result.stderr


def test_a_bug_prints_a_traceback_from_the_console_script(processed: Path) -> None:
    """The same through a real process: Python prints the traceback and exits 1."""
    script = (
        "import analysis.metrics.overview as t\n"
        "def broken(*a, **k):\n"
        "    raise ValueError('intern feil i metrikken')\n"
        "t.status_overview = broken\n"
        "from analysis.cli import app\n"
        "app(prog_name='ehelse')\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, "status", "--data", str(processed)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    assert "Traceback (most recent call last)" in run.stderr
    assert "ValueError: intern feil i metrikken" in run.stderr and "Feil:" not in run.stderr


@pytest.mark.parametrize(
    ("module", "name", "base"),
    [
        ("analysis.metrics.params", "ParameterError", ValueError),
        ("analysis.tools.export", "ExportError", ValueError),
        ("analysis.tools.lookup", "NotFoundError", ValueError),
        ("analysis.tools.query", "QueryError", ValueError),
        ("analysis.render.project", "RenderError", RuntimeError),
        ("analysis.present.static", "FigureError", RuntimeError),
        ("analysis.render.project", "ProjectError", RuntimeError),
        ("analysis.load", "MissingDataError", FileNotFoundError),
        ("analysis.load", "SchemaMismatchError", ValueError),
        ("analysis.reference.register", "DivisionError", ValueError),
        ("analysis.reference.sources_api", "RefreshError", Exception),
        ("analysis.edition.params", "EditionError", Exception),
    ],
)
def test_user_errors_are_ehelse_errors(module: str, name: str, base: type) -> None:
    """The handler turns exactly the EhelseErrors into one line; the old base stays, so code
    that catches a ValueError from these still does."""
    import importlib

    from analysis.errors import EhelseError

    cls = getattr(importlib.import_module(module), name)
    assert issubclass(cls, EhelseError) and issubclass(cls, base)


def test_a_table_that_breaks_its_schema_is_one_line(processed: Path) -> None:
    """A processed table of another version (a column of the wrong type) is the user's to
    rebuild: one line naming the file, exit 2, from the loader for every command alike."""
    kommuner = pl.read_parquet(processed / "kommuner.parquet")
    kommuner.with_columns(pl.col("befolkning").cast(pl.String)).write_parquet(
        processed / "kommuner.parquet"
    )
    for args in (["status"], ["export", "--xlsx", str(processed / "ut.xlsx")]):
        result = runner.invoke(app, [*args, "--data", str(processed)])
        assert result.exit_code == 2, result.output
        assert "kommuner.parquet følger ikke skjemaet" in result.stderr
        assert "befolkning" in result.stderr and "ehelse ingest" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def _has_example() -> bool:
    return EXAMPLE.is_dir() and any(
        p.suffix in {".csv", ".xlsx", ".tsv"} for p in EXAMPLE.iterdir()
    )


@pytest.mark.slow
@pytest.mark.skipif(
    not _has_example(), reason="data/raw/example mangler: kjør `ehelse example-data` først"
)
def test_april_2023_reproduces_the_portfolio_table(tmp_path: Path) -> None:
    names = {c.name for c in app.registered_commands if c.name} | {
        c.callback.__name__ for c in app.registered_commands if c.callback
    }
    if "ingest" not in names:
        pytest.skip("`ehelse ingest` finnes ikke ennå")
    ingest = runner.invoke(app, ["ingest", "--out", str(tmp_path)])
    assert ingest.exit_code == 0, ingest.output
    code, out, err = _status("--as-of", "2023-04-30", "--format", "csv", "--data", str(tmp_path))
    assert code == 0, err
    df = pl.read_csv(io.StringIO(out))
    got = {r["losning"]: r for r in df.iter_rows(named=True)}
    portfolio = {  # KS portfolio 2023, status April 2023 and ambition
        "skattedata": (0, 356),
        "kjernejournal": (215, 356),
        "digihelsestasjon": (147, 170),
        "vkp": (30, 50),
        "digihelse": (133, 150),
    }
    for losning, (count, ambition) in portfolio.items():
        assert (got[losning]["antall"], got[losning]["ambisjon"]) == (count, ambition), losning
        assert got[losning]["publisert"] == count and got[losning]["avvik"] == 0
    assert got["kjernejournal"]["tilgjengelig"] == 215
    # The real roll-out list gives 9 in use; the portfolio says 10: both are shown.
    hp = got["helseplattformen"]
    assert (hp["antall"], hp["ambisjon"], hp["i_omfang"]) == (9, 19, 66)
    assert (hp["publisert"], hp["avvik"]) == (10, -1)
    assert got["meldinger"]["ambisjon"] == 356 and got["meldinger"]["publisert"] is None
    for col in ("prosent_av_ambisjon", "gjenstar", "tempo", "nodvendig_tempo", "kategori"):
        assert col in df.columns
    assert set(df["kategori"].to_list()) <= {
        "nådd",
        "på sporet",
        "akselerasjon nødvendig",
        "begrenset fremgang",
        "tilbakegang",
        "ikke beregnbar",
    }
