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
    root = Path(__file__).resolve().parents[1]
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
