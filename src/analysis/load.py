"""The one loader the report, the notebooks and the query commands read data/processed through.

It reads a processed table, checks it against its schema, and says clearly when the data has
not been built yet (run `ehelse ingest`). A processed folder holds whole sets of tables behind
a ``current`` pointer (see ``analysis.outputs``); everything here reads through it, so a reader
never mixes files of two ingest runs. Code that reads several files should resolve the set
once with ``data_dir`` and pass that folder on.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import polars as pl

from analysis import _io, config, outputs
from analysis.divisions import division_for
from analysis.errors import EhelseError, schema_error_text

if TYPE_CHECKING:
    import pandera.polars as pa

# The tables by name -> their schema in analysis.schemas (the model class's name).
_MODELS: Final = {
    "kommuner": "Kommuner",
    "adopsjon": "Adopsjon",
    "status": "Status",
    "meldinger": "Meldinger",
    "ambisjoner": "Ambisjoner",
    "publisert": "Publisert",
    "tiltak": "Tiltak",
    "avvist": "Avvist",
    "skjema": "Skjema",
    "skjema_svar": "SkjemaSvar",
    "skjema_konflikter": "SkjemaKonflikt",
}
VALIDATED: Final = config.VALIDATED_NAME


class _Models(Mapping[str, "type[pa.DataFrameModel]"]):
    """Table name -> schema; the names are known without importing pandera (and pandas),
    which a model, asked for by name, imports."""

    def __getitem__(self, name: str) -> type[pa.DataFrameModel]:
        from analysis import schemas

        model: type[pa.DataFrameModel] = getattr(schemas, _MODELS[name])
        return model

    def __contains__(self, name: object) -> bool:
        return name in _MODELS

    def __iter__(self) -> Iterator[str]:
        return iter(_MODELS)

    def __len__(self) -> int:
        return len(_MODELS)


TABLES: Mapping[str, type[pa.DataFrameModel]] = _Models()


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


@cache
def _schema_version() -> str:
    """What a table is checked against: the schemas and this loader, and the locked versions
    of the libraries that check (uv.lock)."""
    h = hashlib.sha256()
    for path in (Path(__file__).with_name("schemas.py"), Path(__file__), config.ROOT / "uv.lock"):
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"-")
    return h.hexdigest()[:16]


def _file_id(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _validated(folder: Path) -> dict[str, Any]:
    try:
        record = json.loads((folder / VALIDATED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(record, dict) or record.get("schema") != _schema_version():
        return {}
    tables = record.get("tables")
    return tables if isinstance(tables, dict) else {}


def remember_valid(folder: Path, names: Iterable[str]) -> None:
    """Note that these tables in ``folder`` (as they are on disk now) follow their schemas, so
    ``load_table`` need not check them again (ingest checks every table before it writes the
    set). A file changed afterwards is checked again; a folder that cannot be written to is
    only checked every time."""
    known = _validated(folder)
    for name in names:
        path = folder / f"{name}.parquet"
        if path.is_file():
            known[name] = _file_id(path)
    text = json.dumps({"schema": _schema_version(), "tables": known}) + "\n"
    with contextlib.suppress(_io.OutputError, OSError):
        _io.write_file(folder / VALIDATED, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def load_table(
    name: str, processed: Path | str | None = None, validate: bool = True
) -> pl.DataFrame:
    """One processed table by name (see ``TABLES``), validated against its schema unless it
    was already, exactly as it is on disk (``remember_valid``)."""
    if name not in TABLES:
        raise KeyError(f"Ukjent tabell {name!r}; tabellene er {', '.join(TABLES)}")
    folder = data_dir(processed)
    path = folder / f"{name}.parquet"
    if not path.exists():
        raise MissingDataError(f"{path} finnes ikke: kjør `ehelse ingest` først")
    df = pl.read_parquet(path)
    if not validate or _validated(folder).get(name) == _file_id(path):
        return df
    import pandera.errors as pa_errors

    try:
        checked = TABLES[name].validate(df)
    except (pa_errors.SchemaError, pa_errors.SchemaErrors) as exc:
        first = schema_error_text(exc)
        raise SchemaMismatchError(
            f"{path} følger ikke skjemaet: {first}; kjør `ehelse ingest` på nytt"
        ) from exc
    remember_valid(folder, [name])
    return checked


def load_manifest(processed: Path | str | None = None) -> dict[str, Any]:
    path = data_dir(processed) / "manifest.json"
    if not path.exists():
        raise MissingDataError(f"{path} finnes ikke: kjør `ehelse ingest` først")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
