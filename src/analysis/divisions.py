"""Which municipal divisions the repository has reference data for, and which one is in force
in a year: what the default data folder (data/processed/<division>/) and every stage agree on.
The registers themselves: ``analysis.reference.register``."""

from __future__ import annotations

from functools import cache

from analysis import config
from analysis.errors import EhelseError

PACKAGE_DIVISION = 2020


class DivisionError(EhelseError, ValueError):
    """A year outside the divisions we have reference data for."""


@cache
def division_years() -> tuple[int, ...]:
    """Every division year with reference data, oldest first."""
    years = {PACKAGE_DIVISION}
    ref = config.REFERENCE_DIR
    # The division before the 2020 reform is known only through the 2020 change file.
    if (ref / str(PACKAGE_DIVISION) / "endringer.csv").exists():
        years.add(config.FIRST_DIVISION_YEAR)
    if ref.is_dir():
        for child in ref.iterdir():
            if child.is_dir() and child.name.isdigit() and (child / "kommuner.csv").exists():
                years.add(int(child.name))
    return tuple(sorted(years))


def division_for(year: int) -> int:
    """The division in force in ``year`` (the newest one that took effect at or before it)."""
    years = division_years()
    if year < years[0]:
        raise DivisionError(
            f"Ingen kommuneinndeling før {years[0]}: år {year} er utenfor referansedataene."
        )
    return max(y for y in years if y <= year)
