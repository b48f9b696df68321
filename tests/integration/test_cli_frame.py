"""The command line's frame (help, usage, error boxes) is bokmål, like its commands."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from analysis.cli import app

runner = CliRunner()

ENGLISH = (
    "Usage",
    "Options",
    "Arguments",
    "Commands",
    "Show this message",
    "Error",
    "Missing",
    "No such",
    "Try ",
    "Invalid value",
    "Did you mean",
    "Possible options",
    "required",
    "[default",
    "Got unexpected",
    "Input should be",
    "<int",
    "<str>",
    "<float>",
    "<path>",
    "<bool>",
    "<file>",
    "<directory>",
)


def _no_english(text: str) -> None:
    found = [w for w in ENGLISH if w in text]
    assert not found, (found, text)


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["liste", "--help"],
        ["resolve", "--help"],
        ["report", "--help"],
        ["query", "--help"],
        ["skjema", "lag", "--help"],
        [],
    ],
)
def test_help_is_bokmal(args: list[str]) -> None:
    result = runner.invoke(app, args, env={"COLUMNS": "100"})
    assert result.exit_code in (0, 2), result.output  # no arguments: the help, exit 2
    assert "Bruk: ehelse" in result.output and "Valg" in result.output
    assert "Vis denne hjelpen og avslutt." in result.output
    _no_english(result.output)


def test_help_names_value_types_in_bokmal_and_flags_without_one() -> None:
    result = runner.invoke(app, ["report", "--help"], env={"COLUMNS": "100"})
    assert "<heltall>" in result.output and "<sti>" in result.output, result.output
    force = next(line for line in result.output.splitlines() if "--force" in line)
    assert "<" not in force, force  # an on/off flag takes no value
    # The help text says the default in words; typer's own "[standard: ...]" would repeat it.
    assert "[standard: html,pdf]" not in result.output, result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["liste", "--bogus"], "Ukjent valg: --bogus"),
        (["lister"], "Mente du 'liste'?"),
        (["resolve", "x.csv"], "Mangler valget '--column'."),
        (["kommune"], "Mangler argumentet"),
        (["kommune", "a", "b"], "Fikk argument for mye: b"),
        (["status", "--year", "abc"], "Ugyldig verdi for '--year': skriv et heltall"),
        (["query", "--timeout"], "Valget '--timeout' trenger en verdi."),
    ],
)
def test_usage_errors_are_bokmal(args: list[str], expected: str) -> None:
    result = runner.invoke(app, args, env={"COLUMNS": "100"})
    assert result.exit_code == 2
    assert expected in result.output and "Feil" in result.output
    _no_english(result.output)
