"""A message CSV ingested in a stream, so memory does not grow with the file.

Message statistics run to tens of millions of party-level rows: the file is staged once as
parquet (``ingest.stream``, categorical party, month, type and version), then checked with the
same expressions as the in-memory reader (``message_checks``) and summed lazily. Duplicates
are found by row hash in slices of the hash space, and each distinct party is resolved once.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl

from analysis.ingest.catalogue import Source
from analysis.ingest.common import (
    COLUMN,
    REASON,
    REF_FIELDS,
    Context,
    SourceResult,
    check,
    check_duplicates,
    reference_keys,
    reference_lookup,
    start_checks,
)
from analysis.ingest.message_checks import (
    check_overflow,
    join_lookup,
    message_columns,
    odd_count_lookup,
    period_lookup,
    value_checks,
)
from analysis.ingest.readers import ROW
from analysis.ingest.stream import ROW_HASH, scan_header, stage_csv
from analysis.reference.resolve import Resolver


def _staged_lookup(
    rows: pl.LazyFrame, found: Mapping[str, str], resolver: Resolver, hints: Sequence[str]
) -> tuple[list[str], pl.DataFrame]:
    """The distinct party columns of the staged rows, each resolved once
    (``common.reference_lookup``)."""
    keys = reference_keys(found)
    distinct = rows.select(keys).unique().collect(engine="streaming")
    return reference_lookup(distinct, found, resolver, hints)


_HASH_PART = 5_000_000  # rows per pass when counting hashes (about 0.5 GB each)


def _staged_duplicates(rows: pl.LazyFrame, cols: list[str], n: int) -> pl.DataFrame:
    """ROW and ``__dgrunn`` of every exact copy of an earlier row: rows sharing a hash are the
    only candidates, and those few are compared by value (a hash collision rejects nothing).
    The hashes are counted in slices of the hash space, so memory stays flat in ``n``."""
    parts = max(1, -(-n // _HASH_PART))
    hashes = rows.select(ROW_HASH)
    shared = pl.concat(
        [
            hashes.filter(pl.col(ROW_HASH) % parts == i)
            .group_by(ROW_HASH)
            .agg(pl.len().alias("__n"))
            .filter(pl.col("__n") > 1)
            .select(ROW_HASH)
            .collect(engine="streaming")
            for i in range(parts)
        ]
    )
    candidates = (
        rows.join(shared.lazy(), on=ROW_HASH, how="semi")
        .select(ROW, *[pl.col(c).cast(pl.String) for c in cols])
        .collect(engine="streaming")
    )
    marked = check_duplicates(start_checks(candidates), cols)
    return marked.filter(pl.col(REASON).is_not_null()).select(ROW, pl.col(REASON).alias("__dgrunn"))


def stream_messages(
    source: Source, ctx: Context, tmp: Path | str | None = None
) -> SourceResult | None:
    """A message CSV ingested in a stream: staged once as parquet (categorical party, month,
    type and version), then checked and summed lazily, so memory does not grow with the file.
    The same tables, rejects and counts as ``ingest_messages``; None when the file cannot be
    streamed with certain line numbers (the caller reads it in memory then)."""
    path = ctx.where(source)
    header = scan_header(path)
    if header is None:
        return None
    cols = header.columns
    found = message_columns(source, cols, ctx)
    per, typ, cnt = found["periode"], found["meldingstype"], found["antall"]
    ver = found.get("versjon")
    low = (*REF_FIELDS, "fylke", "periode", "meldingstype", "versjon")  # few distinct values
    categorical = {found[f] for f in low if f in found}
    with tempfile.TemporaryDirectory(prefix="ehelse-meldinger-", dir=tmp) as folder:
        staged = Path(folder) / "rader.parquet"
        if stage_csv(path, header, staged, categorical) is None:
            return None
        blank = pl.all_horizontal([pl.col(c).is_null() for c in cols])
        rows = pl.scan_parquet(staged).filter(~blank)
        read = rows.select(pl.len()).collect().item()
        if read == 0:
            return None  # the in-memory path says the file has no rows

        keys, lookup = _staged_lookup(rows, found, ctx.resolver, source.county_hint)
        dups = _staged_duplicates(rows, cols, read)
        periods = period_lookup(
            rows.select(pl.col(per).cast(pl.String).unique()).collect()[per], ctx.today
        )
        odd = odd_count_lookup(
            rows.select(pl.col(cnt).cast(pl.String))
            .filter(pl.col(cnt).is_not_null() & pl.col(cnt).cast(pl.Int64, strict=False).is_null())
            .unique()
            .collect(engine="streaming")[cnt]
        )

        work = start_checks(rows)
        if dups.height:
            work = work.join(dups.lazy(), on=ROW, how="left")
            work = check(work, pl.col("__dgrunn").is_not_null(), pl.col("__dgrunn"), None)
        work = join_lookup(work, lookup.drop("__knr", "__treff", "__kinndata"), keys, keys)
        work = check(
            work, pl.col("__kgrunn").is_not_null(), pl.col("__kgrunn"), pl.col("__kkolonne")
        )
        work = value_checks(work, per, typ, cnt, periods, odd)

        # One pass for the sums and the rejects: kept rows are summed per party (categorical
        # keys, no text per row), each rejected row is a group of its own; only those few rows
        # are read again for their values (the staged rows are in line order, so the parquet
        # statistics skip the row groups before the first and after the last).
        rejected = pl.col(REASON).is_not_null()
        group = [*keys, "__periode", typ, *([ver] if ver else [])]
        marks = [
            pl.when(rejected).then(pl.col(ROW)).alias("__rad"),
            pl.col(REASON).alias("__grunn"),
            pl.col(COLUMN).alias("__kolonne"),
        ]
        summed = (
            work.group_by(*group, *marks)
            .agg(
                pl.col("__antall").cast(pl.Int128).sum().alias("__sum"),
                pl.len().alias("__n"),
            )
            .collect(engine="streaming")
        )
        bad = summed.filter(pl.col("__grunn").is_not_null()).select(
            pl.col("__rad").alias(ROW), pl.col("__grunn"), pl.col("__kolonne")
        )
        parties = summed.filter(pl.col("__grunn").is_null()).drop("__rad", "__grunn", "__kolonne")
        span = bad.select(pl.col(ROW).min().alias("lo"), pl.col(ROW).max().alias("hi"))
        lo, hi = span.row(0) if bad.height else (0, -1)
        values = (
            rows.filter(pl.col(ROW).is_between(lo, hi) & pl.col(ROW).is_in(bad[ROW].implode()))
            .select(
                ROW,
                pl.struct([pl.col(c).cast(pl.String) for c in cols])
                .struct.json_encode()
                .alias("verdier"),
            )
            .collect(engine="streaming")
        )
        rejects = bad.join(values, on=ROW, how="left").select(
            pl.lit(source.id).alias("kilde_id"),
            pl.lit(source.path).alias("fil"),
            pl.col(ROW).alias("rad"),
            pl.col("__kolonne").alias("kolonne"),
            "verdier",
            pl.col("__grunn").alias("grunn"),
        )
    sums_df = (
        join_lookup(parties, lookup.select(*keys, "__knr"), keys, keys)
        .group_by(
            pl.col("__knr").alias("kommunenummer"),
            "__periode",
            pl.col(typ).cast(pl.String).alias("meldingstype"),
            (pl.col(ver).cast(pl.String) if ver else pl.lit(None, pl.String)).alias("versjon"),
        )
        .agg(pl.col("__sum").sum(), pl.col("__n").sum())
    )
    check_overflow(sums_df, path, cnt, ver)
    table = sums_df.select(
        pl.lit(source.id).alias("kilde_id"),
        pl.col("__periode").alias("periode"),
        "kommunenummer",
        "meldingstype",
        "versjon",
        pl.col("__sum").cast(pl.Int64).alias("antall"),
        pl.lit(source.synthetic).alias("syntetisk"),
    )
    return SourceResult(
        source,
        "",
        read,
        kept_count=int(sums_df["__n"].sum()),
        rejects=rejects.sort("rad"),
        tables={"meldinger": table},
    )
