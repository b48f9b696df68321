"""Editing the catalogue (sources.yaml) without touching what the edit is not about: entries
replaced by id, a marked block replaced, every other line (comments included) kept."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Final

from analysis._io import first_line
from analysis.errors import EhelseError

_ENTRY: Final = re.compile(r"^  - id:\s*['\"]?(?P<id>[^'\"\s]+)")


class CatalogueEditError(EhelseError):
    """An edit of the catalogue that would break it or change entries it is not about."""


def catalogue_sources(text: str) -> list[dict[str, Any]]:
    """The entries under ``sources`` of a catalogue's text (yaml.YAMLError if it is not YAML)."""
    import yaml  # here, so that writing outputs does not load a YAML parser

    data = yaml.safe_load(text) or {}
    items = data.get("sources") if isinstance(data, dict) else None
    return list(items or [])


def _entry_lines(entry: Mapping[str, Any]) -> list[str]:
    import yaml

    text = yaml.safe_dump(
        [dict(entry)], allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False
    )
    return ["  " + line for line in text.splitlines()]


def replace_entries(text: str, entries: Sequence[Mapping[str, Any]]) -> str:
    """The catalogue with ``entries`` replacing those of the same id, or appended to
    ``sources``; every other line (comments included) is kept as it was. An edit that would
    lose, change or duplicate another entry is refused (CatalogueEditError)."""
    import yaml

    lines = text.splitlines()
    wanted = {str(e["id"]): e for e in entries}
    try:
        start = lines.index("sources:")
    except ValueError:
        lines += ["sources:"]
        start = len(lines) - 1
    end = start + 1
    while end < len(lines) and (not lines[end] or lines[end].startswith((" ", "#"))):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    out = lines[: start + 1]
    done: set[str] = set()
    i = start + 1
    while i < end:
        m = _ENTRY.match(lines[i])
        j = i + 1
        while j < end and not _ENTRY.match(lines[j]):
            j += 1
        if m and m["id"] in wanted:
            out += _entry_lines(wanted[m["id"]])
            done.add(m["id"])
        else:
            out += lines[i:j]
        i = j
    out += [line for key, e in wanted.items() if key not in done for line in _entry_lines(e)]
    out += lines[end:]
    new_text = "\n".join(out) + "\n"
    try:
        before, after = catalogue_sources(text), catalogue_sources(new_text)
    except yaml.YAMLError as exc:
        raise CatalogueEditError(f"kunne ikke oppdatere katalogen ({first_line(exc)})") from exc
    others_before = [e for e in before if str(e.get("id")) not in wanted]
    others_after = [e for e in after if str(e.get("id")) not in wanted]
    mine = Counter(str(e.get("id")) for e in after if str(e.get("id")) in wanted)
    if others_before != others_after or any(mine[k] != 1 for k in wanted):
        raise CatalogueEditError(
            "oppdateringen av katalogen ville endret andre oppføringer; ventet én oppføring per "
            "id under sources"
        )
    return new_text


def replace_block(text: str, block: str, begin: str, end: str) -> str:
    """The catalogue with the block between the marker lines ``begin`` and ``end`` (markers
    included) replaced by ``block``, or ``block`` appended when the markers are missing."""
    lines = text.splitlines(keepends=True)
    first = [i for i, line in enumerate(lines) if line.rstrip("\n") == begin]
    last = [i for i, line in enumerate(lines) if line.rstrip("\n") == end]
    if first and last and last[0] > first[0]:
        return "".join(lines[: first[0]]) + block + "".join(lines[last[0] + 1 :])
    if text and not text.endswith("\n"):
        text += "\n"
    return text + block


__all__ = ["CatalogueEditError", "catalogue_sources", "replace_block", "replace_entries"]
