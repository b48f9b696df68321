"""Tables laid out for the terminal's real width: no line wider than it, no word cut."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.cli import app

runner = CliRunner()


@pytest.mark.slow
@pytest.mark.parametrize("columns", [80, 160])
def test_ingest_summary_fits_the_terminal(tmp_path: Path, columns: int) -> None:
    result = runner.invoke(
        app, ["ingest", "--out", str(tmp_path / "p")], env={"COLUMNS": str(columns)}
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    long_ids = ("eksempel_digihelsestasjon_ungdom_2026", "portefolje_2023_felles_tiltak")
    for source in long_ids:  # source ids whole on one line, never cut in the middle
        assert any(source in line for line in lines), source
    assert ("Grunner til avvisning:" in result.stdout) == (columns < 120)
    assert "samme hendelse som kilden" in result.stdout  # the reasons are shown either way
