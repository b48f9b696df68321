"""Paths and defaults, all derived from one project root.

The root is the repository (found from this file) unless EHELSE_ROOT says otherwise, so tests
and users can point the whole tool at another tree without touching code.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any


def project_root() -> Path:
    env = os.environ.get("EHELSE_ROOT")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]


ROOT = project_root()
DATA_DIR = ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
REFERENCE_DIR = RAW_DIR / "reference"
CATALOGUE = RAW_DIR / "sources.yaml"
REPORT_DIR = ROOT / "report"
CACHE_DIR = PROCESSED_DIR / "cache"
# Points notebooks, chapters and commands at another processed folder without editing them.
ENV_PROCESSED = "EHELSE_PROCESSED"
# The PDF's static figures by a hash of what they draw (analysis.present.static): a render
# whose figures are all here starts no browser. Disposable, like everything in processed/.
FIGURE_CACHE_DIR = CACHE_DIR / "figurer"
# Beside a set's tables: which of them were checked against their schemas, as they are on disk
# (analysis.load); not an input of the report (analysis.render.stamp leaves it out).
VALIDATED_NAME = ".validert.json"


def processed_for(division: int) -> Path:
    """The processed data of one municipal division: data/processed/<division>/, so editions
    on different divisions never read each other's tables."""
    return PROCESSED_DIR / str(division)


# The division years with embedded reference data. A later year uses the newest division at
# or before it (data/raw/reference/<year>/ added by `ehelse refresh-reference` extends this).
FIRST_DIVISION_YEAR = 2019


def default_year(today: date | None = None) -> int:
    """The report year: ``report_year`` in the source catalogue, else the current year.

    The catalogue says which year its data describes (the embedded data: the 2023 portfolio),
    so the default division is the one in force at that report date.
    """
    if CATALOGUE.is_file():
        from analysis.safe_yaml import load_yaml

        year = catalogue_report_year(load_yaml(CATALOGUE) or {}, CATALOGUE)
        if year is not None:
            return year
    return (today or date.today()).year


def catalogue_report_year(catalogue: Any, path: Path | str) -> int | None:
    """A catalogue's ``report_year``: a whole year (``true`` is not one), or None."""
    from analysis.errors import EhelseError

    year = catalogue.get("report_year") if isinstance(catalogue, dict) else None
    if year is None:
        return None
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2999:
        raise EhelseError(f"{path}: report_year må være et årstall, ikke {year!r}")
    return year
