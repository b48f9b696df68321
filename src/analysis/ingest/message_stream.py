"""A message CSV ingested in one streaming pass, so memory does not grow with the file.

Message statistics run to tens of millions of party-level rows, and nearly all of them are
fine. So polars reads the file once and keeps only two things: the counts summed per
combination of the columns the checks look at (party, month, type, version, and the count's
text when it is not a plain number), and one 64-bit fingerprint per row (8 bytes a row). Every
check depends on those columns alone, except the one for copies, so each combination is
checked once, on its first row (read again by line number, ``stream.read_lines``). The rows
that need a look of their own are few: those of a combination that fails a check, and those
whose fingerprint another row shares (a copy, or a rare collision). They are read again by
line number and checked exactly as the in-memory reader checks its rows (``message_checks``),
so both give the same tables, rejects and counts.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from analysis.ingest.catalogue import Source
from analysis.ingest.common import (
    COLUMN,
    INT64_MAX,
    REASON,
    Context,
    Frame,
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
from analysis.ingest.stream import Header, parse_lines, read_lines, scan_file

_KEY, _KEY2, _PRINT = "__k", "__k2", "__fp"
_HIGH = 2**32  # a print is the key's hash in its high half, the rest's in its low half
_WORD = 2**64
_OK = 0x2545F4914F6CDD1D  # stands in the key for every plain count (the sum holds them)


def _seed(i: int) -> int:
    """The i-th splitmix64 value: a hash seed of its own for each column."""
    z = (i + 1) * 0x9E3779B97F4A7C15 % _WORD
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9 % _WORD
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB % _WORD
    return z ^ (z >> 31)


@dataclass(frozen=True)
class _Pass:
    """What the one pass over the file keeps."""

    groups: pl.DataFrame  # per key: its hash, rows, sum, first row, sum of the 2nd hash
    prints: pl.Series  # per row read (blank lines included): its print
    raw: list[str]  # the column names as polars read the header


@dataclass(frozen=True)
class _Layout:
    """The file's columns by role."""

    found: Mapping[str, str]  # field -> column (``message_columns``)
    cols: list[str]
    keys: list[str]  # the party's columns (municipality and county)
    key_cols: list[str]  # every column a check other than the copy check looks at
    per: str
    typ: str
    cnt: str
    ver: str | None
    digits: int  # a plain count is at most this long, so no sum passes 64 bits

    def stripped(self, strip_all: bool) -> set[str]:
        """The columns the pass strips: the checked ones only when some value needs it."""
        return set(self.cols) if strip_all else set(self.cols) - {*self.key_cols, self.cnt}


def _cells(raw: Sequence[str], cols: Sequence[str], strip: set[str]) -> list[pl.Expr]:
    """Each column with empty cells (a quoted ``""`` too) as null, and stripped when in
    ``strip``: ``read_table``'s cells. Stripping costs about as much as parsing, so a column
    with no space around its values is better left as read."""
    out = []
    for r, c in zip(raw, cols, strict=True):
        e = pl.col(r).str.strip_chars() if c in strip else pl.col(r)
        out.append(pl.when(e == "").then(None).otherwise(e).alias(c))
    return out


def _plain_count(cnt: str) -> pl.Expr:
    """The count as a plain integer (``value_checks``' cast), null when polars refuses it."""
    return pl.col(cnt).cast(pl.Int64, strict=False)


def _with_keys(frame: Frame, lay: _Layout) -> Frame:
    """``__ok`` (a plain count), the key's two hashes and the hash of the other cells.

    Each cell is hashed once, with its column's own seed; the key's hashes are the sum and
    the xor of its cells' hashes (wrapping), so a second hash costs next to nothing. The
    key holds the check columns and the count's text where it is not a plain number."""
    frame = frame.with_columns(
        pl.col(c).hash(_seed(i)).alias(f"__h{i}") for i, c in enumerate(lay.cols)
    )
    h: dict[str, pl.Expr] = {c: pl.col(f"__h{i}") for i, c in enumerate(lay.cols)}
    plain = _plain_count(lay.cnt)
    ok = plain.is_not_null() & (plain >= 0) & (pl.col(lay.cnt).str.len_bytes() <= lay.digits)
    count = pl.when(ok).then(pl.lit(_OK, pl.UInt64)).otherwise(h[lay.cnt])
    parts = [*(h[c] for c in lay.key_cols), count]
    rest = [h[c] for c in lay.cols if c not in lay.key_cols]
    return frame.with_columns(
        pl.sum_horizontal(parts).alias(_KEY),
        functools.reduce(pl.Expr.xor, parts).alias(_KEY2),
        pl.sum_horizontal(rest).alias("__rest"),
        ok.alias("__ok"),
    )


