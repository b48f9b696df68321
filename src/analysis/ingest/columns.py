"""Find our columns in a file whose headers say the same thing in another way.

The aliases are committed data (``data/kolonner.csv``: our field name, one alias a line), compared
without regard to case, spaces, underscores, hyphens and dots, so "Kommune nr", "kommune_nr" and
"Kommunenr." are one name. A catalogue entry's ``columns`` (our name -> the file's column) wins
over the aliases.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from analysis.errors import EhelseError
from analysis.ingest.labels import DATA_DIR


class ColumnError(EhelseError, ValueError):
    """A required column is missing; the message names the file and the columns found."""


def column_key(name: str) -> str:
    text = unicodedata.normalize("NFC", name).casefold()
    return re.sub(r"[\s_\-./()]+", "", text)


@cache
def aliases() -> dict[str, list[str]]:
    """Our field name -> its aliases, in the committed order (the field name itself first)."""
    out: dict[str, list[str]] = defaultdict(list)
    with (DATA_DIR / "kolonner.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            field = r["felt"]
            if not out[field]:
                out[field].append(field)
            out[field].append(r["alias"])
    return dict(out)


def find_columns(
    columns: Sequence[str],
    fields: Sequence[str],
    overrides: Mapping[str, str] | None = None,
    path: Path | str = "",
) -> dict[str, str]:
    """Our field -> the file's column, for each field found; ``fields`` in priority order.

    A column is given to one field only: the first field (in ``fields`` order) whose aliases
    name it. An override naming a column the file lacks is an error.
    """
    by_key: dict[str, str] = {}
    for c in columns:
        by_key.setdefault(column_key(c), c)
    found: dict[str, str] = {}
    used: set[str] = set()
    for field, col in (overrides or {}).items():
        if col in columns:
            actual = col
        elif column_key(col) in by_key:
            actual = by_key[column_key(col)]
        else:
            raise ColumnError(
                f"{path}: mangler kolonnen {col!r} (katalogens navn for {field!r}); "
                f"fant kolonnene: {', '.join(columns)}"
            )
        found[field] = actual
        used.add(actual)
    table = aliases()
    for field in fields:
        if field in found:
            continue
        for alias in table.get(field, [field]):
            match = by_key.get(column_key(alias))
            if match is not None and match not in used:
                found[field] = match
                used.add(match)
                break
    return found


def missing_column(path: Path | str, field: str | Sequence[str], columns: Sequence[str]) -> str:
    """The one-line message for a missing required column (or group of alternatives)."""
    fields = [field] if isinstance(field, str) else list(field)
    table = aliases()
    names = " eller ".join(repr(f) for f in fields)
    known = [a for f in fields for a in table.get(f, [f])[1:]]
    hint = f" (kjente navn: {', '.join(dict.fromkeys(known))})" if known else ""
    return f"{path}: mangler kolonnen {names}{hint}; fant kolonnene: {', '.join(columns)}"


def require(
    found: Mapping[str, str],
    required: Sequence[str | Sequence[str]],
    columns: Sequence[str],
    path: Path | str,
) -> None:
    """Raise ColumnError for the first required field (or group of alternatives) not found."""
    for req in required:
        group = [req] if isinstance(req, str) else list(req)
        if not any(f in found for f in group):
            raise ColumnError(missing_column(path, req, columns))
