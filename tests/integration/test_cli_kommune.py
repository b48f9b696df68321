"""`ehelse kommune` with the processed data (every solution, messages, place in the county),
and the closest-match answer to an unknown municipality or county in every command."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from analysis import schemas
from analysis.cli import app
from analysis.reference import find, load_register
from analysis.tools import lookup
from metric_frames import portfolio_ambitions

runner = CliRunner()


def _write(folder: Path, name: str, df: pl.DataFrame, model: type) -> None:
    model.validate(df)
    df.write_parquet(folder / f"{name}.parquet")


@pytest.fixture
def processed(tmp_path: Path) -> Path:
    """Rogaland's Eigersund, Stavanger and Sandnes (2020 division). Stavanger: DigiHelse in use
    2023-01-15, Kjernejournal available 2021-05-01, VKP in use; Sandnes: DigiHelse, VKP
    planned; Eigersund: DigiHelse and Skattedata. Messages in March 2023: Stavanger sends an
    outdated Henvisning, Sandnes only current versions, Eigersund nothing."""
    reg = load_register(2023).filter(pl.col("kommunenummer").is_in(["1101", "1103", "1108"]))
    kommuner = reg.select(
        pl.lit(2020, pl.Int64).alias("inndeling"),
        "kommunenummer",
        "kommunenavn",
        "kommunenavn_norsk",
        "parallelle_navn",
        "fylkesnummer",
        "fylkesnavn",
        "organisasjonsnummer",
        pl.lit(1000, pl.Int64).alias("befolkning"),
        pl.lit(date(2024, 1, 1)).alias("befolkning_dato"),
    )
    ambisjoner = portfolio_ambitions([3] * 7)
    events = [
        ("digihelse", "1103", "i_bruk", date(2023, 1, 15)),
        ("digihelse", "1108", "i_bruk", date(2022, 6, 1)),
        ("digihelse", "1101", "i_bruk", date(2022, 9, 1)),
        ("kjernejournal", "1103", "tilgjengelig", date(2021, 5, 1)),
        ("vkp", "1108", "planlagt", date(2023, 2, 1)),
        ("vkp", "1103", "i_bruk", date(2022, 3, 1)),
        ("skattedata", "1101", "i_bruk", date(2023, 3, 1)),
    ]
    adopsjon = pl.DataFrame(
        events, schema=["losning", "kommunenummer", "trinn", "dato"], orient="row"
    ).with_columns(
        kilde_id=pl.lit("test"),
        syntetisk=pl.lit(True),
        rad=pl.int_range(2, len(events) + 2),
        kommune_inndata=pl.col("kommunenummer"),
        treff=pl.lit("exact"),
    )
    msgs = [
        ("1103", "PLO", "1.6", 100),
        ("1103", "Henvisning", "1.0", 10),
        ("1108", "PLO", "1.6", 50),
    ]
    meldinger = pl.DataFrame(
        msgs, schema=["kommunenummer", "meldingstype", "versjon", "antall"], orient="row"
    ).with_columns(
        kilde_id=pl.lit("test"), periode=pl.lit(date(2023, 3, 1)), syntetisk=pl.lit(True)
    )
    _write(tmp_path, "kommuner", kommuner, schemas.Kommuner)
    _write(tmp_path, "ambisjoner", ambisjoner, schemas.Ambisjoner)
    _write(tmp_path, "adopsjon", adopsjon, schemas.Adopsjon)
    _write(
        tmp_path,
        "meldinger",
        meldinger.select(list(schemas.Meldinger.to_schema().columns)),
        schemas.Meldinger,
    )
    return tmp_path


def _kommune(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["kommune", *args], env={"COLUMNS": "120"})
    return result.exit_code, result.stdout, result.stderr


def _row(out: str, label: str) -> str:
    """The output line whose first cell is ``label`` (a table row or a reference row)."""
    pattern = re.compile(rf"^[\s│]*{re.escape(label)}(\s{{2,}}|\s*│)")
    line = next((ln for ln in out.splitlines() if pattern.match(ln)), None)
    assert line is not None, f"{label!r} mangler i\n{out}"
    return line


def test_every_solution_with_dates_messages_and_county_place(processed: Path) -> None:
    code, out, err = _kommune("Stavanger", "--as-of", "2023-04-30", "--data", str(processed))
    assert code == 0, err
    assert "Løsninger per 30.04.2023" in out
    dh = _row(out, "DigiHelse")
    assert "i bruk" in dh and dh.count("15.01.2023") == 3 and dh.rstrip().endswith("ja")
    kj = _row(out, "Kjernejournal")  # counted at tilgjengelig
    assert "tilgjengelig" in kj and kj.count("01.05.2021") == 2 and kj.rstrip().endswith("ja")
    assert "ikke startet" in _row(out, "Skattedata")
    assert "utenfor" in _row(out, "Helseplattformen")  # Helse Midt-Norge only
    assert "utdaterte versjoner" in _row(out, "Meldingsversjoner")
    henvisning = _row(out, "Henvisning")
    assert "0,0 %" in henvisning and "nei" in henvisning and "1.0" in henvisning
    assert "100,0 %" in _row(out, "PLO")
    # Stavanger counts 3 of its 6 (Helseplattformen is out of scope); the others 2: sole first.
    place = _row(out, "Plass i fylket")
    assert "nr. 1 av 3 i Rogaland" in place and "(delt)" not in place
    assert "3 av 6" in place
    assert "Eksempeldata" in out


def test_tied_place_is_marked_shared(processed: Path) -> None:
    code, out, err = _kommune("1108", "--as-of", "2023-04-30", "--data", str(processed))
    assert code == 0, err
    # Sandnes: DigiHelse and compliant messages; Eigersund: DigiHelse and Skattedata.
    assert "nr. 2 av 3 i Rogaland (delt)" in _row(out, "Plass i fylket")
    vkp = _row(out, "VKP")
    assert "planlagt" in vkp and "01.02.2023" in vkp and vkp.rstrip().endswith("nei")
    assert "oppfylt" in _row(out, "Meldingsversjoner")
    code, out, _ = _kommune("Eigersund", "--as-of", "2023-04-30", "--data", str(processed))
    assert code == 0 and "nr. 2 av 3 i Rogaland (delt)" in _row(out, "Plass i fylket")
    assert "ingen meldinger" in _row(out, "Meldingsversjoner")
    # In August 2022 Eigersund had nothing yet (DigiHelse came in September): alone in third
    # place, of 5 solutions (message versions are not measured before the first month of data).
    code, out, _ = _kommune("Eigersund", "--as-of", "2022-08-31", "--data", str(processed))
    place = _row(out, "Plass i fylket")
    assert code == 0 and "nr. 3 av 3 i Rogaland;" in place and "0 av 5" in place


def test_county_ranks_follow_the_adoption_index() -> None:
    municipal = pl.DataFrame(
        {
            "losning": ["a", "b"] * 4,
            "kommunenummer": ["1", "1", "2", "2", "3", "3", "4", "4"],
            "kommunenavn": ["k1", "k1", "k2", "k2", "k3", "k3", "k4", "k4"],
            "fylkesnummer": ["11"] * 6 + ["46"] * 2,
            "fylkesnavn": ["Rogaland"] * 6 + ["Vestland"] * 2,
            "telles": [True, False, True, True, False, True, None, None],
            "maalt": [True] * 8,
        }
    )
    ranks = {r["kommunenummer"]: r for r in lookup.county_ranks(municipal).iter_rows(named=True)}
    assert (ranks["2"]["rang"], ranks["2"]["delt"]) == (1, False)
    assert (ranks["1"]["rang"], ranks["3"]["rang"], ranks["1"]["delt"]) == (2, 2, True)
    assert (ranks["4"]["rang"], ranks["4"]["av"]) == (1, 1)
    rank = lookup.county_rank(municipal, "3")
    assert rank is not None and rank.text() == "nr. 2 av 3 i Rogaland (delt)"


def test_without_processed_data_shows_the_reference_and_one_line(tmp_path: Path) -> None:
    code, out, err = _kommune("Bergen", "--data", str(tmp_path))
    assert code == 0, err
    assert "Vestland" in out and "Befolkning" in out
    notes = [ln for ln in out.splitlines() if "ehelse ingest" in ln]
    assert len(notes) == 1 and "Løsninger per" not in out


def test_a_code_of_another_division_is_carried_to_the_data(processed: Path) -> None:
    # 2024's Stavanger is 1103 as in 2020; 2024's Drammen (3301) is 2020's 3005, not in the data.
    args = ("--year", "2024", "--as-of", "2023-04-30", "--data", str(processed))
    code, out, err = _kommune("1103", *args)
    assert code == 0, err
    assert "Løsninger per" in out
    code, out, err = _kommune("3301", "--year", "2024", "--data", str(processed))
    assert code == 0, err
    assert "3005" in out and "finnes ikke" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["kommune", "Stavangr-Sandnes-Qx"], "Mente du"),
        (["kommune", "Qwxyzzz"], "Mente du"),
        (["status", "--region", "Rogalnd"], "11 Rogaland"),
        (["export", "--region", "Rogalnd", "--xlsx", "{tmp}/ut.xlsx"], "11 Rogaland"),
        (["status", "--region", "Atlantis"], "Fylkene er"),
    ],
)
def test_unknown_names_answer_with_the_closest_matches(
    processed: Path, tmp_path: Path, args: list[str], expected: str
) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args] + ["--data", str(processed)]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2
    assert expected in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    if "Mente du" in expected or "Rogaland" in expected:
        hints = re.findall(r"\d{2,4} [A-ZÆØÅ]", result.stderr)
        assert 1 <= len(hints) <= find.CLOSEST
    assert not (tmp_path / "ut.xlsx").exists()


def test_lookup_helpers_for_notebooks() -> None:
    assert lookup.find_municipality("bergen", 2023).kommunenummer == "4601"
    with pytest.raises(lookup.NotFoundError, match="Mente du"):
        lookup.find_municipality("Qwxyzzz", 2023)
    assert find.find_county("46", 2020) == ("46", "Vestland")
    assert find.find_county(" vestland ", 2020) == ("46", "Vestland")
    with pytest.raises(find.NotFoundError, match="46 Vestland"):
        find.find_county("Vestlnd", 2020)
    solutions = {"digihelse": "DigiHelse", "helseplattformen": "Helseplattformen"}
    assert lookup.find_solution("Digi Helse", solutions) == "digihelse"
    with pytest.raises(lookup.NotFoundError, match="helseplattformen"):
        lookup.find_solution("helseplatform", solutions)
