"""The YAML loader for typed files: safe types, limits, and messages with line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.errors import EhelseError
from analysis.safe_yaml import MAX_ALIASES, YamlError, load_yaml, load_yaml_text


def test_plain_yaml_loads_and_dates_stay_text() -> None:
    data = load_yaml_text("a: 2023-02-30\nb: [1, 2]\nc: true\nd: &x {e: 1}\nf: *x\n", "f.yaml")
    assert data == {"a": "2023-02-30", "b": [1, 2], "c": True, "d": {"e": 1}, "f": {"e": 1}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [1, 2\n", r"f\.yaml, linje 2, kolonne 1: ugyldig YAML"),
        ("a: b: c\n", r"f\.yaml, linje 1, kolonne 5: ugyldig YAML"),
        ("[" * 2000 + "]" * 2000, r"nestet dypere enn 50 nivåer"),
        ("a: &a [1]\n" + "".join(f"b{i}: *a\n" for i in range(MAX_ALIASES + 1)), "for mange"),
        ("a: !!python/object:os.system ls\n", r"ugyldig YAML"),
    ],
    ids=["unclosed", "mapping", "deep", "aliases", "python-tag"],
)
def test_bad_yaml_is_one_line_with_where(text: str, message: str) -> None:
    with pytest.raises(YamlError, match=message) as err:
        load_yaml_text(text, "f.yaml")
    assert "\n" not in str(err.value)
    assert isinstance(err.value, EhelseError)


def test_encodings_are_named(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_bytes("a: æ\n".encode("utf-16"))
    with pytest.raises(YamlError, match="UTF-16"):
        load_yaml(p)
    p.write_bytes(b"a: 1\nb: \xe6\n")
    with pytest.raises(YamlError, match=r"s\.yaml, linje 2: ikke gyldig UTF-8"):
        load_yaml(p)
