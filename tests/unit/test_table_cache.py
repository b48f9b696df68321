"""The page's HTML tables in the render cache (present.cache): made once by great_tables, read
back while nothing they are made from changes, made again when something does."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from analysis.present import cache, output
from analysis.present.tables import Table


def table(value: int = 1200, caption: str = "Kommuner i bruk") -> Table:
    df = pl.DataFrame({"kommune": ["Bergen", "Oslo"], "antall": [value, 7]})
    return Table(df, caption, labels={"antall": "Antall"})


@pytest.fixture
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "buffer"))
    output.new_page()
    return tmp_path / "buffer"


def test_a_table_is_made_once_and_read_back(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = table().html()
    assert "1\u202f200" in first and len(list(folder.glob("*.html"))) == 1

    def refuse(*_: object) -> str:
        raise AssertionError("great_tables ble kalt for en tabell som ligger i bufferen")

    monkeypatch.setattr(Table, "_great_table", refuse)
    output.new_page()  # the next render: the page's shared stylesheet comes again
    assert table().html() == first


def test_a_changed_cell_or_caption_makes_the_table_again(folder: Path) -> None:
    first = table().html()
    output.new_page()
    changed = table(value=1300).html()
    assert "1\u202f300" in changed and "1\u202f200" not in changed
    output.new_page()
    assert "Annen tekst" in table(caption="Annen tekst").html()
    assert len(list(folder.glob("*.html"))) == 3 and first != changed


def test_with_the_cache_off_nothing_is_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    monkeypatch.chdir(tmp_path)
    assert "Bergen" in table().html()
    assert cache.render_cache_dir() is None and not list(tmp_path.rglob("*.html"))
