"""The one loader the report, the notebooks and the query commands read data/processed through.

It reads a processed table, checks it against its schema, and says clearly when the data has
not been built yet (run `ehelse ingest`). A processed folder holds whole sets of tables behind
a ``current`` pointer (see ``analysis.outputs``); everything here reads through it, so a reader
never mixes files of two ingest runs. Code that reads several files should resolve the set
once with ``data_dir`` and pass that folder on.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandera.errors as pa_errors
import pandera.polars as pa
import polars as pl

from analysis import _io, config, outputs, schemas
from analysis.divisions import division_for
from analysis.errors import EhelseError, schema_error_text

TABLES: dict[str, type[pa.DataFrameModel]] = {
    "kommuner": schemas.Kommuner,
    "adopsjon": schemas.Adopsjon,
    "status": schemas.Status,
    "meldinger": schemas.Meldinger,
    "ambisjoner": schemas.Ambisjoner,
    "publisert": schemas.Publisert,
    "tiltak": schemas.Tiltak,
    "avvist": schemas.Avvist,
    "skjema": schemas.Skjema,
    "skjema_svar": schemas.SkjemaSvar,
    "skjema_konflikter": schemas.SkjemaKonflikt,
}


class MissingDataError(EhelseError, FileNotFoundError):
    """data/processed lacks a table: the pipeline has not been run."""


class SchemaMismatchError(EhelseError, ValueError):
    """A processed table does not follow its schema (built by another version, or edited)."""


def processed_dir(path: Path | str | None = None, year: int | None = None) -> Path:
    """The folder given, else EHELSE_PROCESSED (so notebooks and report chapters can be pointed
    at other data without editing them), else the folder of the division in force in ``year``
    (default: the report year) under data/processed."""
    if path is not None:
        return Path(path)
    env = os.environ.get(config.ENV_PROCESSED)
    if env:
        return Path(env)
    return config.processed_for(division_for(year if year is not None else config.default_year()))


def data_dir(path: Path | str | None = None) -> Path:
    """The set of tables to read in the folder ``processed_dir(path)`` names: the one its
    ``current`` pointer names, or the folder itself when it has none (a flat folder). Passing
    the result back in returns it unchanged."""
    try:
        return outputs.current_dir(processed_dir(path))
    except _io.OutputError as exc:
        raise MissingDataError(str(exc)) from None


def load_table(
    name: str, processed: Path | str | None = None, validate: bool = True
) -> pl.DataFrame:
    """One processed table by name (see ``TABLES``), validated against its schema."""
    if name not in TABLES:
        raise KeyError(f"Ukjent tabell {name!r}; tabellene er {', '.join(TABLES)}")
    path = data_dir(processed) / f"{name}.parquet"
    if not path.exists():
        raise MissingDataError(f"{path} finnes ikke: kjør `ehelse ingest` først")
    df = pl.read_parquet(path)
    if not validate:
        return df
    try:
        return TABLES[name].validate(df)
    except (pa_errors.SchemaError, pa_errors.SchemaErrors) as exc:
        first = schema_error_text(exc)
        raise SchemaMismatchError(
            f"{path} følger ikke skjemaet: {first}; kjør `ehelse ingest` på nytt"
        ) from exc


def load_manifest(processed: Path | str | None = None) -> dict[str, Any]:
    path = data_dir(processed) / "manifest.json"
    if not path.exists():
        raise MissingDataError(f"{path} finnes ikke: kjør `ehelse ingest` først")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
