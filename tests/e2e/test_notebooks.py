"""The analyst notebooks run top to bottom on the embedded data, and are committed clean.

Each notebook reads the processed data through ``analysis.load`` (EHELSE_PROCESSED points it at
a folder built once here by the ingest pipeline), so the test needs no data/processed in the
working tree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from typer.testing import CliRunner

from analysis.cli import app

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NAMES = ["01-utforsk-data", "02-losning", "03-kommuneprofil", "04-meldingsversjoner"]
TIMEOUT = 120  # seconds per cell; a notebook takes a few seconds

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("notebooks")]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("embedded") / "processed"
    result = CliRunner().invoke(app, ["ingest", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _with_parameters(nb: Any, **values: object) -> Any:
    """The notebook with its parameters cell's assignments replaced (like papermill)."""
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    lines = cell.source.splitlines()
    for name, value in values.items():
        idx = next(i for i, line in enumerate(lines) if line.startswith(f"{name} ="))
        lines[idx] = f"{name} = {value!r}"
    cell.source = "\n".join(lines)
    return nb


def _run(path: Path, data: Path, tmp: Path, monkeypatch: pytest.MonkeyPatch, **params: object):
    monkeypatch.setenv("EHELSE_PROCESSED", str(data))
    nb = _with_parameters(nbformat.read(path, as_version=4), **params)
    client = NotebookClient(
        nb, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(tmp)}}
    )
    client.execute()
    return nb


def _text(nb: Any) -> str:
    """Every output as text (plain, markdown and HTML), to look for what the notebook said."""
    parts: list[str] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out["text"])
            for key in ("text/plain", "text/markdown", "text/html"):
                if key in out.get("data", {}):
                    value = out["data"][key]
                    parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


def test_the_four_notebooks_are_there() -> None:
    assert [p.stem for p in NOTEBOOKS] == NAMES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_without_outputs_and_in_sync_with_the_script(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    assert "output_type" not in raw
    assert all(c.get("execution_count") is None for c in json.loads(raw)["cells"])
    script = jupytext.read(path.with_suffix(".py"))
    notebook = nbformat.read(path, as_version=4)
    assert [c.source for c in notebook.cells] == [c.source for c in script.cells]
    params = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and "DATA = None" in params[0].source


def test_explore_data(embedded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _text(_run(ROOT / "notebooks/01-utforsk-data.ipynb", embedded, tmp_path, monkeypatch))
    assert "356" in text and str(embedded) in text
    assert "Eksempeldata" in text


def test_one_solution(embedded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = _run(
        ROOT / "notebooks/02-losning.ipynb",
        embedded,
        tmp_path,
        monkeypatch,
        LOSNING="Kjernejournal",
    )
    text = _text(nb)
    assert "Kjernejournal per 31.12.2023" in text and "ehelse-figur" in text
    assert "Eksempeldata" in text


def test_municipality_profile_for_a_group(
    embedded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nb = _run(
        ROOT / "notebooks/03-kommuneprofil.ipynb",
        embedded,
        tmp_path,
        monkeypatch,
        KOMMUNE=["Bergen", "4627"],
    )
    text = _text(nb)
    assert "4601 Bergen" in text and "4627 Askøy" in text
    assert "av 43 i Vestland" in text


def test_unknown_municipality_stops_with_the_closest_matches(
    embedded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(CellExecutionError) as info:
        _run(
            ROOT / "notebooks/03-kommuneprofil.ipynb",
            embedded,
            tmp_path,
            monkeypatch,
            KOMMUNE="Qwxyzzz",
        )
    assert "NotFoundError" in str(info.value) and "Mente du" in str(info.value)


def test_message_versions_for_a_county(
    embedded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nb = _run(
        ROOT / "notebooks/04-meldingsversjoner.ipynb",
        embedded,
        tmp_path,
        monkeypatch,
        FYLKE="Vestland",
    )
    text = _text(nb)
    assert "Vestland (43 kommuner)" in text and "oppfylt" in text
