"""The edition: which report is built, with the one set of defaults.

Every entry point (the CLI, a chapter's parameters cell, a notebook) builds its ``Edition``
here, so the report year, the municipal division that follows from it, the status date and the
data folder have one default each, and the data are checked against the edition before use.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from analysis import _io, config, outputs
from analysis.errors import EhelseError

ENV_YEAR: Final = "EHELSE_YEAR"
ENV_REGION: Final = "EHELSE_REGION"
ENV_TARGET: Final = "EHELSE_TARGET"  # the renderings to produce: html, pdf or html,pdf


class EditionError(EhelseError):
    """The edition cannot be built from these arguments or this data (one line for the user)."""


@dataclass(frozen=True)
class Edition:
    """One edition: the report year, the division in force in it, the status date, the county
    of a regional edition (its number in that division) and the processed data it reads."""

    year: int
    division: int
    as_of: date
    region: str | None
    region_name: str | None
    processed: Path

    @property
    def regional(self) -> bool:
        return self.region is not None

    @property
    def stem(self) -> str:
        """The output file name without suffix: ehelse-status-2024[-trondelag]."""
        from analysis.escape import slug

        county = slug(self.region_name or self.region or "") if self.region else None
        return f"ehelse-status-{self.year}" + (f"-{county}" if county else "")

    @property
    def previous_division(self) -> int:
        """The division of the previous year's edition."""
        return division_of(self.year - 1)


def division_of(year: int) -> int:
    from analysis.reference import DivisionError, division_for

    try:
        return division_for(year)
    except DivisionError as exc:
        raise EditionError(str(exc)) from None


def county_codes(division: int) -> list[str]:
    """The counties of a division, by number: the regional editions of ``--region all``."""
    from analysis.reference.register import county_names

    return sorted(county_names(division))


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of the set the folder's pointer names, as plain JSON (no table library:
    the no-change path of ``ehelse report`` reads it); None when there is none."""
    try:
        path = outputs.current_dir(Path(folder)) / "manifest.json"
        text = path.read_text(encoding="utf-8")
    except (_io.OutputError, FileNotFoundError, NotADirectoryError):
        return None
    data = json.loads(text)
    return data if isinstance(data, dict) else None


def data_until(manifest: dict[str, Any] | None) -> date | None:
    """The last day the data describe (written by ingest), if the manifest says."""
    value = (manifest or {}).get("data_until")
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def as_of_for(year: int, manifest: dict[str, Any] | None = None) -> date:
    """The status date: the end of the report year, or the last day of the data when they end
    before it (an edition of the running year)."""
    end = date(year, 12, 31)
    last = data_until(manifest)
    return min(end, last) if last is not None else end


def _county(region: str, division: int) -> tuple[str, str]:
    from analysis.reference.find import NotFoundError, find_county

    try:
        return find_county(region, division)
    except NotFoundError as exc:
        raise EditionError(f"--region: {exc}") from None


def check_division(folder: Path, manifest: dict[str, Any] | None, year: int) -> None:
    """The data must be built on the edition's division: never a silent mismatch."""
    if manifest is None:
        raise EditionError(
            f"{folder} har ingen innleste data: kjør `ehelse ingest --year {year}` først"
        )
    division = division_of(year)
    built = (manifest.get("parameters") or {}).get("division")
    if built is not None and int(built) != division:
        raise EditionError(
            f"Dataene i {folder} er lest inn på kommuneinndelingen fra {built}, men utgaven for "
            f"{year} bruker inndelingen fra {division}: kjør `ehelse ingest --year {year}` "
            "(eller bruk --data med data for den inndelingen)"
        )


def _int_year(value: int | str) -> int:
    text = str(value).strip()
    if not text.isdigit() or len(text) != 4:
        raise EditionError(f"--year: {value!r} er ikke et årstall (ÅÅÅÅ)")
    return int(text)


def edition(
    year: int | str | None = None,
    region: str | None = None,
    processed: Path | str | None = None,
    as_of: date | None = None,
    *,
    check: bool = True,
) -> Edition:
    """The edition for these arguments, with the environment (EHELSE_YEAR, EHELSE_REGION,
    EHELSE_PROCESSED: set by ``ehelse report`` for the chapters) filling what is None, and
    the defaults (report year, its division, the status date) filling the rest."""
    raw_year = year if year is not None else os.environ.get(ENV_YEAR) or None
    y = _int_year(raw_year) if raw_year is not None else config.default_year()
    division = division_of(y)
    from analysis.load import processed_dir  # pandera only when an edition is built

    folder = processed_dir(processed if processed is not None and str(processed) else None, y)
    manifest = read_manifest(folder)
    if check:
        check_division(folder, manifest, y)
    r = region if region is not None else os.environ.get(ENV_REGION) or None
    county = _county(str(r), division) if r is not None and str(r).strip() else None
    return Edition(
        year=y,
        division=division,
        as_of=as_of or as_of_for(y, manifest),
        region=county[0] if county else None,
        region_name=county[1] if county else None,
        processed=folder,
    )
