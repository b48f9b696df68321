"""Pandera schemas of the processed tables: the contract between ingest, metrics and report.

Every table in data/processed is validated against its schema when written and when loaded.
Column names are the domain's Norwegian words in snake_case (see docs and ARCHITECTURE.md);
``syntetisk`` marks rows that come from the synthetic example data.

Tables (file name -> schema):

* ``kommuner.parquet`` -> Kommuner: the municipalities of the target division with population.
* ``adopsjon.parquet`` -> Adopsjon: adoption events, one row per municipality, solution, step
  and date, as the sources report them (after resolution and de-duplication).
* ``status.parquet`` -> Status: the step each municipality had reached for each solution at
  each month end (null trinn: not started), derived from the events.
* ``meldinger.parquet`` -> Meldinger: message counts per municipality, month, type and version.
* ``ambisjoner.parquet`` -> Ambisjoner: the portfolio table (activity, ambition, scope, ...).
* ``publisert.parquet`` -> Publisert: national figures as published, with their sources.
* ``tiltak.parquet`` -> Tiltak: the portfolio's shared measures for the sector.
* ``avvist.parquet`` -> Avvist: every input row that was not kept, with its reason.
* ``skjema.parquet``, ``skjema_svar.parquet``, ``skjema_konflikter.parquet`` -> Skjema,
  SkjemaSvar, SkjemaKonflikt: the returned status forms, their answers and the conflicts.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from analysis.steps import TRINN  # re-exported: the ingest reads it here

CODE = r"^\d{4}$"


class Kommuner(pa.DataFrameModel):
    inndeling: int = pa.Field(ge=2019)
    kommunenummer: str = pa.Field(str_matches=CODE, unique=True)
    kommunenavn: str
    kommunenavn_norsk: str
    parallelle_navn: pl.List(pl.String)  # type: ignore[valid-type]
    fylkesnummer: str = pa.Field(str_matches=r"^\d{2}$")
    fylkesnavn: str
    organisasjonsnummer: str = pa.Field(nullable=True, str_matches=r"^\d{9}$")
    befolkning: int = pa.Field(ge=0)
    befolkning_dato: pl.Date

    class Config:
        strict = True
        coerce = False


class Adopsjon(pa.DataFrameModel):
    kilde_id: str
    losning: str = pa.Field(str_matches=r"^[a-z][a-z0-9_]*$")
    kommunenummer: str = pa.Field(str_matches=CODE)
    trinn: str = pa.Field(isin=list(TRINN))
    dato: pl.Date
    syntetisk: bool
    rad: int = pa.Field(ge=1)  # row in the source file
    kommune_inndata: str = pa.Field(nullable=True)  # as the source wrote it
    # Never "fuzzy": a spelling close to a name is a reject with suggestions, not an event.
    treff: str = pa.Field(isin=["exact", "alias", "historical", "confirmed"])
    # Optional (ingest writes them): how precise ``dato`` is (a month-only date is the first of
    # the month), and what the source said beside the step (a planned go-live date, a remark).
    dato_presisjon: str = pa.Field(isin=["dag", "maaned", "aar"], required=False)
    merknad: str = pa.Field(nullable=True, required=False)

    class Config:
        strict = True
        unique = ["losning", "kommunenummer", "trinn", "dato"]


class Status(pa.DataFrameModel):
    losning: str
    kommunenummer: str = pa.Field(str_matches=CODE)
    dato: pl.Date  # month end
    trinn: str = pa.Field(nullable=True, isin=list(TRINN))
    syntetisk: bool

    class Config:
        strict = True
        unique = ["losning", "kommunenummer", "dato"]


class Meldinger(pa.DataFrameModel):
    kilde_id: str
    periode: pl.Date  # first day of the month
    kommunenummer: str = pa.Field(str_matches=CODE)
    meldingstype: str
    versjon: str = pa.Field(nullable=True)  # null: the system sent no version number
    antall: int = pa.Field(ge=0)
    syntetisk: bool

    class Config:
        strict = True
        unique = ["kilde_id", "periode", "kommunenummer", "meldingstype", "versjon"]


class Ambisjoner(pa.DataFrameModel):
    losning: str
    portefolje_aar: int = pa.Field(ge=1900)  # the portfolio the row comes from
    nr: str
    aktivitet: str
    innsatsomrade: str
    eier: str = pa.Field(nullable=True)
    tidsramme: str = pa.Field(nullable=True)
    ambisjon: int = pa.Field(nullable=True, ge=0)
    status_publisert: int = pa.Field(nullable=True, ge=0)
    status_dato: pl.Date = pa.Field(nullable=True)
    omfang: str
    merknad: str = pa.Field(nullable=True)
    kilde: str
    kilde_id: str = pa.Field(required=False)  # the catalogue entry the row was read from
    syntetisk: bool

    class Config:
        strict = False  # later issues add columns (trinn counted, deadline, scope id)
        unique = ["losning", "portefolje_aar"]  # one row per activity and portfolio


class Publisert(pa.DataFrameModel):
    kilde_id: str
    dato: pl.Date = pa.Field(nullable=True)  # null: the source gives no usable date
    dato_presisjon: str = pa.Field(isin=["dag", "maaned", "aar", "ukjent"])
    losning: str = pa.Field(nullable=True)
    trinn: str = pa.Field(nullable=True, isin=list(TRINN))
    beskrivelse: str
    antall: int = pa.Field(ge=0)
    kilde: str
    merknad: str = pa.Field(nullable=True)
    syntetisk: bool

    class Config:
        strict = False


class Tiltak(pa.DataFrameModel):
    """The sector's shared measures in the portfolio (qualitative: owner, time frame, status)."""

    kilde_id: str
    nr: str = pa.Field(nullable=True)
    innsatsomrade: str = pa.Field(nullable=True)
    tiltak: str
    eier: str = pa.Field(nullable=True)
    tidsramme: str = pa.Field(nullable=True)
    status: str = pa.Field(nullable=True)
    kilde: str
    syntetisk: bool

    class Config:
        strict = False


