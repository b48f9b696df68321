"""What the page and the PDF show of an executed notebook, in order: each markdown cell's text
and, of each displayed output, its first data type in the format's priority. Code, streams,
errors and outputs of no type in the priority are not shown (the report hides its code).

Both exporters read the notebook through ``shown`` and fill their own template: reading it
here takes milliseconds, where nbconvert's exporters cost 0.2 s of imports (bs4, bleach,
jupyter_client) and 0.3 s per export for the same choice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

HTML_PRIORITY: Final = ("text/html", "text/markdown", "image/svg+xml", "image/png")
MARKDOWN_PRIORITY: Final = ("text/markdown", "image/svg+xml", "image/png")
_DISPLAYED: Final = frozenset({"display_data", "execute_result"})


@dataclass(frozen=True)
class Shown:
    """One thing a format shows: ``kind`` is "markdown" for a markdown cell's text, otherwise
    the output's data type; ``text`` its content; ``cell`` and ``output`` where it is."""

    kind: str
    text: str
    cell: int
    output: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def alt(self) -> str:
        """The figure's alternative text, set by ``analysis.present.output``."""
        return str((self.metadata.get("ehelse") or {}).get("alt", ""))


def _joined(value: Any) -> str:
    """Notebook data may be a list of lines (nbformat's multiline strings)."""
    return "".join(value) if isinstance(value, list) else str(value)


def shown(
    nb: Any, priority: Sequence[str], start: int = 0, stop: int | None = None
) -> Iterator[Shown]:
    """The notebook's markdown cells and displayed outputs as ``priority`` picks them (of the
    cells ``start:stop``)."""
    for i in range(start, len(nb.cells) if stop is None else stop):
        cell = nb.cells[i]
        if cell.cell_type == "markdown":
            yield Shown("markdown", _joined(cell.source), i)
            continue
        if cell.cell_type != "code":
            continue
        for j, out in enumerate(cell.get("outputs") or []):
            if out.get("output_type") not in _DISPLAYED:
                continue
            data = out.get("data") or {}
            kind = next((t for t in priority if t in data), None)
            if kind is None:  # text/plain only: a value's repr, not part of the report
                continue
            yield Shown(kind, _joined(data[kind]), i, j, dict(out.get("metadata") or {}))


__all__ = ["HTML_PRIORITY", "MARKDOWN_PRIORITY", "Shown", "shown"]
