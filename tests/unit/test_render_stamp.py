"""The no-change check stays cheap: the stamp, and the render package it sits in, load no table
or plotting library, so a `make report` with nothing changed answers from the stamp."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.render import stamp

HEAVY = ("polars", "pandera", "pandas", "plotly", "great_tables", "kaleido")


@pytest.mark.parametrize("module", ["analysis.render.stamp", "analysis.render"])
def test_the_no_change_path_imports_no_table_library(module: str) -> None:
    code = (
        f"import json, sys\nimport {module}\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(run.stdout.strip().splitlines()[-1]) == []


def test_a_format_is_fresh_only_with_its_file_and_the_same_key(tmp_path: Path) -> None:
    stem = "ehelse-status-2023"
    stamp.record(tmp_path, stem, ["html"], "k1")
    assert stamp.fresh_formats(["html"], tmp_path, stem, "k1") == []  # no file yet
    stamp.output_path(tmp_path, stem, "html").write_text("x", encoding="utf-8")
    assert stamp.fresh_formats(["html", "pdf"], tmp_path, stem, "k1") == ["html"]
    stamp.record(tmp_path, stem, ["pdf"], "k2")  # a later PDF keeps the HTML's key
    assert stamp.read_stamp(tmp_path, stem) == {"html": "k1", "pdf": "k2"}
    assert stamp.fresh_formats(["html"], tmp_path, stem, "k2") == []


def test_an_unreadable_stamp_means_nothing_is_fresh(tmp_path: Path) -> None:
    stamp.stamp_path(tmp_path, "s").write_text("{not json", encoding="utf-8")
    assert stamp.read_stamp(tmp_path, "s") == {}
    stamp.stamp_path(tmp_path, "s").write_text(json.dumps(["html"]), encoding="utf-8")
    assert stamp.read_stamp(tmp_path, "s") == {}
