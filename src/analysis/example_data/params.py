"""The generator's fixed parameters (dates, anchors, message rates) and its result types."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import polars as pl

DEFAULT_SEED = 2023


DIVISION_YEAR = 2023  # the 2020-2023 division, 356 municipalities


# Population on 1 January of this year, pinned so that a later population file (added by
# `ehelse refresh-reference`) does not change the committed example.
POPULATION_YEAR = 2024


GENERATED_ON = dt.date(2025, 1, 15)  # the extract date written into files and the catalogue


FIRST_DAY = dt.date(2018, 1, 1)


LAST_DAY = dt.date(2024, 12, 31)


STATUS_DATE = dt.date(2023, 4, 30)  # the April 2023 status of the KS portfolio table


# The extension: events after LAST_DAY through EXTENSION_LAST_DAY, written as owners' exports
# in the 2024 division (the numbers real exports use from 1 January 2024), extracted on
# EXTENSION_GENERATED_ON; drawn from their own stream (EXTENSION_STREAM) of the seed.
EXTENSION_LAST_DAY = dt.date(2026, 10, 31)


EXTENSION_GENERATED_ON = dt.date(2026, 11, 16)


EXTENSION_DIVISION_YEAR = 2024


EXTENSION_STREAM = 2025


EXTENSION_SUFFIX = "_2026"  # file names of the extension exports: digihelse_2026.xlsx, ...


PACE_WINDOW = 130  # business days (about six months): the pace the extension continues


EXAMPLE_SUBDIR = "example"


CATALOGUE_BEGIN = "  # >>> eksempeldata (skrevet av `ehelse example-data`; ikke rediger for hånd)"


CATALOGUE_END = "  # <<< eksempeldata"


GENERATOR_URL = "src/analysis/example_data/"  # the repository path of the generator


CATALOGUE_NOTE = (
    "SYNTETISKE eksempeldata, ikke virkelige tall: kommunene er tilfeldige, de nasjonale "
    "antallene er kalibrert mot de publiserte tallene (se data/raw/example/README.md)"
)


# Counts of municipalities that have reached the counted step on or before a date: the precise
# points of the published facts (../shared/data/published/national_timeseries.csv and the KS
# portfolio table), plus the end of the series, which is our own assumption.
# Kjernejournal counts the step tilgjengelig (made available) or higher; the others i_bruk.
ANCHORS: dict[str, tuple[tuple[dt.date, int], ...]] = {
    "digihelse": ((STATUS_DATE, 133), (LAST_DAY, 172)),
    "digihelsestasjon": ((STATUS_DATE, 147), (LAST_DAY, 214)),
    "kjernejournal": (
        (dt.date(2019, 12, 31), 6),  # "2019: kommuner i gang 6" (the named pilots)
        (STATUS_DATE, 215),
        (dt.date(2023, 12, 31), 274),  # "tatt i bruk eller teknisk tilrettelagt" end of 2023
        (LAST_DAY, 321),
    ),
    "vkp": ((dt.date(2022, 12, 31), 21), (STATUS_DATE, 30), (LAST_DAY, 63)),
    "skattedata": ((STATUS_DATE, 0), (dt.date(2023, 12, 31), 327), (LAST_DAY, 352)),
    "digihelsestasjon_ungdom": ((dt.date(2023, 12, 31), 5), (LAST_DAY, 46)),
}


COUNTED_STEP = {s: ("tilgjengelig" if s == "kjernejournal" else "i_bruk") for s in ANCHORS}


@dataclass(frozen=True)
class Diffusion:
    """The national S-curve of one solution: first possible day, midpoint and spread (days)."""

    start: dt.date
    midpoint: dt.date
    scale_days: float
    size_effect: float  # weight of log population in the adoption order
    county_sd: float  # spread of the county effects in the adoption order


DIFFUSION: dict[str, Diffusion] = {
    "digihelse": Diffusion(dt.date(2018, 3, 1), dt.date(2021, 6, 1), 260.0, 1.0, 0.45),
    "digihelsestasjon": Diffusion(dt.date(2020, 2, 1), dt.date(2022, 3, 1), 190.0, 1.1, 0.4),
    "kjernejournal": Diffusion(dt.date(2019, 3, 1), dt.date(2022, 8, 1), 170.0, 0.9, 0.5),
    "vkp": Diffusion(dt.date(2021, 2, 1), dt.date(2023, 9, 1), 240.0, 1.0, 0.6),
    "skattedata": Diffusion(dt.date(2023, 5, 1), dt.date(2023, 10, 10), 18.0, 0.6, 0.2),
    "digihelsestasjon_ungdom": Diffusion(dt.date(2023, 9, 1), dt.date(2024, 6, 1), 90.0, 1.0, 0.4),
}


# The 2019 Kjernejournal pilots (KS: "Arendal + Halden, Gausdal, Lillehammer, Ringebu, Øyer"),
# with made-up dates within 2019.
KJERNEJOURNAL_PILOTS: tuple[tuple[str, dt.date], ...] = (
    ("Arendal", dt.date(2019, 5, 6)),
    ("Halden", dt.date(2019, 9, 2)),
    ("Lillehammer", dt.date(2019, 10, 14)),
    ("Øyer", dt.date(2019, 10, 28)),
    ("Gausdal", dt.date(2019, 11, 11)),
    ("Ringebu", dt.date(2019, 11, 25)),
)


# Oslo owns DigiHelsestasjon and piloted the youth solution from 17 April 2023.
DIGIHELSESTASJON_FIRST = "Oslo"


UNGDOM_PILOT = ("Oslo", dt.date(2023, 4, 17))


# Message types and versions: (old, current). Real identifiers with sources in
# data/raw/example/README.md and the dated rule src/analysis/metrics/data/meldingsversjoner.csv; the
# Rekvisisjon/Svar version is Svarrapport's.
MESSAGE_VERSIONS: dict[str, tuple[str, str]] = {
    "PLO": ("1.5", "1.6"),
    "Helsefaglig dialog": ("1.0", "1.1"),
    "Henvisning": ("1.1", "2.0"),
    "Epikrise": ("1.1", "1.2"),
    "Rekvisisjon/Svar": ("1.3", "1.4"),
}


MESSAGE_TYPES = tuple(MESSAGE_VERSIONS)


# Messages per 1000 inhabitants per month.
_MESSAGE_RATE = {
    "PLO": 10.0,
    "Helsefaglig dialog": 4.0,
    "Henvisning": 0.3,
    "Epikrise": 0.2,
    "Rekvisisjon/Svar": 1.2,
}


FIRST_MONTH = dt.date(2020, 1, 1)


N_MONTHS = 82  # 2020-01 .. 2026-10: the extracts end with the adoption data (EXTENSION_LAST_DAY)


# The month index (from FIRST_MONTH) around which municipalities switch a type: the first month
# under Norsk helsenett's requirement to send the current version (Henvisning and Epikrise from
# 31.12.2020, PLO from 1.7.2021, Svarrapport from 31.12.2021). Helsefaglig dialog has no dated
# requirement; its 1.1 is from 2017, so most had it before the series starts.
_SWITCH_MONTH = {
    "PLO": 18.0,
    "Helsefaglig dialog": -18.0,
    "Henvisning": 12.0,
    "Epikrise": 12.0,
    "Rekvisisjon/Svar": 24.0,
}


# From January of this year the statistics name senders by the 2024 division's numbers, as
# Norsk helsenett's own statistics do.
MESSAGE_NUMBERING_FROM = 2024


MESSAGE_STREAM = 7  # the message draws use their own child stream of the seed


@dataclass(frozen=True)
class Example:
    """The generated data in canonical form (the dates as the files state them)."""

    seed: int
    municipalities: pl.DataFrame  # kommunenummer, names, county, orgnr, befolkning
    adoption: pl.DataFrame  # losning, kommunenummer, trinn, dato (through LAST_DAY)
    messages: pl.DataFrame  # periode, kommunenummer, meldingstype, versjon, antall
    # Events after LAST_DAY through EXTENSION_LAST_DAY, in the generator's division.
    extension: pl.DataFrame
    municipalities_2024: pl.DataFrame  # the 2024 division the extension exports are written in

    def all_adoption(self) -> pl.DataFrame:
        """Every event through EXTENSION_LAST_DAY, in the generator's division."""
        return pl.concat([self.adoption, self.extension]).sort("losning", "kommunenummer", "dato")


@dataclass(frozen=True)
class ExampleFile:
    """One rendered file and how it is catalogued."""

    name: str  # file name inside the example folder
    kind: str  # adoption | messages
    solution: str | None
    title: str
    data: bytes
    accessed: dt.date = GENERATED_ON  # the extract date, the catalogue's date_accessed

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()
