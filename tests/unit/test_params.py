"""The parameter tables (analysis.metrics.params), the rule sentences generated from them
(analysis.metrics.rules) and the polars dtypes derived from the pandera schemas."""

from __future__ import annotations

import re
import shutil
from datetime import date
from importlib.resources import as_file, files
from pathlib import Path

import pandera.polars as pa
import polars as pl
import pytest

from analysis import schemas
from analysis.load import TABLES
from analysis.metrics import params, rules
from analysis.metrics.params import ParameterError

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "broken" / "params"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the committed parameter tables, to change a row in."""
    with as_file(files("analysis.metrics").joinpath("data")) as src:
        shutil.copytree(src, tmp_path / "data")
    return tmp_path / "data"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("table", params.TABLES, ids=lambda t: t.file)
def test_every_committed_table_loads_with_its_declared_dtypes(table: params.ParamTable) -> None:
    df = params.load(table)
    assert df.height > 0
    assert df.schema == pl.Schema(table.schema())


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            params.ACTIVITIES,
            "aktiviteter.csv, rad 3, kolonne telles_trinn: 'i bruk' er ikke planlagt, "
            "tilgjengelig eller i_bruk",
        ),
        (
            params.SCOPES,
            "omfang.csv, rad 4, kolonne kommunenummer: en rad gir enten fylke eller kommune",
        ),
        (params.NETWORKS, "nettverk.csv, rad 4, kolonne fylkesnummer: '03' står også i rad 2"),
        (
            params.VERSION_RULES,
            "meldingsversjoner.csv, rad 2, kolonne gjelder_fra: et krav om å motta må ha en dato",
        ),
        (params.MESSAGE_STANDARDS, "meldingsstandarder.csv, rad 1: mangler kolonne(r) ['grunn']"),
    ],
    ids=lambda v: v.file if isinstance(v, params.ParamTable) else "",
)
def test_a_broken_table_names_file_row_and_column(table: params.ParamTable, message: str) -> None:
    with pytest.raises(ParameterError, match=re.escape(message)) as info:
        params.load(table, BROKEN)
    text = str(info.value)
    assert "\n" not in text and text.startswith(str(BROKEN))


def _activity_rows(**changes: str) -> str:
    header = ",".join(params.ACTIVITIES.names)
    good = "a,A,i_bruk,alle,2023-12-31,adopsjon,,"
    rows = [header, good]
    if changes:
        cells = dict(zip(params.ACTIVITIES.names, good.split(","), strict=True)) | changes
        rows.append(",".join(cells[c] for c in params.ACTIVITIES.names))
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"losning": "b", "frist": "31.12.2023"},
            "rad 3, kolonne frist: '31.12.2023' er ikke en dato",
        ),
        (
            {"losning": "b", "maal": "antall"},
            "rad 3, kolonne maal: 'antall' er ikke adopsjon eller",
        ),
        ({"losning": "", "navn": "B"}, "rad 3, kolonne losning: mangler verdi"),
        ({"navn": "B"}, "rad 3, kolonne losning: 'a' står også i rad 2"),
        ({"losning": "b", "navn": "Bee", "orddeling": "B|e"}, "rad 3, kolonne orddeling: 'B|e'"),
    ],
)
def test_each_kind_of_bad_cell_is_one_line_with_its_row(
    changes: dict[str, str], message: str
) -> None:
    with pytest.raises(ParameterError, match=re.escape(f"x.csv, {message}")):
        params.parse(params.ACTIVITIES, _activity_rows(**changes), "x.csv")
    params.parse(params.ACTIVITIES, _activity_rows(), "x.csv")  # the good row alone loads


def test_a_row_with_too_many_fields_names_its_row() -> None:
    text = _activity_rows() + "b,B,i_bruk,alle,2023-12-31,adopsjon,,,extra\n"
    with pytest.raises(ParameterError, match=r"x\.csv, rad 3: har 9 felt, overskriften har 8"):
        params.parse(params.ACTIVITIES, text, "x.csv")


def test_a_scope_keeps_one_name() -> None:
    text = "omfang_id,navn,fylkesnummer,kommunenummer,inndeling,merknad\nx,Eks,01,,,\nx,Ex,02,,,\n"
    with pytest.raises(ParameterError, match=r"rad 3, kolonne navn: x heter 'Eks'"):
        params.parse(params.SCOPES, text, "omfang.csv")


def test_display_names_and_narrow_headings_come_from_one_table() -> None:
    acts = params.activities()
    names = params.display_names()
    assert names["kjernejournal"] == "Kjernejournal" and names["meldinger"] == "Meldingsversjoner"
    heading = dict(acts.select("losning", "overskrift").iter_rows())
    assert heading["kjernejournal"] == "Kjerne\u00adjournal" and heading["vkp"] == "VKP"
    assert {k: v.replace("\u00ad", "") for k, v in heading.items()} == names


def test_the_counting_rule_follows_the_activity_rows(data_copy: Path) -> None:
    before = rules.counting_rule_text()
    assert before.startswith(
        "Tallet som telles mot ambisjonen, er kommunene som har tatt løsningen i bruk. "
        "Unntaket er Kjernejournal, der porteføljen teller kommuner der løsningen er "
        "*tilgjengeliggjort* i systemene."
    )
    assert before.endswith("Helseplattformen gjelder bare kommunene i Helse Midt-Norges område.")
    assert rules.counted_steps_short() == "Kjernejournal tilgjengeliggjort, ellers i bruk"
    # a new portfolio year: DigiHelse counts municipalities where it is available, and
    # Helseplattformen is for every municipality
    acts_file = data_copy / "aktiviteter.csv"
    _replace(acts_file, "digihelse,DigiHelse,i_bruk,alle", "digihelse,DigiHelse,tilgjengelig,alle")
    _replace(acts_file, "i_bruk,helse_midt_norge,", "i_bruk,alle,")
    acts = params.activities(data_copy)
    after = rules.counting_rule_text(acts, params.scope_names(data_copy))
    assert "Unntakene er Kjernejournal og DigiHelse, der porteføljen teller" in after
    assert "Helse Midt-Norges område" not in after
    assert rules.counted_steps_short(acts) == (
        "Kjernejournal og DigiHelse tilgjengeliggjort, ellers i bruk"
    )
    assert rules.counted_steps_note(acts) == (
        "kommuner som har tatt løsningen i bruk (Kjernejournal og DigiHelse: tilgjengeliggjort)"
    )


def test_the_message_rule_follows_the_version_rows(data_copy: Path) -> None:
    as_of = date(2024, 12, 31)
    before = rules.message_rule_text(as_of)
    assert "PLO 1.6 (fra 1. juli 2021)" in before
    # a new requirement: PLO 1.7 must be sent from 1 July 2024
    rule_file = data_copy / "meldingsversjoner.csv"
    with rule_file.open("a", encoding="utf-8") as fh:
        fh.write(
            "PLO,Pleie- og omsorgsmeldinger,1.7,sende,2024-07-01,Norsk helsenett,"
            "https://nhn.no/,,Nytt krav (prøverad).\n"
        )
    after = rules.message_rule_text(as_of, params.version_rules(data_copy))
    assert "PLO 1.7 (fra 1. juli 2024)" in after and "PLO 1.6" not in after
    # before the new requirement the sentence names it as the next one, not as in force
    earlier = rules.message_rule_text(date(2024, 6, 30), params.version_rules(data_copy))
    assert "PLO 1.6 (fra 1. juli 2021)" in earlier and "1.7" not in earlier


@pytest.mark.parametrize("name", list(TABLES))
def test_polars_dtypes_are_derived_from_the_pandera_schema(name: str) -> None:
    model = TABLES[name]
    dtypes = schemas.polars_schema(model)
    assert list(dtypes) == list(model.to_schema().columns)
    required = {c for c, col in model.to_schema().columns.items() if col.required}
    empty = pl.DataFrame(schema={c: t for c, t in dtypes.items() if c in required})
    model.validate(empty)  # an empty frame with the derived dtypes follows the schema
    wrong = next(c for c in required if dtypes[c] != pl.String)
    with pytest.raises((pa.errors.SchemaError, pa.errors.SchemaErrors)):
        model.validate(empty.with_columns(pl.col(wrong).cast(pl.String)))
