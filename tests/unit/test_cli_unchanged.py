"""The no-change answer of `ehelse report` before the app: which calls it may answer, and
that anything else goes to the app (which checks values and prints its own messages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.cli.unchanged import _values, answer_unchanged


def test_a_plain_report_call_is_read_with_its_values() -> None:
    assert _values(["report"]) == {}
    assert _values(["report", "--year", "2024", "--region=46", "--format", "html"]) == {
        "year": "2024",
        "region": "46",
        "formats": "html",
    }


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["status"],
        ["report", "--force"],
        ["report", "--help"],
        ["report", "--year"],  # a value missing
        ["report", "--year", "2023", "--year", "2024"],
        ["report", "ekstra"],
    ],
)
def test_anything_else_goes_to_the_app(args: list[str]) -> None:
    assert _values(args) is None


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--year", "tjuetjuefire"],
        ["report", "--publisert", "31.02.2024"],
        ["report", "--format", "docx"],
    ],
)
def test_a_value_the_app_must_refuse_is_not_answered(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert answer_unchanged(args) is False
    assert capsys.readouterr().out == ""


def test_a_missing_data_folder_is_left_to_the_app(tmp_path: Path) -> None:
    assert answer_unchanged(["report", "--data", str(tmp_path / "finnes-ikke")]) is False
