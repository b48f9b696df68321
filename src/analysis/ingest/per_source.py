"""One catalogued source: its file checked against the catalogue, read, ingested by its kind,
and every row accounted for (rows read = rows kept + rows rejected, never both, never neither).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from analysis.ingest.adoption import Seen, ingest_adoption
from analysis.ingest.ambitions import ingest_ambitions, ingest_measures
from analysis.ingest.bulk import read_any
from analysis.ingest.catalogue import Catalogue, CatalogueError, Source, source_file
from analysis.ingest.columns import ColumnError
from analysis.ingest.common import Context, IngestError, SourceResult
from analysis.ingest.message_stream import stream_messages
from analysis.ingest.messages import ingest_messages
from analysis.ingest.published import ingest_published
from analysis.ingest.readers import ReadError
from analysis.ingest.skjema import ingest_skjema
from analysis.ingest.stream import scan_file


def _kind_reader(kind: str) -> Callable[..., SourceResult]:
    return {
        "messages": ingest_messages,
        "ambitions": ingest_ambitions,
        "measures": ingest_measures,
        "published": ingest_published,
    }[kind]


def check_files(catalogue: Catalogue, raw: Path) -> dict[str, str]:
    """Each catalogued file exists and has the sha256 the catalogue records; id -> sha256.

    A message file's bytes are checked for streaming in the same read (``stream.scan_file``
    keeps the result), so a file of tens of millions of rows is read once before polars."""
    hashes: dict[str, str] = {}
    for s in catalogue.sources:
        try:
            path = source_file(raw, s, catalogue.path)
        except CatalogueError as exc:
            raise IngestError(str(exc)) from None
        digest = scan_file(path, csv_checks=s.kind == "messages").sha256
        if s.sha256 is not None and s.sha256 != digest:
            raise IngestError(
                f"{path}: sha256 er {digest}, men katalogen sier {s.sha256} (kilden {s.id!r}); "
                "filen er endret siden den ble katalogisert"
            )
        hashes[s.id] = digest
    return hashes


def account_rows(result: SourceResult) -> None:
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


def read_raw(source: Source, raw: Path, allow_empty: bool = False) -> pl.DataFrame:
    path = raw / source.path
    try:
        df = read_any(path, sheet=source.sheet)
    except ReadError as exc:
        raise IngestError(f"{exc} (kilden {source.id!r})") from None
    if df.height == 0 and not allow_empty:
        raise IngestError(f"{path}: filen har ingen datarader (kilden {source.id!r})")
    return df


def ingest_source(source: Source, raw: Path, ctx: Context, seen: Seen, sha: str) -> SourceResult:
    if source.kind == "skjema":
        result = ingest_skjema(source, ctx)
        result.sha256 = sha
        account_rows(result)
        return result
    try:
        # Message statistics run to tens of millions of rows: streamed when the file allows.
        streamed = stream_messages(source, ctx) if source.kind == "messages" else None
    except ColumnError as exc:
        raise IngestError(f"{exc} (kilden {source.id!r})") from None
    if streamed is not None:
        streamed.sha256 = sha
        account_rows(streamed)
        return streamed
    df = read_raw(source, raw)
    try:
        if source.kind == "adoption":
            result = ingest_adoption(source, df, ctx, seen)
        else:
            result = _kind_reader(source.kind)(source, df, ctx)
    except ColumnError as exc:
        raise IngestError(f"{exc} (kilden {source.id!r})") from None
    result.sha256 = sha
    account_rows(result)
    return result
