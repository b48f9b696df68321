"""The ingest run: catalogue -> every source read, resolved and checked -> data/processed.

The order is the policy: the files are checked against the catalogue first, confirmed place
names are read before any other file (they decide how names resolve), returned forms last
(their answers are weighed against every registry's events), and nothing is written until
every table is built and validated (``processed``). The run holds the output folder's lock
throughout. Each source's reading and row accounting is in ``per_source``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from analysis import _io, config, outputs
from analysis.ingest.adoption import EVENT_SCHEMA, Seen, status_snapshots
from analysis.ingest.catalogue import CatalogueError, Source, load_catalogue
from analysis.ingest.columns import ColumnError
from analysis.ingest.common import Context, IngestError, SourceResult
from analysis.ingest.names import confirmed_names
from analysis.ingest.per_source import check_files, ingest_source, read_raw
from analysis.ingest.processed import (
    build_manifest,
    combine_tables,
    validate_tables,
    write_outputs,
)
from analysis.ingest.reasons import reason_category
from analysis.ingest.skjema_rules import CONFLICT_SCHEMA, settle
from analysis.load import processed_dir, remember_valid
from analysis.reference import DivisionError, division_for, resolver
from analysis.reference.municipalities import municipality_table

Progress = Callable[[str, int, int], None]  # (message, done, total)


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
    hashes = check_files(catalogue, raw)

    # Confirmed place names first: they decide how every other file's names resolve.
    confirmed: dict[str, SourceResult] = {}
    for source in (s for s in catalogue.sources if s.kind == "names"):
        try:
            names, result = confirmed_names(
                source, read_raw(source, raw, allow_empty=True), ctx.resolver, ctx.where(source)
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
        by_id[source.id] = ingest_source(source, raw, ctx, seen, hashes[source.id])
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
    adopsjon = combine_tables(results, "adopsjon")
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
        "meldinger": combine_tables(results, "meldinger"),
        "ambisjoner": combine_tables(results, "ambisjoner"),
        "tiltak": combine_tables(results, "tiltak"),
        "publisert": combine_tables(results, "publisert"),
        "avvist": combine_tables(results, "avvist"),
        "skjema": combine_tables(results, "skjema"),
        "skjema_svar": combine_tables(results, "skjema_svar"),
        "skjema_konflikter": konflikter,
    }
    dup = tables["ambisjoner"].filter(pl.struct("losning", "portefolje_aar").is_duplicated())
    if dup.height:
        ids = ", ".join(sorted(set(dup["kilde_id"].to_list())))
        raise IngestError(
            f"løsningen {dup['losning'][0]!r} står i flere ambisjonskilder for porteføljen "
            f"{dup['portefolje_aar'][0]} ({ids}); behold én av dem i katalogen"
        )
    tables = validate_tables(tables)
    manifest = build_manifest(catalogue, results, tables, raw, out, year, division, today)
    # Every table was checked just now: the report's reads need not check them again.
    remember_valid(write_outputs(out, tables, manifest), tables)
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
