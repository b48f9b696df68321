"""Ambitions per edition: each edition measures against the newest portfolio at or before its
year, and says when the ambitions are carried over from an older one."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from analysis.ingest.common import IngestError
from analysis.ingest.pipeline import run_ingest
from analysis.load import load_table
from analysis.metrics import status as st

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT / "data" / "raw" / "published"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "portfolio_2025"
TODAY = date(2027, 1, 15)

ENTRY = """  - id: {id}
    path: {path}
    kind: ambitions
    title: {title}
    producer: P
    url: https://example.org
    date_accessed: 2026-01-10
    license: CC0
    synthetic: {synthetic}
{extra}"""


def _frame(rows: list[tuple[str, int, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"losning": pl.String, "portefolje_aar": pl.Int64, "ambisjon": pl.Int64},
        orient="row",
    )


def test_the_newest_portfolio_at_or_before_the_year_wins() -> None:
    amb = _frame([("a", 2023, 10), ("b", 2023, 20), ("a", 2025, 15), ("c", 2025, 5)])
    y2024 = st.ambitions_for(amb, 2024)
    assert y2024.rows() == [("a", 2023, 10, 2023), ("b", 2023, 20, 2023)]  # c is not known yet
    y2025 = st.ambitions_for(amb, 2025)
    assert y2025.rows() == [("a", 2025, 15, None), ("b", 2023, 20, 2023), ("c", 2025, 5, None)]
    y2023 = st.ambitions_for(amb, 2023)
    assert y2023["overfort_fra"].null_count() == y2023.height == 2
    assert st.ambitions_for(amb, 2022).height == 0
    assert y2025.columns == [*amb.columns, "overfort_fra"]


def test_ambitions_without_a_portfolio_year_are_refused() -> None:
    with pytest.raises(KeyError, match="portefolje_aar"):
        st.ambitions_for(pl.DataFrame({"losning": ["a"], "ambisjon": [1]}), 2024)


def test_the_status_table_refuses_two_portfolios_at_once() -> None:
    municipal = pl.DataFrame(
        {
            "losning": ["a"],
            "kommunenummer": ["0301"],
            "befolkning": [10],
            "trinn": ["i_bruk"],
            "telles": [True],
            "maalt": [True],
            "telles_trinn": ["i_bruk"],
            "syntetisk": [False],
        }
    )
    amb = _frame([("a", 2023, 10), ("a", 2025, 15)])
    with pytest.raises(ValueError, match="ambitions_for"):
        st.status_table(municipal, amb)
    one = st.status_table(municipal, st.ambitions_for(amb, 2026))
    assert one["ambisjon"].to_list() == [15]


def _raw(tmp_path: Path, with_2025: bool) -> Path:
    raw = tmp_path / "raw"
    (raw / "published").mkdir(parents=True)
    shutil.copy(PUBLISHED / "portfolio_2023_innforingsaktiviteter.csv", raw / "published")
    text = "report_year: 2023\nsources:\n" + ENTRY.format(
        id="portefolje_2023",
        path="published/portfolio_2023_innforingsaktiviteter.csv",
        title="Portefølje 2023",
        synthetic="false",
        extra="    status_date: 2023-04-30\n",
    )
    if with_2025:
        shutil.copy(FIXTURE / "portfolio_2025_innforingsaktiviteter.csv", raw / "published")
        text += ENTRY.format(
            id="portefolje_2025_test",
            path="published/portfolio_2025_innforingsaktiviteter.csv",
            title="Oppdiktet portefølje 2025 (testdata)",
            synthetic="true",
            extra="    portfolio_year: 2025\n    columns:\n      status_publisert: status_april_2025\n",
        )
    (raw / "sources.yaml").write_text(text, encoding="utf-8")
    return raw


def test_a_newer_portfolio_in_the_catalogue_simply_wins(tmp_path: Path) -> None:
    run_ingest(_raw(tmp_path, with_2025=True), tmp_path / "out", today=TODAY)
    amb = load_table("ambisjoner", tmp_path / "out")
    assert amb.group_by("portefolje_aar").len().sort("portefolje_aar").rows() == [
        (2023, 7),
        (2025, 2),
    ]
    # The 2023 portfolio's year comes from its status date, the 2025 one's from the catalogue.
    e2024 = st.ambitions_for(amb, 2024)
    assert set(e2024["portefolje_aar"].to_list()) == {2023}
    assert set(e2024["overfort_fra"].to_list()) == {2023}
    e2025 = st.ambitions_for(amb, 2025).select("losning", "ambisjon", "overfort_fra")
    got = {r[0]: r[1:] for r in e2025.rows()}
    assert got["kjernejournal"] == (350, None) and got["vkp"] == (120, None)
    assert got["digihelse"] == (150, 2023)  # not in the newer portfolio: carried over
    kj = amb.filter((pl.col("losning") == "kjernejournal") & (pl.col("portefolje_aar") == 2025))
    assert kj.select("status_publisert", "status_dato").row(0) == (330, date(2025, 4, 30))
    assert e2025.height == 7
    e2026 = st.ambitions_for(amb, 2026)
    assert e2026.filter(pl.col("losning") == "vkp")["overfort_fra"].to_list() == [2025]


def test_one_portfolio_year_per_activity_and_a_year_is_required(tmp_path: Path) -> None:
    raw = _raw(tmp_path, with_2025=True)
    text = (raw / "sources.yaml").read_text(encoding="utf-8")
    (raw / "sources.yaml").write_text(
        text.replace("portfolio_year: 2025", "portfolio_year: 2023"), encoding="utf-8"
    )
    with pytest.raises(IngestError, match="flere ambisjonskilder for porteføljen 2023"):
        run_ingest(raw, tmp_path / "out", today=TODAY)
    # Without portfolio_year the year is the status date's (from the status column's name).
    (raw / "sources.yaml").write_text(
        text.replace("    portfolio_year: 2025\n", ""), encoding="utf-8"
    )
    run_ingest(raw, tmp_path / "out2", today=TODAY)
    years = load_table("ambisjoner", tmp_path / "out2")["portefolje_aar"].unique().sort()
    assert years.to_list() == [2023, 2025]
    # Without either there is no year to file the ambitions under.
    (raw / "sources.yaml").write_text(
        text.replace("    portfolio_year: 2025\n", "").replace(
            "    columns:\n      status_publisert: status_april_2025\n", ""
        ),
        encoding="utf-8",
    )
    with pytest.raises(IngestError, match=r"porteføljeåret mangler.*portefolje_2025_test"):
        run_ingest(raw, tmp_path / "out3", today=TODAY)


def test_a_carried_over_ambition_of_every_municipality_follows_the_division() -> None:
    """356 in the 2023 portfolio means all municipalities: 357 in the 2024 division. An
    ambition below the whole (170) is a number and stays."""
    amb = _frame([("alle", 2023, 356), ("noen", 2023, 170)])
    assert st.municipality_count(2023) == 356 and st.municipality_count(2024) == 357
    got = dict(st.ambitions_for(amb, 2024).select("losning", "ambisjon").rows())
    assert got == {"alle": 357, "noen": 170}
    same = dict(st.ambitions_for(amb, 2023).select("losning", "ambisjon").rows())
    assert same == {"alle": 356, "noen": 170}
