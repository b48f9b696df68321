"""The processed tables as a set: their empty shapes, order, validation, manifest and the write.

Nothing is written until every table is built and validated; then the tables and the manifest
are written as one new set inside the output folder and readers are switched to it with one
atomic replace of the ``current`` pointer (``analysis.outputs``), so a run killed at any moment
leaves the previous set or the new one, whole.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pandera.errors as pa_errors
import polars as pl

from analysis import __version__, _io, config, outputs
from analysis.ingest.adoption import EVENT_SCHEMA, STATUS_SCHEMA
from analysis.ingest.ambitions import AMBITION_SCHEMA, MEASURE_SCHEMA
from analysis.ingest.catalogue import Catalogue
from analysis.ingest.common import AVVIST_SCHEMA, IngestError, SourceResult
from analysis.ingest.published import SCHEMA as PUBLISHED_SCHEMA
from analysis.ingest.readers import ROW
from analysis.ingest.skjema import ANSWER_SCHEMA, FORMS_SCHEMA
from analysis.ingest.skjema_rules import CONFLICT_SCHEMA
from analysis.load import TABLES
from analysis.schemas import Meldinger, polars_schema

MESSAGE_SCHEMA: dict[str, Any] = polars_schema(Meldinger)
EMPTY: dict[str, dict[str, Any]] = {
    "adopsjon": EVENT_SCHEMA,
    "status": STATUS_SCHEMA,
    "meldinger": MESSAGE_SCHEMA,
    "ambisjoner": AMBITION_SCHEMA,
    "tiltak": MEASURE_SCHEMA,
    "publisert": {k: v for k, v in PUBLISHED_SCHEMA.items() if k != ROW},
    "avvist": AVVIST_SCHEMA,
    "skjema": FORMS_SCHEMA,
    "skjema_svar": ANSWER_SCHEMA,
    "skjema_konflikter": CONFLICT_SCHEMA,
}
SORT: dict[str, list[str]] = {
    "kommuner": ["kommunenummer"],
    "adopsjon": ["losning", "kommunenummer", "dato", "trinn", "kilde_id"],
    "status": ["losning", "kommunenummer", "dato"],
    "meldinger": ["kilde_id", "periode", "kommunenummer", "meldingstype", "versjon"],
    "ambisjoner": ["portefolje_aar", "nr", "losning"],
    "tiltak": ["kilde_id", "nr"],
    "publisert": ["kilde_id", "dato", "beskrivelse"],
    "avvist": ["kilde_id", "rad"],
    "skjema": ["kilde_id"],
    "skjema_svar": ["kilde_id", "rad"],
    "skjema_konflikter": ["losning", "kommunenummer", "slag", "kilde_id", "rad"],
}
TABLE_ORDER = tuple(SORT)


def _git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=config.ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}", commit) else None


def combine_tables(results: list[SourceResult], name: str) -> pl.DataFrame:
    frames = [r.tables[name] for r in results if name in r.tables]
    if name == "avvist":
        frames = [r.rejects for r in results if r.rows_read is not None]
    if not frames:
        return pl.DataFrame(schema=EMPTY[name])
    return pl.concat(frames, how="diagonal_relaxed")


def validate_tables(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    out: dict[str, pl.DataFrame] = {}
    for name, df in tables.items():
        try:
            out[name] = TABLES[name].validate(df.sort(SORT[name], nulls_last=True))
        except (pa_errors.SchemaError, pa_errors.SchemaErrors) as exc:
            raise IngestError(
                f"intern feil: tabellen {name} bryter skjemaet: {_io.first_line(exc)}"
            ) from None
    return out


def build_manifest(
    catalogue: Catalogue,
    results: list[SourceResult],
    tables: dict[str, pl.DataFrame],
    raw: Path,
    out: Path,
    year: int,
    division: int,
    today: dt.date,
) -> dict[str, Any]:
    """The run's record: code version, parameters, every input with its row counts, the
    tables' sizes and the last day the data describe."""
    return {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "code_version": {"analysis": __version__, "git_commit": _git_commit()},
        "parameters": {
            "year": year,
            "division": division,
            "raw_dir": str(raw),
            "out_dir": str(out),
            "catalogue": str(catalogue.path),
            "today": today.isoformat(),
        },
        "inputs": [
            {
                "id": r.source.id,
                "path": r.source.path,
                "kind": r.source.kind,
                "solution": r.source.solution,
                "sha256": r.sha256,
                "synthetic": r.source.synthetic,
                "rows_read": r.rows_read,
                "rows_kept": r.rows_kept,
                "rows_rejected": r.rows_rejected,
                **({"warnings": r.warnings} if r.warnings else {}),
            }
            for r in results
        ],
        "sources": [s.origin() for s in catalogue.sources],
        "tables": {name: df.height for name, df in tables.items()},
        "data_until": _data_until(tables),
    }


def write_outputs(out: Path, tables: dict[str, pl.DataFrame], manifest: dict[str, Any]) -> Path:
    """Write every table and the manifest as one new set in ``out`` and switch readers to it
    at once (see ``analysis.outputs``); returns the set's folder."""

    def write(folder: Path) -> None:
        for name, df in tables.items():
            outputs.step(f"skriver {name}.parquet")
            df.write_parquet(folder / f"{name}.parquet")
        outputs.step("skriver manifest.json")
        (folder / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n",
            encoding="utf-8",
        )

    legacy = (*(f"{name}.parquet" for name in TABLES), "manifest.json")
    return outputs.publish_set(out, write, legacy)


def _data_until(tables: dict[str, pl.DataFrame]) -> str | None:
    """The last day the municipal data describe: the newest event, or the end of the newest
    month of message statistics (an edition of the running year ends there)."""
    days: list[dt.date] = []
    if tables["adopsjon"].height:
        days.append(tables["adopsjon"]["dato"].max())  # type: ignore[arg-type]
    if tables["meldinger"].height:
        days.append(tables["meldinger"]["periode"].dt.month_end().max())  # type: ignore[arg-type]
    return max(days).isoformat() if days else None
