"""The 2023 edition's headings, as the chapter builders make them, against a committed snapshot
(tests/snapshots/headings-2023.txt), without a browser: a changed or lost heading shows here
before anyone reads the report.

After a deliberate change of headings, write the snapshot anew with
``uv run --frozen python tests/integration/test_edition_headings.py`` and review its diff.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest

from analysis import config
from analysis.edition import edition
from analysis.edition import method as m
from analysis.edition import skjema as sk
from analysis.edition.activities import sections
from analysis.edition.blocks import Block, Heading, reading_order
from analysis.edition.data import EditionData, edition_data
from analysis.edition.municipalities import measure_blocks, municipality_blocks
from analysis.edition.provenance import appendix_blocks
from analysis.edition.regions import regional_blocks
from analysis.edition.summary import summary
from analysis.ingest.pipeline import run_ingest

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "headings-2023.txt"
SECTION_LEVEL = 3  # the activities chapter writes each section's name as `###`


def _lines(blocks: list[Block]) -> list[str]:
    return [f"{b.level} {b.text}" for b in reading_order(blocks) if isinstance(b, Heading)]


def headings(d: EditionData) -> list[str]:
    """Every heading the builders give, chapter by chapter in the report's order, one line
    each: the level and the text."""
    s = summary(d)
    out = ["[index]", *_lines(s.intro), *_lines(s.tiles), *_lines(s.table), "[aktiviteter]"]
    for section in sections(d):
        out += [f"{SECTION_LEVEL} {section.name}", *_lines(section.blocks)]
    out += ["[felles-tiltak]", *_lines(measure_blocks(d))]
    out += ["[regioner]", *_lines(regional_blocks(d))]
    out += ["[kommunene]", *_lines(municipality_blocks(d))]
    out += ["[data-og-metode]"]
    for build in (sk.form_blocks, m.counting_rule_blocks, m.message_rule_blocks, m.change_blocks):
        out += _lines(build(d))
    out += ["[om-statistikken]", *_lines(appendix_blocks(d))]
    return out


def _edition_2023(folder: Path) -> EditionData:
    run_ingest(config.RAW_DIR, folder, year=2023)
    return edition_data(edition(2023, None, folder))


@pytest.fixture(scope="module")
def data_2023(tmp_path_factory: pytest.TempPathFactory) -> EditionData:
    return _edition_2023(tmp_path_factory.mktemp("data2023"))


def test_the_2023_headings_match_the_snapshot(data_2023: EditionData) -> None:
    now = headings(data_2023)
    activities = now[now.index("[aktiviteter]") : now.index("[felles-tiltak]")]
    assert sum(line.startswith(f"{SECTION_LEVEL} ") for line in activities) == 7
    assert now == SNAPSHOT.read_text(encoding="utf-8").splitlines()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        lines = headings(_edition_2023(Path(tmp) / "data"))
    SNAPSHOT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{SNAPSHOT}: {len(lines)} linjer", file=sys.stderr)
