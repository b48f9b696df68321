"""Message statistics in the shape of NHN's Meldingsteller: month, sending party, message type,
version and count (optionally the receiver), summed to municipality x month x type x version.

The files can hold millions of party-level rows, so nothing loops over rows: each distinct
sending party is resolved once into a small lookup frame, and the checks and the sums are polars
expressions. ``aggregate_messages`` is the pure, lazy core the benchmark drives directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import polars as pl

from analysis.ingest.catalogue import Source
from analysis.ingest.columns import find_columns, require
from analysis.ingest.common import (
    INT64_MAX,
    REASON,
    REF_FIELDS,
    Context,
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


def _check_sums(
    kept: pl.DataFrame, lookup: pl.DataFrame, typ: str, ver: str | None, where: object, cnt: str
) -> None:
    """Stop before a sum wraps around at 64 bits: one cheap total, the exact check only then."""
    total = kept.select(pl.col("__antall").cast(pl.Float64).sum()).item() or 0.0
    if total < INT64_MAX * 0.99:
        return
    sums = (
        kept.join(lookup.select(PARTY, "kommunenummer"), on=PARTY, how="inner")
        .group_by("kommunenummer", "__periode", typ, *([ver] if ver else []))
        .agg(pl.col("__antall").cast(pl.Int128).sum().alias("__sum"))
        .filter(pl.col("__sum") > INT64_MAX)
        .sort(pl.all())
    )
    if sums.height:
        r = sums.row(0, named=True)
        version = f", versjon {r[ver]!r}" if ver else ""
        raise IngestError(
            f"{where}, kolonne {cnt!r}: summen for kommune {r['kommunenummer']}, periode "
            f"{r['__periode']}, meldingstype {r[typ]!r}{version} er {r['__sum']}, over "
            f"grensen {INT64_MAX}; tallene kan ikke stemme"
        )


def ingest_messages(source: Source, df: pl.DataFrame, ctx: Context) -> SourceResult:
    cols = raw_columns(df)
    found = find_columns(cols, FIELDS, source.columns, ctx.where(source))
    require(found, [REF_FIELDS, "periode", "meldingstype", "antall"], cols, ctx.where(source))
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
    work = work.join(
        _periods(df[per], ctx.today),
        left_on=per,
        right_on="__tekst",
        how="left",
        maintain_order="left",
    )
    work = check(work, pl.col(per).is_null(), "mangler periode", per)
    work = check(work, pl.col("__pgrunn").is_not_null(), pl.col("__pgrunn"), per)
    work = check(work, pl.col(typ).is_null(), "mangler meldingstype", typ)
    cleaned = pl.col(cnt).str.replace_all(r"[\s\u00a0\u202f]", "")
    work = work.with_columns(
        pl.when(cleaned.str.contains(r"^[-+−]?\d+$"))
        .then(cleaned.str.replace("−", "-").cast(pl.Int64, strict=False))
        .alias("__antall")
    )
    work = check(work, pl.col(cnt).is_null(), "mangler antall", cnt)
    work = check(
        work,
        pl.col("__antall").is_null() & cleaned.str.contains(r"^\+?\d+$"),
        pl.format("for stort tall: '{}' (over {})", pl.col(cnt), pl.lit(INT64_MAX)),
        cnt,
    )
    work = check(
        work, pl.col("__antall").is_null(), pl.format("ikke et tall: '{}'", pl.col(cnt)), cnt
    )
    work = check(
        work, pl.col("__antall") < 0, pl.format("negativt antall ({})", pl.col("__antall")), cnt
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
