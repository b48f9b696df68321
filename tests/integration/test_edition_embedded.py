"""Editions on the embedded data: 2023 unchanged in its figures, and 2024-2026 complete on
the 2024 division (maps without a gap, carried-over ambitions, the change of division)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from analysis import config
from analysis.cli import app
from analysis.edition import edition
from analysis.edition.activities import sections
from analysis.edition.blocks import (
    ChartBlock,
    Heading,
    NoticeBlock,
    TableBlock,
    Text,
    reading_order,
)
from analysis.edition.data import edition_data
from analysis.edition.method import change_blocks
from analysis.edition.summary import summary
from analysis.ingest.pipeline import run_ingest

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "status-2023-12-31.csv"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The embedded data ingested on the 2020 division (2023) and the 2024 division."""
    out = {}
    for year in (2023, 2024):
        folder = tmp_path_factory.mktemp(f"data{year}")
        run_ingest(config.RAW_DIR, folder, year=year)
        out[year] = folder
    return out


def test_the_2023_edition_keeps_its_figures(data: dict[int, Path]) -> None:
    result = CliRunner().invoke(
        app,
        [
            *("status", "--year", "2023", "--as-of", "2023-12-31", "--format", "csv"),
            *("--data", str(data[2023])),
        ],
    )
    assert result.exit_code == 0, result.output
    now = {r["losning"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    snapshot = list(csv.DictReader(SNAPSHOT.open(encoding="utf-8")))
    assert [r["losning"] for r in snapshot] == list(now)
    for row in snapshot:
        assert {k: now[row["losning"]][k] for k in row} == row, row["losning"]


def _maps(year: int, folder: Path, region: str | None = None) -> list[ChartBlock]:
    d = edition_data(edition(year, region, folder))
    return [
        b
        for s in sections(d)
        for b in reading_order(s.blocks)
        if isinstance(b, ChartBlock) and b.kind == "map"
    ]


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_maps_of_later_editions_draw_the_2024_division_without_gaps(
    year: int, data: dict[int, Path]
) -> None:
    maps = _maps(year, data[2024])
    assert len(maps) == 7  # six activities and the message versions
    for block in maps:
        b = block.options["boundaries"]
        assert b.division == 2024 and len(b.counties["features"]) == 15
        assert len(b.area_of) == 357 and len(b.municipalities["features"]) == 356
        assert "Ålesund og Haram" in b.area_names.values()
        frame = block.frame
        value = block.options["value_col"]
        scope = block.options.get("codes")
        drawn = scope if scope is not None else [f["id"] for f in b.municipalities["features"]]
        assert set(frame["omrade"].to_list()) == set(drawn), block.name
        if block.name != "kart-meldinger":  # «ingen data» is real there: no statistics
            assert frame[value].null_count() == 0, block.name
        assert "Ålesund og Haram" in (b.note or "")


def test_the_2025_edition_carries_the_ambitions_over_and_passes_the_deadlines(
    data: dict[int, Path],
) -> None:
    d = edition_data(edition(2025, None, data[2024]))
    assert d.as_of == date(2025, 12, 31) and d.kommuner.height == 357
    s = summary(d)
    notices = [b for b in s.intro if isinstance(b, NoticeBlock)]
    assert any("videreført fra porteføljen for 2023" in n.text for n in notices)
    table = next(b for b in s.table if isinstance(b, TableBlock))
    assert "videreført fra porteføljen for 2023" in table.options["source"]
    texts = [
        b.markdown for sec in sections(d) for b in reading_order(sec.blocks) if isinstance(b, Text)
    ]
    assert any("Fristen (31.12.2023) er passert." in t for t in texts)


def test_the_running_year_ends_where_the_data_end(data: dict[int, Path]) -> None:
    from analysis.load import load_manifest

    ed = edition(2026, None, data[2024])
    until = date.fromisoformat(load_manifest(data[2024])["data_until"])
    assert ed.as_of == until < date(2026, 12, 31)  # the newest event: the data's own end
    assert edition(2025, None, data[2024]).as_of == date(2025, 12, 31)


def test_the_change_of_division_is_explained(data: dict[int, Path]) -> None:
    d = edition_data(edition(2024, None, data[2024]))
    blocks = change_blocks(d)
    assert any(isinstance(b, Heading) and b.text == "Ny kommuneinndeling" for b in blocks)
    text = " ".join(b.markdown for b in blocks if isinstance(b, Text))
    assert "15 fylker i stedet for 11" in text and "357 kommuner" in text
    changes = next(
        b for b in blocks if isinstance(b, TableBlock) and b.title.startswith("Kommuner")
    )
    rows = {r["fra"]: r for r in changes.frame.iter_rows(named=True)}
    assert rows["1507 Ålesund"]["endring"] == "delt"
    assert rows["3001 Halden"]["til"] == "3101 Halden"
    previous = next(b for b in blocks if isinstance(b, TableBlock))
    assert previous.frame["for"].null_count() < previous.frame.height  # 2023 figures shown
    d23 = edition_data(edition(2023, None, data[2023]))
    assert not any(isinstance(b, Heading) for b in change_blocks(d23)[:2])


def test_compliance_uses_the_versions_required_at_the_status_date(
    data: dict[int, Path],
) -> None:
    d = edition_data(edition(2024, None, data[2024]))
    current = dict(
        d.versions.select("meldingstype", pl.col("gjeldende_versjoner").list.join(",")).iter_rows()
    )
    assert "2.0" in current["Henvisning"] and "1.1" not in current["Henvisning"].split(",")


def test_a_county_map_mentions_the_shared_area_only_where_it_lies(data: dict[int, Path]) -> None:
    from analysis.present.maps import municipality_map
    from analysis.present.output import FigureOutput

    def caption(region: str) -> str:
        block = _maps(2024, data[2024], region)[0]
        options = dict(block.options)
        fig = municipality_map(block.frame, options.pop("value_col"), **options)
        return FigureOutput(fig, caption=block.caption, alt=block.alt).caption

    assert "Ålesund og Haram" not in caption("42")  # Agder
    assert "Ålesund og Haram" in caption("15")  # Møre og Romsdal
