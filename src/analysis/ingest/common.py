"""What every source kind shares: the run context, the per-source result, rejects, and the way a
row's municipality columns are resolved (each distinct reference once).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from analysis.errors import EhelseError
from analysis.ingest.catalogue import Source
from analysis.ingest.readers import ROW
from analysis.reference.resolution import Resolution
from analysis.reference.resolve import Resolver
from analysis.schemas import Avvist, polars_schema

# The fields that name a municipality, in the order they decide: code, organisation number, name.
REF_FIELDS = ("kommunenummer", "organisasjonsnummer", "kommune")
REASON = "__grunn"
COLUMN = "__kolonne"
AVVIST_SCHEMA: dict[str, Any] = polars_schema(Avvist)


INT64_MAX = 2**63 - 1
Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


class IngestError(EhelseError, ValueError):
    """An input that cannot be used: the run stops with this one line and writes nothing."""


class RowError(ValueError):
    """One row cannot be kept: the reason (Norwegian) and the column it concerns."""

    def __init__(self, reason: str, column: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.column = column


def parse_count(text: str | None, column: str | None) -> int | None:
    """A non-negative whole number as a table writes it ("1 234"), or None for an empty cell."""
    if text is None:
        return None
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text).replace("\u2212", "-")
    if not re.fullmatch(r"[-+]?\d+", cleaned):
        raise RowError(f"ikke et tall: {text!r}", column)
    value = int(cleaned)
    if value < 0:
        raise RowError(f"negativt antall ({value})", column)
    if value > INT64_MAX:
        raise RowError(f"for stort tall: {text!r} (over {INT64_MAX})", column)
    return value


@dataclass(frozen=True)
class Context:
    """What a source needs besides its own file."""

    year: int
    resolver: Resolver
    today: dt.date
    raw: Path = Path()

    def where(self, source: Source) -> Path:
        """The file's path as messages show it."""
        return self.raw / source.path


@dataclass
class SourceResult:
    """One source after ingest: rows read, the rows kept (by row number) and the rejects."""

    source: Source
    sha256: str
    rows_read: int | None  # None: a passive source (reference data, not read here)
    kept_rows: pl.Series = field(default_factory=lambda: pl.Series(ROW, [], pl.Int64))
    rejects: pl.DataFrame = field(default_factory=lambda: empty_rejects())
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # kept, but worth a person's look
    # A streamed source counts its kept rows instead of listing them (tens of millions).
    kept_count: int | None = None

    @property
    def rows_kept(self) -> int | None:
        if self.rows_read is None:
            return None
        return self.kept_count if self.kept_count is not None else self.kept_rows.len()

    @property
    def rows_rejected(self) -> int | None:
        return None if self.rows_read is None else self.rejects.height


def empty_rejects() -> pl.DataFrame:
    return pl.DataFrame(schema=AVVIST_SCHEMA)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def raw_columns(df: pl.DataFrame) -> list[str]:
    """The file's own columns (everything the reader gave except the row number)."""
    return [c for c in df.columns if c != ROW and not c.startswith("__")]


def start_checks(df: Frame) -> Frame:
    return df.with_columns(
        pl.lit(None, pl.String).alias(REASON), pl.lit(None, pl.String).alias(COLUMN)
    )


def check(df: Frame, failed: pl.Expr, reason: pl.Expr | str, column: str | pl.Expr | None) -> Frame:
    """Give rows that pass so far and fail ``failed`` this reason (the first failure wins)."""
    hit = pl.col(REASON).is_null() & failed.fill_null(False)
    why = pl.lit(reason) if isinstance(reason, str) else reason
    col = column if isinstance(column, pl.Expr) else pl.lit(column, pl.String)
    return df.with_columns(
        pl.when(hit).then(why).otherwise(pl.col(REASON)).alias(REASON),
        pl.when(hit).then(col).otherwise(pl.col(COLUMN)).alias(COLUMN),
    )


