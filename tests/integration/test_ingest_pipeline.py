"""The ingest run end to end: the embedded data, other file shapes, messages and status."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from analysis.cli import app
from analysis.ingest.adoption import status_snapshots
from analysis.ingest.common import IngestError
from analysis.ingest.messages import aggregate_messages
from analysis.ingest.pipeline import run_ingest
from analysis.load import TABLES, load_manifest, load_table

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
TODAY = dt.date(2025, 1, 1)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("embedded") / "processed"
    result = CliRunner().invoke(app, ["ingest", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Innlest til" in result.stdout
    return out


@pytest.mark.slow
def test_embedded_data_validates_and_the_manifest_adds_up(embedded: Path) -> None:
    tables = {name: load_table(name, embedded) for name in TABLES}
    manifest = load_manifest(embedded)
    assert manifest["parameters"]["year"] == 2023
    assert manifest["parameters"]["division"] == 2020
    assert manifest["code_version"]["analysis"]
    assert tables["kommuner"].height == 356
    for name, n in manifest["tables"].items():
        assert tables[name].height == n, name
    rejected = tables["avvist"].group_by("kilde_id").len()
    rejected_by = dict(rejected.iter_rows())
    for i in manifest["inputs"]:
        digest = hashlib.sha256((RAW / i["path"]).read_bytes()).hexdigest()
        assert i["sha256"] == digest, i["id"]
        if i["rows_read"] is None:
            assert i["kind"] in ("reference", "geometry", "standards", "errata")
            continue
        assert i["rows_read"] == i["rows_kept"] + i["rows_rejected"], i["id"]
        assert rejected_by.get(i["id"], 0) == i["rows_rejected"], i["id"]
    origins = {s["id"]: s for s in manifest["sources"]}
    hp = origins["helseplattformen_innforing"]
    assert hp["producer"] == "Helseplattformen AS" and hp["synthetic"] is False
    assert hp["url"] == "https://www.helseplattformen.no/nar-kommer-helseplattformen"


@pytest.mark.slow
def test_helseplattformen_list_resolves_in_midt_norge(embedded: Path) -> None:
    ev = load_table("adopsjon", embedded).filter(pl.col("kilde_id") == "helseplattformen_innforing")
    assert ev.height == 65  # every name resolved, none rejected
    code = dict(zip(ev["kommune_inndata"].to_list(), ev["kommunenummer"].to_list(), strict=True))
    assert code["Herøy"] == "1515"  # Møre og Romsdal, not 1818 in Nordland
    assert code["Sande"] == "1514"
    assert code["Os"] == "3430"  # Os in Innlandet, in Helse Midt-Norge's catchment
    assert not ev["syntetisk"].any()
    planned = ev.filter(pl.col("trinn") == "planlagt")
    assert planned.height == 29
    assert set(planned["dato"].to_list()) == {dt.date(2026, 11, 28)}  # date_accessed
    assert planned["merknad"].str.contains("planlagt innføring 20").all()


@pytest.mark.slow
def test_published_and_municipality_level_figures_both_kept(embedded: Path) -> None:
    status = load_table("status", embedded)
    april = status.filter(
        (pl.col("losning") == "helseplattformen") & (pl.col("dato") == dt.date(2023, 4, 30))
    )
    in_use = april.filter(pl.col("trinn") == "i_bruk")
    assert sorted(in_use["kommunenummer"].to_list()) == [
        "3430", "5001", "5025", "5026", "5037", "5038", "5054", "5057", "5058",
    ]  # fmt: skip
    assert april.height == 356 and not april["syntetisk"].any()
    amb = load_table("ambisjoner", embedded)
    hp = amb.filter(pl.col("losning") == "helseplattformen").row(0, named=True)
    assert (hp["status_publisert"], hp["ambisjon"], hp["status_dato"]) == (
        10,
        19,
        dt.date(2023, 4, 30),
    )
    expected = {
        "digihelsestasjon": (147, 170),
        "kjernejournal": (215, 356),
        "digihelse": (133, 150),
        "vkp": (30, 50),
        "skattedata": (0, 356),
        "meldinger": (None, 356),
    }
    for losning, pair in expected.items():
        row = amb.filter(pl.col("losning") == losning).row(0, named=True)
        assert (row["status_publisert"], row["ambisjon"]) == pair, losning
    pub = load_table("publisert", embedded).filter(
        (pl.col("losning") == "helseplattformen") & (pl.col("dato") == dt.date(2023, 4, 1))
    )
    assert pub["antall"].to_list() == [10]
    assert load_table("tiltak", embedded).height == 10


def test_status_snapshots_take_the_highest_step_so_far() -> None:
    ev = pl.DataFrame(
        {
            "losning": ["x", "x", "x", "y"],
            "kommunenummer": ["0301", "0301", "4601", "4601"],
            "trinn": ["tilgjengelig", "i_bruk", "planlagt", "i_bruk"],
            "dato": [
                dt.date(2023, 1, 15),
                dt.date(2023, 3, 2),
                dt.date(2023, 2, 1),
                dt.date(2023, 2, 9),
            ],
            "syntetisk": [False, False, True, False],
        }
    )
    st = status_snapshots(ev, ["0301", "4601", "5001"], dt.date(2023, 4, 30), {"x"})
    assert st["dato"].unique().sort().to_list() == [
        dt.date(2023, 1, 31), dt.date(2023, 2, 28), dt.date(2023, 3, 31), dt.date(2023, 4, 30),
    ]  # fmt: skip
    assert st.height == 2 * 3 * 4

    def at(losning: str, code: str) -> list[str | None]:
        rows = st.filter((pl.col("losning") == losning) & (pl.col("kommunenummer") == code))
        return rows.sort("dato")["trinn"].to_list()

    assert at("x", "0301") == ["tilgjengelig", "tilgjengelig", "i_bruk", "i_bruk"]
    assert at("x", "4601") == [None, "planlagt", "planlagt", "planlagt"]
    assert at("x", "5001") == [None] * 4
    assert at("y", "4601") == [None, "i_bruk", "i_bruk", "i_bruk"]
    synth = (
        st.filter(pl.col("losning") == "x").group_by("kommunenummer").agg(pl.col("syntetisk").all())
    )
    assert dict(synth.iter_rows()) == {"0301": False, "4601": True, "5001": True}


def test_aggregate_messages_is_lazy_and_drops_unknown_parties() -> None:
    rows = pl.LazyFrame(
        {
            "avsender": ["a", "b", "a", "zz", "a"],
            "periode": [dt.date(2023, 1, 1)] * 5,
            "meldingstype": ["PLO"] * 5,
            "versjon": ["1.6", "1.6", None, "1.6", None],
            "antall": [1, 2, 4, 8, 16],
        }
    )
    lookup = pl.DataFrame({"avsender": ["a", "b", "zz"], "kommunenummer": ["0301", "0301", None]})
    lazy = aggregate_messages(rows, lookup)
    assert isinstance(lazy, pl.LazyFrame)
    got = lazy.collect(engine="streaming").sort("versjon", nulls_last=True)
    assert got.select("kommunenummer", "versjon", "antall").rows() == [
        ("0301", "1.6", 3),
        ("0301", None, 20),
    ]


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    wb.save(path)


CATALOGUE_HEAD = "report_year: 2023\nsources:\n"
ENTRY = """  - id: {id}
    path: {path}
    kind: adoption
    title: T
    producer: P
    url: https://example.org
    date_accessed: 2024-06-01
    license: CC0
    synthetic: false
{extra}"""


def test_excel_title_rows_wide_dates_and_solution_column(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    write_xlsx(
        raw / "eksport.xlsx",
        [
            ["Eksport fra fagsystemet"],
            ["Uttrekk 2024-06-01"],
            [],
            ["Org.nr", "Kommune", "Tjeneste", "Tilgjengelig dato", "I bruk dato"],
            [
                "964338531",
                "Bergen",
                "Kjernejournal",
                dt.datetime(2022, 5, 1),
                dt.datetime(2023, 1, 15),
            ],
            [None, "Tromsø", "VKP", None, "2023-02"],
            [None, "Tromsø", "DigiHelsestasjon", None, None],
        ],
    )
    (raw / "sources.yaml").write_text(
        CATALOGUE_HEAD + ENTRY.format(id="x", path="eksport.xlsx", extra=""), encoding="utf-8"
    )
    summary = run_ingest(raw, tmp_path / "out", today=TODAY)
    ev = load_table("adopsjon", tmp_path / "out").sort("rad", "dato")
    assert ev.select("rad", "losning", "kommunenummer", "trinn", "dato").rows() == [
        (5, "kjernejournal", "4601", "tilgjengelig", dt.date(2022, 5, 1)),
        (5, "kjernejournal", "4601", "i_bruk", dt.date(2023, 1, 15)),
        (6, "vkp", "5401", "i_bruk", dt.date(2023, 2, 1)),
    ]
    assert ev["treff"].to_list()[0] == "alias"  # found by organisation number
    avvist = load_table("avvist", tmp_path / "out")
    assert avvist.select("rad", "grunn").rows() == [(7, "mangler dato")]
    (s,) = summary.sources
    assert (s.rows_read, s.rows_kept, s.rows_rejected) == (3, 2, 1)


def test_status_with_a_single_step_date_column_and_cross_source_duplicates(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.csv").write_text(
        "Kommunenummer;Kommunenavn;Status;Dato tatt i bruk\n4601;Bergen;I bruk;01.02.2023\n",
        encoding="utf-8",
    )
    (raw / "b.csv").write_text("Knr,Status,Dato\n4601,i bruk,2023-02-01\n301,i bruk,2023-02-01\n")
    extra = "    solution: skattedata\n"
    (raw / "sources.yaml").write_text(
        CATALOGUE_HEAD
        + ENTRY.format(id="a", path="a.csv", extra=extra)
        + ENTRY.format(id="b", path="b.csv", extra=extra),
        encoding="utf-8",
    )
    run_ingest(raw, tmp_path / "out", today=TODAY)
    ev = load_table("adopsjon", tmp_path / "out").sort("kilde_id", "rad")
    assert ev.select("kilde_id", "kommunenummer", "trinn").rows() == [
        ("a", "4601", "i_bruk"),
        ("b", "0301", "i_bruk"),
    ]
    avvist = load_table("avvist", tmp_path / "out")
    assert avvist.select("kilde_id", "rad", "grunn").rows() == [
        ("b", 2, "samme hendelse som kilden 'a' rad 2")
    ]


@pytest.mark.parametrize(
    ("planned", "expected"),
    [
        ("row", None),  # a future go-live date cannot be an event date: rejected
        ("accessed", ("planlagt", dt.date(2024, 6, 1))),
    ],
)
def test_future_go_live_dates_are_planned(
    tmp_path: Path, planned: str, expected: tuple[str, dt.date] | None
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "hp.csv").write_text(
        "kommune_name,date_or_status\n"
        "Herøy,2025-04 innføringsdato på siden\n"
        "Molde,2024-11-09 innføringsdato på siden (sammen med Helse Nord-Trøndelag)\n",
        encoding="utf-8",
    )
    extra = (
        "    solution: helseplattformen\n"
        "    county_hint: [Trøndelag, Møre og Romsdal]\n"
        f"    planned_event_date: {planned}\n"
    )
    (raw / "sources.yaml").write_text(
        CATALOGUE_HEAD + ENTRY.format(id="hp", path="hp.csv", extra=extra), encoding="utf-8"
    )
    run_ingest(raw, tmp_path / "out", today=TODAY)
    ev = load_table("adopsjon", tmp_path / "out").sort("rad")
    molde = ev.filter(pl.col("kommunenummer") == "1506").row(0, named=True)
    assert (molde["trinn"], molde["dato"]) == ("i_bruk", dt.date(2024, 11, 9))
    heroy = ev.filter(pl.col("kommunenummer") == "1515")
    if expected is None:
        assert heroy.is_empty()
        avvist = load_table("avvist", tmp_path / "out")
        assert avvist["grunn"].to_list() == ["dato i fremtiden (2025-04-01)"]
    else:
        row = heroy.row(0, named=True)
        assert (row["trinn"], row["dato"]) == expected
        assert "oppgitt innføringsdato 2025-04" in row["merknad"]


def test_year_2024_uses_the_2024_division(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.csv").write_text("Kommune;Status;Dato\n1507;I bruk;2024-02\nTromsø;I bruk;2024-02\n")
    (raw / "sources.yaml").write_text(
        CATALOGUE_HEAD + ENTRY.format(id="a", path="a.csv", extra="    solution: vkp\n"),
        encoding="utf-8",
    )
    run_ingest(raw, tmp_path / "out", year=2024, today=TODAY)
    assert load_table("kommuner", tmp_path / "out").height == 357
    ev = load_table("adopsjon", tmp_path / "out")
    assert ev["kommunenummer"].to_list() == ["5501"]  # Tromsø's 2024 code
    assert load_table("avvist", tmp_path / "out")["grunn"].to_list() == [
        "flertydig kommune (1507 ble delt (inndeling 2020)): 1508 Ålesund (Møre og Romsdal); "
        "1580 Haram (Møre og Romsdal)"
    ]
    with pytest.raises(IngestError, match="før 2019"):
        run_ingest(raw, tmp_path / "out2", year=1990, today=TODAY)
