"""The ingest run: catalogue -> every source read, resolved and checked -> data/processed.

Nothing is written until every table is built and validated; then the tables and the manifest
are written as one new set inside the output folder and readers are switched to it with one
atomic replace of the ``current`` pointer (``analysis.outputs``); a run killed at any moment
leaves the previous set or the new one, whole. The run holds the folder's lock throughout. Every input row is accounted for: rows read = rows kept + rows rejected, per file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandera.errors as pa_errors
import polars as pl

from analysis import __version__, _io, config, outputs
from analysis.ingest.adoption import (
    EVENT_SCHEMA,
    STATUS_SCHEMA,
    Seen,
    ingest_adoption,
    status_snapshots,
)
from analysis.ingest.ambitions import (
    AMBITION_SCHEMA,
    MEASURE_SCHEMA,
    ingest_ambitions,
    ingest_measures,
)
from analysis.ingest.bulk import read_any
from analysis.ingest.catalogue import (
    Catalogue,
    CatalogueError,
    Source,
    load_catalogue,
    source_file,
)
from analysis.ingest.columns import ColumnError
from analysis.ingest.common import (
    AVVIST_SCHEMA,
    Context,
    IngestError,
    SourceResult,
    sha256_of,
)
from analysis.ingest.message_stream import stream_messages
from analysis.ingest.messages import ingest_messages
from analysis.ingest.names import confirmed_names
from analysis.ingest.published import SCHEMA as PUBLISHED_SCHEMA
from analysis.ingest.published import ingest_published
from analysis.ingest.readers import ROW, ReadError
from analysis.ingest.skjema import ANSWER_SCHEMA, FORMS_SCHEMA, ingest_skjema
from analysis.ingest.skjema_rules import CONFLICT_SCHEMA, settle
from analysis.load import TABLES, processed_dir
from analysis.reference import DivisionError, division_for, resolver
from analysis.reference.municipalities import municipality_table
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
Progress = Callable[[str, int, int], None]  # (message, done, total)


def reason_category(grunn: str) -> str:
    """The kind of a reject reason, without its particulars ("duplikat av rad 12" -> "duplikat
    av rad"), for the summary."""
    head = re.split(r"[:'(\"\d]", grunn, maxsplit=1)[0]
    return head.strip(" ,") or grunn


@dataclass
class SourceSummary:
    id: str
    kind: str
    path: str
    synthetic: bool
    sha256: str
    rows_read: int | None
    rows_kept: int | None
    rows_rejected: int | None
    reasons: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestSummary:
    """What a run did, for the CLI's closing table and for tests."""

    out: Path
    year: int
    division: int
    sources: list[SourceSummary]
    tables: dict[str, int]
    manifest: dict[str, Any]

    @property
    def synthetic(self) -> list[str]:
        return [s.id for s in self.sources if s.synthetic]

    @property
    def rows_rejected(self) -> int:
        return sum(s.rows_rejected or 0 for s in self.sources)

    @property
    def warnings(self) -> list[str]:
        return [w for s in self.sources for w in s.warnings]


def _kind_reader(kind: str) -> Callable[..., SourceResult]:
    return {
        "messages": ingest_messages,
        "ambitions": ingest_ambitions,
        "measures": ingest_measures,
        "published": ingest_published,
    }[kind]


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


def _check_files(catalogue: Catalogue, raw: Path) -> dict[str, str]:
    """Each catalogued file exists and has the sha256 the catalogue records; id -> sha256."""
    hashes: dict[str, str] = {}
    for s in catalogue.sources:
        try:
            path = source_file(raw, s, catalogue.path)
        except CatalogueError as exc:
            raise IngestError(str(exc)) from None
        digest = sha256_of(path)
        if s.sha256 is not None and s.sha256 != digest:
            raise IngestError(
                f"{path}: sha256 er {digest}, men katalogen sier {s.sha256} (kilden {s.id!r}); "
                "filen er endret siden den ble katalogisert"
            )
        hashes[s.id] = digest
    return hashes


def _account(result: SourceResult) -> None:
    """Every row read is kept or rejected, never both, never neither."""
    s = result.source
    if result.rows_read is None:
        return
    rejected = result.rejects["rad"].to_list()
    if result.kept_count is not None:  # streamed: kept rows are counted, not listed
        if len(set(rejected)) != len(rejected):
            raise IngestError(f"intern feil: kilden {s.id!r} teller en rad to ganger")
        if result.kept_count + len(rejected) != result.rows_read:
            raise IngestError(
                f"intern feil: kilden {s.id!r} leste {result.rows_read} rader, men beholdt "
                f"{result.kept_count} og avviste {len(rejected)}"
            )
        return
    kept = set(result.kept_rows.to_list())
    if len(kept) != result.kept_rows.len() or len(set(rejected)) != len(rejected):
        raise IngestError(f"intern feil: kilden {s.id!r} teller en rad to ganger")
    if kept & set(rejected) or len(kept) + len(rejected) != result.rows_read:
        raise IngestError(
            f"intern feil: kilden {s.id!r} leste {result.rows_read} rader, men beholdt "
            f"{len(kept)} og avviste {len(rejected)}"
        )


def _read_raw(source: Source, raw: Path, allow_empty: bool = False) -> pl.DataFrame:
    path = raw / source.path
    try:
        df = read_any(path, sheet=source.sheet)
    except ReadError as exc:
        raise IngestError(f"{exc} (kilden {source.id!r})") from None
    if df.height == 0 and not allow_empty:
        raise IngestError(f"{path}: filen har ingen datarader (kilden {source.id!r})")
    return df


def _ingest_source(source: Source, raw: Path, ctx: Context, seen: Seen, sha: str) -> SourceResult:
    if source.kind == "skjema":
        result = ingest_skjema(source, ctx)
        result.sha256 = sha
        _account(result)
        return result
    try:
        # Message statistics run to tens of millions of rows: streamed when the file allows.
        streamed = stream_messages(source, ctx) if source.kind == "messages" else None
    except ColumnError as exc:
        raise IngestError(f"{exc} (kilden {source.id!r})") from None
    if streamed is not None:
        streamed.sha256 = sha
        _account(streamed)
        return streamed
    df = _read_raw(source, raw)
    try:
        if source.kind == "adoption":
            result = ingest_adoption(source, df, ctx, seen)
        else:
            result = _kind_reader(source.kind)(source, df, ctx)
    except ColumnError as exc:
        raise IngestError(f"{exc} (kilden {source.id!r})") from None
    result.sha256 = sha
    _account(result)
    return result


def _combine(results: list[SourceResult], name: str) -> pl.DataFrame:
    frames = [r.tables[name] for r in results if name in r.tables]
    if name == "avvist":
        frames = [r.rejects for r in results if r.rows_read is not None]
    if not frames:
        return pl.DataFrame(schema=EMPTY[name])
    return pl.concat(frames, how="diagonal_relaxed")


def _validate(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    out: dict[str, pl.DataFrame] = {}
    for name, df in tables.items():
        try:
            out[name] = TABLES[name].validate(df.sort(SORT[name], nulls_last=True))
        except (pa_errors.SchemaError, pa_errors.SchemaErrors) as exc:
            raise IngestError(
                f"intern feil: tabellen {name} bryter skjemaet: {_io.first_line(exc)}"
            ) from None
    return out


def _manifest(
    catalogue: Catalogue,
    results: list[SourceResult],
    tables: dict[str, pl.DataFrame],
    raw: Path,
    out: Path,
    year: int,
    division: int,
    today: dt.date,
) -> dict[str, Any]:
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


def run_ingest(
    raw: Path | str | None = None,
    out: Path | str | None = None,
    year: int | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> IngestSummary:
    """Ingest every catalogued source in ``raw`` into ``out``; raise IngestError if unusable
    (OutputError if ``out`` cannot be written, BusyError if another run holds it)."""
    raw = Path(raw) if raw is not None else config.RAW_DIR
    if year is None:
        try:
            year = load_catalogue(raw / "sources.yaml").report_year
        except CatalogueError as exc:
            raise IngestError(str(exc)) from None
        year = year or config.default_year(today)
    out = processed_dir(out, year)  # --out, else EHELSE_PROCESSED, else data/processed/<division>
    _io.check_folder(out)
    # An existing folder is locked for the whole run, so a second run refuses at once; a new
    # one is made (and locked) only when there is something to write.
    with outputs.locked(out) if out.is_dir() else contextlib.nullcontext():
        return _run(raw, out, year, today, progress)


def _run(
    raw: Path, out: Path, year: int, today: dt.date | None, progress: Progress | None
) -> IngestSummary:
    today = today or dt.date.today()
    try:
        catalogue = load_catalogue(raw / "sources.yaml")
    except CatalogueError as exc:
        raise IngestError(str(exc)) from None
    try:
        division = division_for(year)
        ctx = Context(year, resolver(year), today, raw)
    except DivisionError as exc:
        raise IngestError(str(exc)) from None
    hashes = _check_files(catalogue, raw)

    # Confirmed place names first: they decide how every other file's names resolve.
    confirmed: dict[str, SourceResult] = {}
    for source in (s for s in catalogue.sources if s.kind == "names"):
        try:
            names, result = confirmed_names(
                source, _read_raw(source, raw, allow_empty=True), ctx.resolver, ctx.where(source)
            )
        except ColumnError as exc:
            raise IngestError(f"{exc} (kilden {source.id!r})") from None
        result.sha256 = hashes[source.id]
        confirmed[source.id] = result
        ctx = Context(year, ctx.resolver.with_confirmed(names), today, raw)

    by_id: dict[str, SourceResult] = {}
    seen: Seen = {}

    def other_year(s: Source) -> bool:  # a form made for another year's edition
        return s.kind == "skjema" and s.form_year is not None and s.form_year != year

    ingested = [s for s in catalogue.sources if s.ingested and not other_year(s)]
    # Returned forms last: their answers are weighed against every registry's events.
    in_order = sorted(ingested, key=lambda s: s.kind == "skjema")
    for source in catalogue.sources:
        if source not in ingested:
            by_id[source.id] = SourceResult(source, hashes[source.id], None)
    for done, source in enumerate(in_order):
        if source.id in confirmed:
            by_id[source.id] = confirmed[source.id]
            continue
        if progress:
            progress(f"{source.id} ({source.path})", done, len(ingested))
        by_id[source.id] = _ingest_source(source, raw, ctx, seen, hashes[source.id])
    if progress:
        progress("bygger tabellene", len(ingested), len(ingested))
    results = [by_id[s.id] for s in catalogue.sources]
    forms = [r for r in results if r.source.kind == "skjema" and r.rows_read is not None]
    konflikter = pl.DataFrame(schema=CONFLICT_SCHEMA)
    if forms:
        registry = pl.concat(
            [
                r.tables["adopsjon"]
                for r in results
                if r.source.kind == "adoption" and "adopsjon" in r.tables
            ]
            or [pl.DataFrame(schema=EVENT_SCHEMA)],
            how="diagonal_relaxed",
        )
        konflikter = settle(
            forms,
            registry,
            {s.id: s.accessed for s in catalogue.sources},
            {s.id: i for i, s in enumerate(catalogue.sources)},
            seen,
        )

    kommuner = municipality_table(year)
    adopsjon = _combine(results, "adopsjon")
    last = adopsjon["dato"].max() if adopsjon.height else None
    end = max(dt.date(year, 12, 31), last) if isinstance(last, dt.date) else dt.date(year, 12, 31)
    synthetic_solutions = {
        losning
        for r in results
        if r.source.synthetic and "adopsjon" in r.tables
        for losning in r.tables["adopsjon"]["losning"].unique().to_list()
    }
    tables = {
        "kommuner": kommuner,
        "adopsjon": adopsjon,
        "status": status_snapshots(
            adopsjon, kommuner["kommunenummer"].to_list(), end, synthetic_solutions
        ),
        "meldinger": _combine(results, "meldinger"),
        "ambisjoner": _combine(results, "ambisjoner"),
        "tiltak": _combine(results, "tiltak"),
        "publisert": _combine(results, "publisert"),
        "avvist": _combine(results, "avvist"),
        "skjema": _combine(results, "skjema"),
        "skjema_svar": _combine(results, "skjema_svar"),
        "skjema_konflikter": konflikter,
    }
    dup = tables["ambisjoner"].filter(pl.struct("losning", "portefolje_aar").is_duplicated())
    if dup.height:
        ids = ", ".join(sorted(set(dup["kilde_id"].to_list())))
        raise IngestError(
            f"løsningen {dup['losning'][0]!r} står i flere ambisjonskilder for porteføljen "
            f"{dup['portefolje_aar'][0]} ({ids}); behold én av dem i katalogen"
        )
    tables = _validate(tables)
    manifest = _manifest(catalogue, results, tables, raw, out, year, division, today)
    manifest["data_until"] = _data_until(tables)
    write_outputs(out, tables, manifest)
    sources = [
        SourceSummary(
            r.source.id,
            r.source.kind,
            r.source.path,
            r.source.synthetic,
            r.sha256,
            r.rows_read,
            r.rows_kept,
            r.rows_rejected,
            dict(Counter(reason_category(g) for g in r.rejects["grunn"].to_list())),
            list(r.warnings),
        )
        for r in results
    ]
    return IngestSummary(out, year, division, sources, manifest["tables"], manifest)
