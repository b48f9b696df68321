"""The answer of `ehelse report` when nothing changed, given before typer, rich and the
command modules are imported: a no-change `make report` then costs about as much as starting
Python. Anything it does not recognise (another command, --force, --help, a value to check)
goes to the app, which answers as before."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Final

from analysis import config

if TYPE_CHECKING:
    from analysis.render import RenderResult

ALL: Final = "all"
# `ehelse report`'s options that take a value, and the name of the value.
_OPTIONS: Final = {
    "--year": "year",
    "--region": "region",
    "--format": "formats",
    "--data": "data",
    "--out": "out",
    "--publisert": "publisert",
}


def unchanged_results(
    formats: str,
    year: int | None,
    regions: list[str | None] | None,
    processed_dir: Path | None,
    output_dir: Path | None,
    published: date | None,
) -> list[RenderResult] | None:
    """A run that changes nothing, answered from the stamps (see ``render.unchanged``) before
    anything else: no ingest check of the division's folder, no edition, no tables."""
    from analysis.render import _formats, stamp, unchanged

    folder = config.REPORT_DIR
    out_dir = output_dir or folder / "_output"
    args = {
        "year": year,
        "regions": regions,
        "processed": processed_dir,
        "folder": folder,
        "published": published,
    }
    return unchanged(stamp.run_key(args), _formats(formats.split(",")), out_dir, folder)


def _values(args: Sequence[str]) -> dict[str, str] | None:
    """The options of a plain `report` call, or None for anything else."""
    if not args or args[0] != "report":
        return None
    values: dict[str, str] = {}
    rest = list(args[1:])
    while rest:
        arg = rest.pop(0)
        name, eq, value = arg.partition("=")
        if name not in _OPTIONS or _OPTIONS[name] in values:
            return None
        if not eq:
            if not rest:
                return None
            value = rest.pop(0)
        values[_OPTIONS[name]] = value
    return values


def answer_unchanged(args: Sequence[str]) -> bool:
    """Print the answer of a `report` call whose every edition is up to date, and say so;
    False (nothing printed) sends the call to the app."""
    from analysis.dates import written_date
    from analysis.errors import EhelseError

    t0 = time.perf_counter()
    values = _values(args)
    if values is None:
        return False
    year_text = values.get("year")
    if year_text is not None and not year_text.isdigit():
        return False
    published = None
    if "publisert" in values:
        parts = written_date(values["publisert"])
        if parts is None:
            return False
        try:
            published = date(*parts)
        except ValueError:
            return False
    data = Path(values["data"]) if "data" in values else None
    if data is not None and not data.is_dir():
        return False
    region = values.get("region")
    every = region is not None and region.strip().lower() == ALL
    out = Path(values["out"]) if "out" in values else None
    try:
        results = unchanged_results(
            values.get("formats", "html,pdf"),
            int(year_text) if year_text is not None else None,
            None if every else [region],
            data,
            out,
            published,
        )
    except EhelseError:
        return False  # the app says what is wrong, in its own words
    if results is None:
        return False
    for result in results:
        names = ", ".join(str(p) for p in result.outputs)
        print(f"Rapporten er oppdatert ({names}); --force bygger på nytt.")
    if len(results) > 1:
        print(f"{len(results)} utgaver, 0 bygd på {time.perf_counter() - t0:.1f} s.")
    sys.stdout.flush()
    return True


__all__ = ["ALL", "answer_unchanged", "unchanged_results"]