def check_duplicates(df: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """An exact copy of an earlier row (all of the file's columns equal) is rejected."""
    first = pl.col(ROW).min().over(list(columns))
    return check(df, first != pl.col(ROW), pl.format("duplikat av rad {}", first), None)


def rejects_from(df: pl.DataFrame, source: Source, columns: Sequence[str]) -> pl.DataFrame:
    """The Avvist rows for the rows of ``df`` that failed a check (raw values as JSON)."""
    failed = df.filter(pl.col(REASON).is_not_null())
    if failed.is_empty():
        return empty_rejects()
    return failed.select(
        pl.lit(source.id).alias("kilde_id"),
        pl.lit(source.path).alias("fil"),
        pl.col(ROW).cast(pl.Int64).alias("rad"),
        pl.col(COLUMN).alias("kolonne"),
        pl.struct([pl.col(c) for c in columns]).struct.json_encode().alias("verdier"),
        pl.col(REASON).alias("grunn"),
    )


def reject_records(
    records: Sequence[tuple[Mapping[str, Any], str | None, str]],
    source: Source,
    columns: Sequence[str],
) -> pl.DataFrame:
    """Avvist rows from (row as dict incl. ROW, column, reason) triples made in Python."""
    if not records:
        return empty_rejects()

    return pl.DataFrame(
        {
            "kilde_id": [source.id] * len(records),
            "fil": [source.path] * len(records),
            "rad": [int(r[ROW]) for r, _, _ in records],
            "kolonne": [c for _, c, _ in records],
            "verdier": [
                json.dumps(
                    {c: r.get(c) for c in columns}, ensure_ascii=False, separators=(",", ":")
                )
                for r, _, _ in records
            ],
            "grunn": [g for _, _, g in records],
        },
        schema=AVVIST_SCHEMA,
    )


# -- municipalities -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A row's municipality: the code and how it was found, or why it could not be."""

    kommunenummer: str | None
    treff: str | None = None
    inndata: str | None = None
    grunn: str | None = None
    kolonne: str | None = None


def resolve_with_hints(
    resolver: Resolver, value: str, county: str | None, hints: Sequence[str]
) -> Resolution:
    """Resolve with the row's county, else with each hinted county in turn, else without.

    A hint is accepted only when it makes the name unique, so a list of counties (Helse
    Midt-Norge's catchment) can be tried in order.
    """
    if county:
        return resolver.resolve(value, county)
    plain = resolver.resolve(value)
    if plain.match != "ambiguous":
        return plain  # a county only narrows: it cannot resolve what is unknown without it
    for hint in hints:
        res = resolver.resolve(value, hint)
        if res.resolved:
            return res
    return plain


def _named(res: Resolution) -> str:
    return f"{res.kommunenummer} {res.kommunenavn}"


def resolve_reference(
    refs: Sequence[tuple[str, str | None]],
    county: str | None,
    resolver: Resolver,
    hints: Sequence[str] = (),
) -> Reference:
    """One row's municipality from its (column, value) references in priority order.

    The first present reference decides (code before organisation number before name); the
    others only have to agree: one that names another municipality rejects the row.
    """
    present = [(c, v) for c, v in refs if v is not None and v.strip()]
    if not present:
        return Reference(None, grunn="mangler kommune", kolonne=refs[0][0] if refs else None)
    col, value = present[0]
    written = " ".join(v for _, v in present)  # as the source wrote it, every reference
    res = resolve_with_hints(resolver, value, county, hints)
    if res.match == "fuzzy":
        # A spelling close to one name is a suggestion for a person, never a number.
        why = (
            f"usikkert navn {value!r}: likner {res.candidates_text()}; rett filen eller bekreft "
            "navnet i navnetillegg.csv"
        )
        return Reference(None, inndata=written, grunn=why, kolonne=col)
    if not res.resolved:
        if res.match == "ambiguous" and "delt" in res.note:  # a split municipality
            why = f"flertydig kommune ({res.note}): {res.candidates_text()}"
        elif res.match == "ambiguous":
            where = "uten fylke" if not county else f"i fylket {county!r}"
            why = f"flertydig kommunenavn {where}: {res.candidates_text()}"
        else:
            detail = res.note if res.note and res.note != "ukjent kommune" else ""
            why = f"ukjent kommune {value!r}" + (f" ({detail})" if detail else "")
        return Reference(None, inndata=written, grunn=why, kolonne=col)
    for other_col, other in present[1:]:
        alt = resolve_with_hints(resolver, other, county, hints)
        agrees = (
            alt.kommunenummer == res.kommunenummer
            if alt.resolved
            else alt.match != "ambiguous"
            or any(c.kommunenummer == res.kommunenummer for c in alt.candidates)
        )
        if not agrees:
            other_text = _named(alt) if alt.resolved else alt.candidates_text()
            why = (
                f"motstridende kommune: {col} {value!r} er {_named(res)}, "
                f"men {other_col} {other!r} er {other_text}"
            )
            return Reference(None, inndata=written, grunn=why, kolonne=other_col)
    return Reference(res.kommunenummer, res.match, written)


def reference_keys(found: Mapping[str, str]) -> list[str]:
    """The columns that name a row's municipality (code, organisation number, name) and its
    county, as found in the source."""
    keys = [found[f] for f in (*REF_FIELDS, "fylke") if f in found]
    return keys


def reference_lookup(
    distinct: pl.DataFrame,
    found: Mapping[str, str],
    resolver: Resolver,
    hints: Sequence[str] = (),
) -> tuple[list[str], pl.DataFrame]:
    """The key columns and each distinct combination of them in ``distinct`` resolved once:
    the combination (as given, so it joins back) with ``__knr``, ``__treff``, ``__kinndata``
    and the reason and column of a reject (``__kgrunn``, ``__kkolonne``)."""
    ref_cols = [found[f] for f in REF_FIELDS if f in found]
    county_col = found.get("fylke")
    keys = reference_keys(found)
    names = ("__knr", "__treff", "__kinndata", "__kgrunn", "__kkolonne")
    out: dict[str, list[str | None]] = {k: [] for k in names}
    for values in distinct.select(pl.col(keys).cast(pl.String)).iter_rows():
        row = dict(zip(keys, values, strict=True))
        ref = resolve_reference(
            [(c, row[c]) for c in ref_cols],
            row[county_col] if county_col else None,
            resolver,
            hints,
        )
        for name, value in zip(
            names,
            (ref.kommunenummer, ref.treff, ref.inndata, ref.grunn, ref.kolonne),
            strict=True,
        ):
            out[name].append(value)
    lookup = pl.concat(
        [distinct.select(keys), pl.DataFrame(out, schema={k: pl.String for k in out})],
        how="horizontal",
    )
    return keys, lookup


def resolve_frame(
    df: pl.DataFrame,
    found: Mapping[str, str],
    resolver: Resolver,
    hints: Sequence[str] = (),
) -> pl.DataFrame:
    """Add ``__knr``, ``__treff``, ``__kinndata`` and reasons to ``df``, resolving each distinct
    combination of its municipality columns once (a join, not a loop over rows)."""
    keys = reference_keys(found)
    keys, lookup = reference_lookup(
        df.select(keys).unique(maintain_order=True), found, resolver, hints
    )
    joined = df.join(lookup, on=keys, how="left", nulls_equal=True, maintain_order="left")
    joined = check(
        joined, pl.col("__kgrunn").is_not_null(), pl.col("__kgrunn"), pl.col("__kkolonne")
    )
    return joined.drop("__kgrunn", "__kkolonne")