SVAR = ["endret", "bekreftet", "kommentert", "ubesvart"]
ANSWER_STEPS = ["ikke_startet", *TRINN]


class Skjema(pa.DataFrameModel):
    """Returned status forms, one row per catalogued form file."""

    kilde_id: str = pa.Field(unique=True)
    fil: str
    skjema_id: str = pa.Field(nullable=True)
    regiontype: str = pa.Field(nullable=True, isin=["fylke", "nettverk"])
    region: str = pa.Field(nullable=True)
    regionnavn: str = pa.Field(nullable=True)
    aar: int = pa.Field(nullable=True)
    inndeling: int = pa.Field(nullable=True)
    laget: pl.Date = pa.Field(nullable=True)
    mottatt: pl.Date
    kobling: str = pa.Field(isin=["skjema-id", "kommunenummer"])
    lagret_som: str = pa.Field(isin=["xlsx", "csv"])
    rader: int = pa.Field(ge=0)
    kommuner: int = pa.Field(ge=0)
    merknad: str = pa.Field(nullable=True)
    syntetisk: bool

    class Config:
        strict = True


class SkjemaSvar(pa.DataFrameModel):
    """Every kept row of the returned forms: the answer, what was pre-filled, whether it counts."""

    kilde_id: str
    skjema_id: str = pa.Field(nullable=True)
    region: str = pa.Field(nullable=True)
    rad: int = pa.Field(ge=1)
    kommunenummer: str = pa.Field(str_matches=CODE)
    losning: str
    svar: str = pa.Field(isin=SVAR)
    trinn: str = pa.Field(nullable=True, isin=ANSWER_STEPS)
    dato: pl.Date = pa.Field(nullable=True)
    dato_presisjon: str = pa.Field(nullable=True, isin=["dag", "maaned", "aar"])
    forhand_trinn: str = pa.Field(nullable=True, isin=ANSWER_STEPS)
    forhand_dato: pl.Date = pa.Field(nullable=True)
    forhand_kilde: str = pa.Field(nullable=True)
    kommentar: str = pa.Field(nullable=True)
    mottatt: pl.Date
    telles: bool  # the answer's event is in adopsjon
    grunn: str = pa.Field(nullable=True)  # why not (the rule that decided)
    syntetisk: bool

    class Config:
        strict = True
        unique = ["kilde_id", "rad"]


class SkjemaKonflikt(pa.DataFrameModel):
    """Answers that contradict another form or a registry, with the source that counts."""

    losning: str
    kommunenummer: str = pa.Field(str_matches=CODE)
    slag: str = pa.Field(isin=["to skjema", "register"])
    kilde_id: str
    rad: int
    trinn: str = pa.Field(nullable=True, isin=ANSWER_STEPS)
    dato: pl.Date = pa.Field(nullable=True)
    mot_kilde: str
    mot_rad: int = pa.Field(nullable=True)
    mot_trinn: str = pa.Field(nullable=True, isin=ANSWER_STEPS)
    mot_dato: pl.Date = pa.Field(nullable=True)
    gjelder: str
    regel: str
    syntetisk: bool

    class Config:
        strict = True


class Avvist(pa.DataFrameModel):
    kilde_id: str
    fil: str
    rad: int = pa.Field(nullable=True)
    kolonne: str = pa.Field(nullable=True)
    verdier: str  # the raw row as JSON
    grunn: str

    class Config:
        strict = True


def polars_schema(model: type[pa.DataFrameModel]) -> dict[str, pl.DataType]:
    """The polars dtypes of a table, in its column order, from its pandera model: the one
    declaration of a table's columns (an empty frame or a frame built row by row uses it)."""
    return {name: col.dtype.type for name, col in model.to_schema().columns.items()}
