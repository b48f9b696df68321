"""Message statistics in the shape of NHN's Meldingsteller: month, sending party, message type,
version and count (optionally the receiver), summed to municipality x month x type x version.

The files can hold tens of millions of party-level rows, so nothing loops over rows: each
distinct party, month and odd count text is resolved once into a small lookup frame, and the
checks and the sums are polars expressions. A CSV file is streamed
(``message_stream.stream_messages``: one pass sums the rows per key and keeps 8 bytes a row for
finding copies, so memory stays flat); other files, and CSV files whose line numbers a stream
cannot be sure of, are read in memory here (``ingest_messages``). Both run the checks in
``message_checks``, so they give the same tables, rejects and counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from analysis.ingest.catalogue import Source
from analysis.ingest.common import (
    INT64_MAX,
    REASON,
    REF_FIELDS,
    Context,
    SourceResult,
    check,
    check_duplicates,
    raw_columns,
    rejects_from,
    resolve_reference,
    start_checks,
)
from analysis.ingest.message_checks import (
    check_overflow,
    message_columns,
    odd_count_lookup,
    period_lookup,
    value_checks,
)
from analysis.ingest.readers import ROW
from analysis.reference.resolve import Resolver

PARTY = "avsender"
GROUP = ["kommunenummer", "periode", "meldingstype", "versjon"]
_SEP = "\x1f"


def aggregate_messages(lf: pl.LazyFrame, lookup: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """Party-level rows -> counts per municipality, month, message type and version.

    ``lf`` has ``avsender`` (the party reference), ``periode`` (date, first of the month),
    ``meldingstype``, ``versjon`` (null: no version sent) and ``antall`` (integer). ``lookup``
    maps ``avsender`` to ``kommunenummer``; parties it lacks, or maps to null, drop out. Lazy
    throughout, so a caller can stream it (``collect(engine="streaming")``).
    """
    parties = (
        lookup.lazy()
        .select(PARTY, "kommunenummer")
        .filter(pl.col("kommunenummer").is_not_null())
        .unique(PARTY)
    )
    return (
        lf.select(PARTY, "periode", "meldingstype", "versjon", pl.col("antall").cast(pl.Int64))
        .join(parties, on=PARTY, how="inner")
        .group_by(GROUP)
        .agg(pl.col("antall").sum())
    )


def party_key(columns: Sequence[str]) -> pl.Expr:
    """One string per combination of a row's party columns (the lookup's join key)."""
    return pl.concat_str([pl.col(c).fill_null("") for c in columns], separator=_SEP).alias(PARTY)


def party_lookup(
    df: pl.DataFrame,
    found: Mapping[str, str],
    resolver: Resolver,
    hints: Sequence[str] = (),
) -> tuple[list[str], pl.DataFrame]:
    """The party columns used and a lookup: ``avsender`` -> kommunenummer, or why not."""
    ref_cols = [found[f] for f in REF_FIELDS if f in found]
    county_col = found.get("fylke")
    keys = [*ref_cols, *([county_col] if county_col else [])]
    distinct = df.select(keys).unique(maintain_order=True)
    rows: dict[str, list[str | None]] = {
        PARTY: [],
        "kommunenummer": [],
        "treff": [],
        "grunn": [],
        "kolonne": [],
    }
    for values in distinct.iter_rows():
        named = dict(zip(keys, values, strict=True))
        ref = resolve_reference(
            [(c, named[c]) for c in ref_cols],
            named[county_col] if county_col else None,
            resolver,
            hints,
        )
        rows[PARTY].append(_SEP.join("" if v is None else v for v in values))
        rows["kommunenummer"].append(ref.kommunenummer)
        rows["treff"].append(ref.treff)
        rows["grunn"].append(ref.grunn)
        rows["kolonne"].append(ref.kolonne)
    return keys, pl.DataFrame(rows, schema={k: pl.String for k in rows})


def _odd_texts(values: pl.Series) -> pl.Series:
    """The count texts a plain integer cast refuses."""
    text = values.cast(pl.String)
    return text.filter(text.is_not_null() & text.cast(pl.Int64, strict=False).is_null())


def _check_sums(
    kept: pl.DataFrame, lookup: pl.DataFrame, typ: str, ver: str | None, where: object, cnt: str
) -> None:
    """Stop before a sum wraps around at 64 bits: one cheap total, the exact check only then."""
    total = kept.select(pl.col("__antall").cast(pl.Float64).sum()).item() or 0.0
    if total < INT64_MAX * 0.99:
        return
    sums = (
        kept.join(lookup.select(PARTY, "kommunenummer"), on=PARTY, how="inner")
        .group_by(
            "kommunenummer",
            "__periode",
            pl.col(typ).alias("meldingstype"),
            (pl.col(ver) if ver else pl.lit(None, pl.String)).alias("versjon"),
        )
        .agg(pl.col("__antall").cast(pl.Int128).sum().alias("__sum"))
    )
    check_overflow(sums, where, cnt, ver)


def ingest_messages(source: Source, df: pl.DataFrame, ctx: Context) -> SourceResult:
    """A message file read in memory (``readers.read_table``'s frame)."""
    cols = raw_columns(df)
    found = message_columns(source, cols, ctx)
    per, typ, cnt = found["periode"], found["meldingstype"], found["antall"]
    ver = found.get("versjon")

    work = check_duplicates(start_checks(df), cols)
    keys, lookup = party_lookup(df, found, ctx.resolver, source.county_hint)
    work = work.with_columns(party_key(keys)).join(
        lookup.select(PARTY, pl.col("grunn").alias("__kgrunn"), pl.col("kolonne").alias("__kk")),
        on=PARTY,
        how="left",
        maintain_order="left",
    )
    work = check(work, pl.col("__kgrunn").is_not_null(), pl.col("__kgrunn"), pl.col("__kk"))
    work = value_checks(
        work,
        per,
        typ,
        cnt,
        period_lookup(df[per], ctx.today),
        odd_count_lookup(_odd_texts(df[cnt])),
    )

    kept = work.filter(pl.col(REASON).is_null())
    _check_sums(kept, lookup, typ, ver, ctx.where(source), cnt)
    rows = kept.lazy().select(
        PARTY,
        pl.col("__periode").alias("periode"),
        pl.col(typ).alias("meldingstype"),
        (pl.col(ver) if ver else pl.lit(None, pl.String)).alias("versjon"),
        pl.col("__antall").alias("antall"),
    )
    table = (
        aggregate_messages(rows, lookup)
        .with_columns(
            pl.lit(source.id).alias("kilde_id"), pl.lit(source.synthetic).alias("syntetisk")
        )
        .select(
            "kilde_id", "periode", "kommunenummer", "meldingstype", "versjon", "antall", "syntetisk"
        )
        .collect()
    )
    return SourceResult(
        source,
        "",
        df.height,
        kept_rows=kept[ROW],
        rejects=rejects_from(work, source, cols).sort("rad"),
        tables={"meldinger": table},
    )
