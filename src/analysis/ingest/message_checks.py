"""The checks a message file's rows pass, the same whether it is read in memory or streamed.

``messages`` (in memory) and ``message_stream`` (staged as parquet, checked lazily) must give
the same tables, rejects and counts, so the column search, the month and count checks and the
64-bit overflow guard are written once, here, as polars expressions over either kind of frame.
Odd texts are resolved once per distinct value into small lookup frames joined onto the rows.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from analysis.ingest.catalogue import Source
from analysis.ingest.columns import find_columns, require
from analysis.ingest.common import INT64_MAX, REF_FIELDS, Context, Frame, IngestError, check
from analysis.ingest.labels import parse_date

FIELDS = [*REF_FIELDS, "fylke", "periode", "meldingstype", "versjon", "antall", "mottaker"]


def message_columns(source: Source, cols: list[str], ctx: Context) -> dict[str, str]:
    """Field -> the file's column for it; a one-line error when a required one is missing."""
    found = find_columns(cols, FIELDS, source.columns, ctx.where(source))
    require(found, [REF_FIELDS, "periode", "meldingstype", "antall"], cols, ctx.where(source))
    return found


def period_lookup(values: pl.Series, today: dt.date) -> pl.DataFrame:
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


def odd_count_lookup(texts: pl.Series) -> pl.DataFrame:
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


def join_lookup(work: Frame, table: pl.DataFrame, left: list[str], right: list[str]) -> Frame:
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


def value_checks(
    work: Frame, per: str, typ: str, cnt: str, periods: pl.DataFrame, odd: pl.DataFrame
) -> Frame:
    """The checks after the party's: month, type and count, in this order (first one wins).
    ``periods`` is ``period_lookup`` of the file's period texts, ``odd`` is ``odd_count_lookup`` of the
    count texts a plain cast refuses."""
    work = join_lookup(work, periods, [per], ["__tekst"])
    work = check(work, pl.col(per).is_null(), "mangler periode", per)
    work = check(work, pl.col("__pgrunn").is_not_null(), pl.col("__pgrunn"), per)
    work = check(work, pl.col(typ).is_null(), "mangler meldingstype", typ)
    plain = pl.col(cnt).cast(pl.String).cast(pl.Int64, strict=False)
    work = work.with_columns(plain.alias("__aplain"))
    if odd.height:
        work = join_lookup(work, odd, [cnt], ["__atekst"])
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


def check_overflow(sums: pl.DataFrame, where: object, cnt: str, ver: str | None) -> None:
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
