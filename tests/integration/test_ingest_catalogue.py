"""The source catalogue: each entry checked before anything is read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from analysis.ingest.catalogue import CatalogueError, load_catalogue

ENTRY = """
  - id: {id}
    path: a.csv
    kind: {kind}
    title: T
    producer: P
    url: https://example.org
    date_accessed: 2024-01-01
    license: CC0
    synthetic: false
"""


def write(tmp_path: Path, body: str, head: str = "report_year: 2023\nsources:\n") -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(head + body, encoding="utf-8")
    return path


def test_entries_become_sources(tmp_path: Path) -> None:
    body = ENTRY.format(id="a", kind="adoption") + (
        "    solution: vkp\n"
        "    county_hint: [Møre og Romsdal, Trøndelag]\n"
        "    columns: {kommune: Sted}\n"
        "    planned_event_date: accessed\n"
        "    seed: 7\n"
    )
    cat = load_catalogue(write(tmp_path, body))
    (src,) = cat.sources
    assert cat.report_year == 2023
    assert src.solution == "vkp"
    assert src.county_hint == ("Møre og Romsdal", "Trøndelag")
    assert src.columns == {"kommune": "Sted"}
    assert src.accessed == dt.date(2024, 1, 1)
    assert src.planned_event_date == "accessed"
    assert src.extra == {"seed": 7}  # other tools' keys are kept, not an error
    assert src.origin()["license"] == "CC0"


def test_the_real_catalogue_loads() -> None:
    root = Path(__file__).resolve().parents[2]
    cat = load_catalogue(root / "data" / "raw" / "sources.yaml")
    ids = {s.id for s in cat.sources}
    assert {"helseplattformen_innforing", "nasjonale_tall", "portefolje_2023_aktiviteter"} <= ids
    hp = next(s for s in cat.sources if s.id == "helseplattformen_innforing")
    assert hp.county_hint[0] == "Møre og Romsdal" and not hp.synthetic


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (ENTRY.format(id="x", kind="adopsjon"), r"kilden 'x' har ukjent kind 'adopsjon'"),
        (
            ENTRY.format(id="x", kind="adoption").replace("    license: CC0\n", ""),
            r"kilden 'x' mangler opphavsfeltet license",
        ),
        (
            ENTRY.format(id="x", kind="adoption").replace(
                "    url: https://example.org\n", "    url: ''\n"
            ),
            r"kilden 'x' mangler opphavsfeltet url",
        ),
        (
            ENTRY.format(id="x", kind="adoption").replace("synthetic: false", "synthetic: kanskje"),
            r"kilden 'x': synthetic må være true eller false",
        ),
        (
            ENTRY.format(id="x", kind="adoption") + ENTRY.format(id="x", kind="messages"),
            r"kilden 'x' står mer enn én gang",
        ),
        (
            ENTRY.format(id="x", kind="adoption") + "    sha256: abc\n",
            r"kilden 'x': sha256 'abc' er ikke 64",
        ),
        (
            ENTRY.format(id="x", kind="adoption") + "    solution: Digi Helse\n",
            r"kilden 'x': solution 'Digi Helse' er ikke en løsnings-id",
        ),
        (
            ENTRY.format(id="x", kind="adoption").replace("a.csv", "../a.csv"),
            r"kilden 'x': path '../a.csv' må være relativ",
        ),
        (
            ENTRY.format(id="x", kind="adoption").replace("2024-01-01", "i fjor"),
            r"date_accessed 'i fjor' er ikke en dato",
        ),
        (
            ENTRY.format(id="", kind="adoption").replace("id: \n", "id:\n"),
            r"oppføring nr. 1 mangler feltet 'id'",
        ),
        (
            ENTRY.format(id="x", kind="adoption").replace("2024-01-01", "2023-02-30"),
            r"kilden 'x': date_accessed '2023-02-30' er ikke en dato",
        ),
        (
            ENTRY.format(id="x", kind="adoption") + "    status_date: 2023-13-01\n",
            r"kilden 'x': status_date '2023-13-01' er ikke en dato",
        ),
        (
            ENTRY.format(id="x", kind="adoption").replace("title: T", "title: {a: 1}"),
            r"kilden 'x': feltet 'title' må være tekst, ikke dict",
        ),
    ],
)
def test_bad_entries_are_named_in_one_line(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(CatalogueError, match=message) as err:
        load_catalogue(write(tmp_path, body))
    assert "\n" not in str(err.value)
    assert "sources.yaml" in str(err.value)


def test_unreadable_catalogues(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="kildekatalogen finnes ikke"):
        load_catalogue(tmp_path / "nope.yaml")
    with pytest.raises(CatalogueError, match="ugyldig YAML"):
        load_catalogue(write(tmp_path, "  - id: [unclosed\n"))
    with pytest.raises(CatalogueError, match="report_year må være et årstall"):
        load_catalogue(write(tmp_path, "", head="report_year: snart\nsources: []\n"))


@pytest.mark.parametrize("year", ["true", "false", "1e23", "100000000000000000000000", "12"])
def test_report_year_is_a_year(tmp_path: Path, year: str) -> None:
    with pytest.raises(CatalogueError, match="report_year må være et årstall"):
        load_catalogue(write(tmp_path, "", head=f"report_year: {year}\nsources: []\n"))


def test_dates_stay_dates_without_the_yaml_timestamp_type(tmp_path: Path) -> None:
    body = ENTRY.format(id="x", kind="ambitions") + "    status_date: 2023-04-30\n"
    (source,) = load_catalogue(write(tmp_path, body)).sources
    assert source.date_accessed == "2024-01-01"
    assert source.status_date == dt.date(2023, 4, 30)


def test_an_alias_bomb_stops_quickly_with_one_line(tmp_path: Path) -> None:
    levels = "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n"
        for i in range(8)
    )
    head = 'report_year: 2023\na: &a ["x","x","x","x","x","x","x","x","x"]\n' + levels
    with pytest.raises(CatalogueError, match=r"linje \d+, kolonne \d+: YAML-en blir for stor"):
        load_catalogue(write(tmp_path, "", head=head + "sources: []\n"))