def _one_pass(path: Path, header: Header, lay: _Layout, strip_all: bool) -> _Pass | None:
    """The file read once (two outputs of one streaming query); None when polars reads it
    differently from ``read_table`` (a ragged row, another header)."""
    lf = pl.scan_csv(
        path,
        separator=header.separator,
        infer_schema=False,
        has_header=True,
        truncate_ragged_lines=False,
        raise_if_empty=False,
    )
    raw = lf.collect_schema().names()
    if [c.strip() for c in raw] != lay.cols:
        return None
    lf = _with_keys(lf.select(_cells(raw, lay.cols, lay.stripped(strip_all))), lay)
    groups = (
        lf.with_row_index(ROW)
        .group_by(_KEY)
        .agg(
            pl.len().alias("__n"),
            _plain_count(lay.cnt).sum().alias("__sum"),
            pl.col(ROW).min().alias("__first"),
            pl.col(_KEY2).sum().alias("__k2sum"),
        )
    )
    high = pl.col(_KEY) // pl.lit(_HIGH, pl.UInt64) * pl.lit(_HIGH, pl.UInt64)
    prints = lf.select((high + pl.col("__rest") // _HIGH).alias(_PRINT))
    # The prints go to a file and are read back whole: collected from the stream, they would
    # take three times their 8 bytes a row at the peak.
    with tempfile.TemporaryDirectory(prefix="ehelse-meldinger-") as folder:
        spill = Path(folder) / "avtrykk.ipc"
        try:
            g, _ = pl.collect_all([groups, prints.sink_ipc(spill, lazy=True)], engine="streaming")
        except (pl.exceptions.ComputeError, pl.exceptions.SchemaError):
            return None
        p = pl.read_ipc(spill)
    return _Pass(g, p[_PRINT], raw)


def _fetch(path: Path, header: Header, raw: list[str], rows: pl.Series) -> pl.DataFrame:
    """The rows numbered ``rows`` (0-based, ascending) read again from their lines as polars
    read them in the pass, with ``ROW`` as their line number."""
    lines = rows.cast(pl.Int64).to_numpy() + 2
    df = parse_lines(read_lines(path, header, lines), header, raw)
    if df is None or df.height != len(lines):
        raise _UnsureError
    return df.with_columns(pl.Series(ROW, lines, pl.Int64))


def _read_table_cells(df: pl.DataFrame, raw: list[str], lay: _Layout) -> pl.DataFrame:
    """Fetched rows with every cell as ``read_table`` gives it (stripped, empty as null)."""
    return df.select(*_cells(raw, lay.cols, set(lay.cols)), ROW)


class _UnsureError(Exception):
    """The pass and the lines read again disagree: the in-memory reader decides."""


def _row_checks(
    work: pl.DataFrame, lay: _Layout, lookups: tuple[pl.DataFrame, ...]
) -> pl.DataFrame:
    """Every check but the copy check, in the in-memory reader's order."""
    party, periods, odd = lookups
    work = join_lookup(work, party, lay.keys, lay.keys)
    work = check(work, pl.col("__kgrunn").is_not_null(), pl.col("__kgrunn"), pl.col("__kkolonne"))
    return value_checks(work, lay.per, lay.typ, lay.cnt, periods, odd)


def _bucket(lay: _Layout) -> list[pl.Expr]:
    """The table's grouping: municipality, month, message type and version."""
    return [
        pl.col("__knr").alias("kommunenummer"),
        pl.col("__periode"),
        pl.col(lay.typ).alias("meldingstype"),
        (pl.col(lay.ver) if lay.ver else pl.lit(None, pl.String)).alias("versjon"),
    ]


def stream_messages(source: Source, ctx: Context) -> SourceResult | None:
    """A message CSV ingested in one streaming pass: the same tables, rejects and counts as
    ``ingest_messages``; None when the file cannot be streamed with certain line numbers (the
    caller reads it in memory then)."""
    path = ctx.where(source)
    header = scan_file(path).header
    if header is None:
        return None
    cols = header.columns
    found = message_columns(source, cols, ctx)
    keys = reference_keys(found)
    ver = found.get("versjon")
    per, typ, cnt = found["periode"], found["meldingstype"], found["antall"]
    key_cols = list(dict.fromkeys([*keys, per, typ, *([ver] if ver else [])]))
    digits = 18  # the longest plain count whose sums over every row stay within 64 bits
    while header.lines * (10**digits - 1) > INT64_MAX:
        digits -= 1
    lay = _Layout(found, cols, keys, key_cols, per, typ, cnt, ver, digits)
    try:
        return _stream(source, ctx, path, header, lay)
    except _UnsureError:
        return None


def _stream(
    source: Source, ctx: Context, path: Path, header: Header, lay: _Layout
) -> SourceResult | None:
    strip_all = False
    while True:
        done = _one_pass(path, header, lay, strip_all)
        if done is None:
            return None
        if done.prints.len() + 1 != header.lines:
            return None  # a quoted cell spanning lines: row and line numbers part
        g = done.groups.sort("__first")
        # The prints are in file order: each combination's first row carries its key.
        if ((done.prints.gather(g["__first"]) // _HIGH) != (g[_KEY] // _HIGH)).any():
            raise _UnsureError
        as_read = _fetch(path, header, done.raw, g["__first"])
        cells = _with_keys(
            as_read.select(*_cells(done.raw, lay.cols, lay.stripped(strip_all)), ROW), lay
        )
        # The first rows give the keys the pass gave them; and every row of a combination
        # has its second hash (else two combinations share the first: a 64-bit collision).
        if not (cells[_KEY] == g[_KEY]).all():
            raise _UnsureError
        if not (cells[_KEY2] * g["__n"].cast(pl.UInt64) == g["__k2sum"]).all():
            raise _UnsureError
        firsts = _read_table_cells(as_read, done.raw, lay)
        checked = [*lay.key_cols, lay.cnt]
        if strip_all or firsts.select(checked).equals(cells.select(checked)):
            break
        strip_all = True  # a value with space around it: strip every cell
    groups = firsts.with_columns(
        cells["__ok"], g[_KEY], g["__n"].cast(pl.Int64), g["__sum"].cast(pl.Int128)
    )
    return _settle(source, ctx, path, header, lay, done, groups)


def _settle(
    source: Source,
    ctx: Context,
    path: Path,
    header: Header,
    lay: _Layout,
    done: _Pass,
    groups: pl.DataFrame,
) -> SourceResult | None:
    _, party = reference_lookup(
        groups.select(lay.keys).unique(maintain_order=True),
        lay.found,
        ctx.resolver,
        source.county_hint,
    )
    periods = period_lookup(groups[lay.per], ctx.today)
    texts = groups.select(
        pl.col(lay.cnt).filter(pl.col(lay.cnt).is_not_null() & _plain_count(lay.cnt).is_null())
    )
    lookups = (
        party.drop("__treff", "__kinndata"),
        periods,
        odd_count_lookup(texts.to_series()),
    )

    # Each combination checked once, on its first row (blank lines make one of their own,
    # which fails: no municipality).
    groups = _row_checks(start_checks(groups), lay, lookups)
    bad = groups.filter(pl.col(REASON).is_not_null())[_KEY] // _HIGH

    # The rows to look at one by one: a failing combination's, and those sharing a print.
    # One look-up over every row, by the key half of the print (the few rows of those keys
    # are then sorted out by the whole print).
    prints = done.prints
    ordered = prints.sort()
    shared = ordered.filter(ordered == ordered.shift(1)).unique()
    near = (prints // _HIGH).is_in(pl.concat([shared // _HIGH, bad]).unique().implode())
    at = near.arg_true()
    some = prints.gather(at)
    look = at.filter(some.is_in(shared.implode()) | (some // _HIGH).is_in(bad.implode()))
    rows = _read_table_cells(_fetch(path, header, done.raw, look), done.raw, lay)
    blank = pl.all_horizontal([pl.col(c).is_null() for c in lay.cols])
    blanks = rows.select(blank.sum()).item()
    rows = rows.filter(~blank)
    read = int(groups["__n"].sum()) - blanks
    if read == 0:
        return None  # the in-memory path says the file has no rows
    checked = _row_checks(start_checks(rows), lay, lookups).with_columns(
        check_duplicates(start_checks(rows), lay.cols)[REASON].alias("__dgrunn")
    )
    rejects = checked.filter(pl.col("__dgrunn").is_not_null() | pl.col(REASON).is_not_null())
    rejects = rejects.select(
        pl.lit(source.id).alias("kilde_id"),
        pl.lit(source.path).alias("fil"),
        pl.col(ROW).alias("rad"),
        pl.when(pl.col("__dgrunn").is_null()).then(pl.col(COLUMN)).alias("kolonne"),
        pl.struct(lay.cols).struct.json_encode().alias("verdier"),
        pl.coalesce("__dgrunn", REASON).alias("grunn"),
    )

    # Kept: every row of a combination that passes, less its copies of earlier rows.
    value = (
        pl.when(pl.col("__ok"))
        .then(pl.col("__sum"))
        .otherwise(pl.col("__antall").cast(pl.Int128) * pl.col("__n"))
    )
    kept = groups.filter(pl.col(REASON).is_null()).select(
        *_bucket(lay), value.alias("__sum"), "__n"
    )
    less = checked.filter(pl.col(REASON).is_null() & pl.col("__dgrunn").is_not_null()).select(
        *_bucket(lay),
        (pl.lit(0, pl.Int128) - pl.col("__antall").cast(pl.Int128)).alias("__sum"),
        pl.lit(-1, pl.Int64).alias("__n"),
    )
    sums_df = (
        pl.concat([kept, less])
        .group_by("kommunenummer", "__periode", "meldingstype", "versjon")
        .agg(pl.col("__sum").sum(), pl.col("__n").sum())
    )
    check_overflow(sums_df, path, lay.cnt, lay.ver)
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
