"""Message statistics in the shape of NHN's Meldingsteller: month, sending party, message type,
version and count (optionally the receiver), summed to municipality x month x type x version.

The files can hold tens of millions of party-level rows, so nothing loops over rows: each
distinct party, month and odd count text is resolved once into a small lookup frame, and the
checks and the sums are polars expressions. A CSV file is streamed (``stream_messages``: staged
as parquet with categorical keys, then checked and summed lazily, so memory stays flat); other
files, and CSV files whose line numbers a stream cannot be sure of, are read in memory
(``ingest_messages``). Both give the same tables, rejects and counts.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl

from analysis.ingest.catalogue import Source
from analysis.ingest.columns import find_columns, require
from analysis.ingest.common import (
    COLUMN,
    INT64_MAX,
    REASON,
    REF_FIELDS,
    Context,
    Frame,
    IngestError,
    SourceResult,
    check,
    check_duplicates,
    raw_columns,
    rejects_from,
    resolve_reference,
    start_checks,
)
from analysis.ingest.labels import parse_date
from analysis.ingest.readers import ROW
from analysis.ingest.stream import ROW_HASH, scan_header, stage_csv
from analysis.reference.resolve import Resolver

FIELDS = [*REF_FIELDS, "fylke", "periode", "meldingstype", "versjon", "antall", "mottaker"]
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


def _periods(values: pl.Series, today: dt.date) -> pl.DataFrame:
    """Distinct period texts -> first day of the month, or why the text is not a usable month."""
    texts = values.unique().drop_nulls().to_list()
    starts: list[dt.date | None] = []
    reasons: list[str | None] = []
    for text in texts:
        parsed = parse_date(text)
        if parsed is None or parsed.presisjon == "aar":
            starts.append(None)
            reasons.append(f"ugyldig periode {text!r} (forventet en måned)")
        elif parsed.month_start > today:
            starts.append(None)
            reasons.append(f"dato i fremtiden ({parsed.month_start.isoformat()})")
        else:
            starts.append(parsed.month_start)
            reasons.append(None)
    return pl.DataFrame(
        {"__tekst": texts, "__periode": starts, "__pgrunn": reasons},
        schema={"__tekst": pl.String, "__periode": pl.Date, "__pgrunn": pl.String},
    )


def _odd_counts(texts: pl.Series) -> pl.DataFrame:
    """Distinct count texts polars' integer cast refuses ("1 234", "−5", "mange") -> the value
    or why the row cannot be kept; every other count is a plain cast, so this stays small."""
    cleaned = pl.col("__atekst").str.replace_all(r"[\s\u00a0\u202f]", "")
    value = pl.col("__aodd")
    return (
        pl.DataFrame({"__atekst": texts.unique().drop_nulls()}, schema={"__atekst": pl.String})
        .with_columns(
            pl.when(cleaned.str.contains(r"^[-+−]?\d+$"))
            .then(cleaned.str.replace("−", "-").cast(pl.Int64, strict=False))
            .alias("__aodd")
        )
        .with_columns(
            pl.when(value.is_null() & cleaned.str.contains(r"^\+?\d+$"))
            .then(pl.format("for stort tall: '{}' (over {})", "__atekst", pl.lit(INT64_MAX)))
            .when(value.is_null())
            .then(pl.format("ikke et tall: '{}'", "__atekst"))
            .when(value < 0)
            .then(pl.format("negativt antall ({})", value))
            .alias("__aogrunn")
        )
    )


def _join(work: Frame, table: pl.DataFrame, left: list[str], right: list[str]) -> Frame:
    """A left join on a small table, keys cast to the frame's types (categoricals when
    streamed), row order kept in memory."""
    schema = work.collect_schema()
    table = table.with_columns(
        [pl.col(r).cast(schema[c]) for c, r in zip(left, right, strict=True)]
    )
    if isinstance(work, pl.LazyFrame):
        return work.join(table.lazy(), left_on=left, right_on=right, how="left", nulls_equal=True)
    return work.join(
        table, left_on=left, right_on=right, how="left", nulls_equal=True, maintain_order="left"
    )


def _value_checks(
    work: Frame, per: str, typ: str, cnt: str, periods: pl.DataFrame, odd: pl.DataFrame
) -> Frame:
    """The checks after the party's: month, type and count, in this order (first one wins).
    ``periods`` is ``_periods`` of the file's period texts, ``odd`` is ``_odd_counts`` of the
    count texts a plain cast refuses."""
    work = _join(work, periods, [per], ["__tekst"])
    work = check(work, pl.col(per).is_null(), "mangler periode", per)
    work = check(work, pl.col("__pgrunn").is_not_null(), pl.col("__pgrunn"), per)
    work = check(work, pl.col(typ).is_null(), "mangler meldingstype", typ)
    plain = pl.col(cnt).cast(pl.String).cast(pl.Int64, strict=False)
    work = work.with_columns(plain.alias("__aplain"))
    if odd.height:
        work = _join(work, odd, [cnt], ["__atekst"])
    else:
        work = work.with_columns(
            pl.lit(None, pl.Int64).alias("__aodd"), pl.lit(None, pl.String).alias("__aogrunn")
        )
    work = work.with_columns(pl.coalesce("__aplain", "__aodd").alias("__antall"))
    work = work.with_columns(
        pl.when(pl.col("__aplain").is_not_null())
        .then(
            pl.when(pl.col("__aplain") < 0).then(
                pl.format("negativt antall ({})", pl.col("__aplain"))
            )
        )
        .otherwise(pl.col("__aogrunn"))
        .alias("__agrunn")
    )
    work = check(work, pl.col(cnt).is_null(), "mangler antall", cnt)
    return check(work, pl.col("__agrunn").is_not_null(), pl.col("__agrunn"), cnt)


def _odd_texts(values: pl.Series) -> pl.Series:
    """The count texts a plain integer cast refuses."""
    text = values.cast(pl.String)
    return text.filter(text.is_not_null() & text.cast(pl.Int64, strict=False).is_null())


def _overflow(sums: pl.DataFrame, where: object, cnt: str, ver: str | None) -> None:
    """Stop before a sum wraps around at 64 bits (``sums``: kommunenummer, __periode,
    meldingstype, versjon and the exact ``__sum``)."""
    over = sums.filter(pl.col("__sum") > INT64_MAX).sort(pl.all())
    if over.height:
        r = over.row(0, named=True)
        version = f", versjon {r['versjon']!r}" if ver else ""
        raise IngestError(
            f"{where}, kolonne {cnt!r}: summen for kommune {r['kommunenummer']}, periode "
            f"{r['__periode']}, meldingstype {r['meldingstype']!r}{version} er {r['__sum']}, "
            f"over grensen {INT64_MAX}; tallene kan ikke stemme"
        )


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
    _overflow(sums, where, cnt, ver)


def _message_columns(source: Source, cols: list[str], ctx: Context) -> dict[str, str]:
    found = find_columns(cols, FIELDS, source.columns, ctx.where(source))
    require(found, [REF_FIELDS, "periode", "meldingstype", "antall"], cols, ctx.where(source))
    return found


def ingest_messages(source: Source, df: pl.DataFrame, ctx: Context) -> SourceResult:
    """A message file read in memory (``readers.read_table``'s frame)."""
    cols = raw_columns(df)
    found = _message_columns(source, cols, ctx)
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
    work = _value_checks(
        work, per, typ, cnt, _periods(df[per], ctx.today), _odd_counts(_odd_texts(df[cnt]))
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


# -- streamed -----------------------------------------------------------------------------------


def _staged_lookup(
    rows: pl.LazyFrame, found: Mapping[str, str], resolver: Resolver, hints: Sequence[str]
) -> tuple[list[str], pl.DataFrame]:
    """The distinct party columns of the staged rows, each resolved once: the key columns (as
    staged), kommunenummer (``__knr``), and why not (``__kgrunn``, ``__kk``)."""
    ref_cols = [found[f] for f in REF_FIELDS if f in found]
    county_col = found.get("fylke")
    keys = [*ref_cols, *([county_col] if county_col else [])]
    distinct = rows.select(keys).unique().collect(engine="streaming")
    out: dict[str, list[str | None]] = {"__knr": [], "__kgrunn": [], "__kk": []}
    for values in distinct.select(pl.col(keys).cast(pl.String)).iter_rows():
        named = dict(zip(keys, values, strict=True))
        ref = resolve_reference(
            [(c, named[c]) for c in ref_cols],
            named[county_col] if county_col else None,
            resolver,
            hints,
        )
        out["__knr"].append(ref.kommunenummer)
        out["__kgrunn"].append(ref.grunn)
        out["__kk"].append(ref.kolonne)
    lookup = pl.concat(
        [distinct, pl.DataFrame(out, schema={k: pl.String for k in out})], how="horizontal"
    )
    return keys, lookup


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
    found = _message_columns(source, cols, ctx)
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
        periods = _periods(
            rows.select(pl.col(per).cast(pl.String).unique()).collect()[per], ctx.today
        )
        odd = _odd_counts(
            rows.select(pl.col(cnt).cast(pl.String))
            .filter(pl.col(cnt).is_not_null() & pl.col(cnt).cast(pl.Int64, strict=False).is_null())
            .unique()
            .collect(engine="streaming")[cnt]
        )

        work = start_checks(rows)
        if dups.height:
            work = work.join(dups.lazy(), on=ROW, how="left")
            work = check(work, pl.col("__dgrunn").is_not_null(), pl.col("__dgrunn"), None)
        work = _join(work, lookup.drop("__knr"), keys, keys)
        work = check(work, pl.col("__kgrunn").is_not_null(), pl.col("__kgrunn"), pl.col("__kk"))
        work = _value_checks(work, per, typ, cnt, periods, odd)

        # Summed per party first (categorical keys, no text per row), then per municipality.
        group = [*keys, "__periode", typ, *([ver] if ver else [])]
        per_party = (
            work.filter(pl.col(REASON).is_null())
            .group_by(group)
            .agg(pl.col("__antall").cast(pl.Int128).sum().alias("__sum"), pl.len().alias("__n"))
        )
        failed = work.filter(pl.col(REASON).is_not_null()).select(
            pl.lit(source.id).alias("kilde_id"),
            pl.lit(source.path).alias("fil"),
            pl.col(ROW).alias("rad"),
            pl.col(COLUMN).alias("kolonne"),
            pl.struct([pl.col(c).cast(pl.String) for c in cols])
            .struct.json_encode()
            .alias("verdier"),
            pl.col(REASON).alias("grunn"),
        )
        # Two streams, not collect_all: a shared plan would hold every row in memory.
        parties = per_party.collect(engine="streaming")
        rejects = failed.collect(engine="streaming")
    sums_df = (
        _join(parties, lookup.select(*keys, "__knr"), keys, keys)
        .group_by(
            pl.col("__knr").alias("kommunenummer"),
            "__periode",
            pl.col(typ).cast(pl.String).alias("meldingstype"),
            (pl.col(ver).cast(pl.String) if ver else pl.lit(None, pl.String)).alias("versjon"),
        )
        .agg(pl.col("__sum").sum(), pl.col("__n").sum())
    )
    _overflow(sums_df, path, cnt, ver)
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
