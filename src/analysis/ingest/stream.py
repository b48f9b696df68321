"""Stage a large CSV file as parquet without holding it in memory (message statistics run to
tens of millions of rows).

``bulk`` and ``readers`` hold the whole file as text. Here one pass over the bytes checks that
polars' streaming reader means the same as ``read_table`` (UTF-8, no NUL, CR only as CRLF, a
header of unique, non-empty names on the first line, and later: one line per row, no row wider
than the header), then polars streams the rows into a parquet file with each row's line number
(``ROW``), cells stripped and empty cells null, the columns the caller names as categoricals,
and a hash of the row's values (``ROW_HASH``) for finding exact copies. When any condition
fails, the caller reads the file in memory instead, which gives the exact message.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from analysis.ingest.readers import CSV_SUFFIXES, ROW, sniff_delimiter

ROW_HASH = "__hash"
_CHUNK = 1 << 24
_HEADER_BYTES = 1 << 20


@dataclass(frozen=True)
class Header:
    """The file's separator, its column names and its physical line count."""

    separator: str
    columns: list[str]
    lines: int


def scan_header(path: Path) -> Header | None:
    """The header and line count, or None when the streaming reader might read the file
    differently from ``read_table`` (one pass over the bytes, constant memory)."""
    if path.suffix.lower() not in CSV_SUFFIXES or not path.is_file():
        return None
    with path.open("rb") as fh:
        head = fh.read(_HEADER_BYTES)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return None
        first = head.split(b"\n", 1)[0].rstrip(b"\r")
        if first.startswith(b"\xef\xbb\xbf"):
            first = first[3:]
        if b"\r" in first:
            return None  # a CR that ends a line alone (old Mac files)
        if b"\n" not in head and len(head) == _HEADER_BYTES:
            return None  # a header line longer than 1 MB
        try:
            text = first.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not text.strip():
            return None  # a blank first line: read_table looks further for the header
        separator = sniff_delimiter(text)
        columns = [c.strip() for c in next(csv.reader([text], delimiter=separator))]
        if any(not c for c in columns) or len(set(columns)) != len(columns):
            return None  # read_table renames these its own way
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        newlines = 0
        last = b""
        prev_cr = False
        while chunk := fh.read(_CHUNK):
            if b"\x00" in chunk:
                return None
            crs = chunk.count(b"\r")
            crlf = chunk.count(b"\r\n") + (prev_cr and chunk.startswith(b"\n"))
            if crs - chunk.endswith(b"\r") + prev_cr != crlf:
                return None  # a CR that ends a line alone (old Mac files)
            prev_cr = chunk.endswith(b"\r")
            newlines += chunk.count(b"\n")
            if not chunk.isascii():
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    return None
            last = chunk
        if prev_cr:
            return None
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    lines = newlines + (0 if last.endswith(b"\n") else 1)
    return Header(separator, columns, lines)


def _already_stripped(values: pl.Series) -> bool:
    """No value of the column changes when stripped (so it needed no stripping)."""
    text = values.cast(pl.String).drop_nulls()
    return bool((text.str.strip_chars() == text).all())


def stage_csv(
    path: Path, header: Header, out: Path, categorical: Collection[str] = ()
) -> int | None:
    """Stream ``path`` into the parquet file ``out``; the number of rows (blank lines
    included, as all-null rows), or None when polars read it differently (a ragged row, a line
    break inside quotes): the caller then reads the file in memory.

    Stripping every cell costs about half as much as parsing, so the categorical columns are
    first staged as read and checked on their few distinct values; only a file with spaces
    around such a value is staged again with every cell stripped."""
    rows = _stage(path, header, out, categorical, strip_all=False)
    if rows is None:
        return None
    staged = pl.scan_parquet(out)
    cats = [c for c in header.columns if c in categorical]
    distinct = pl.collect_all([staged.select(pl.col(c).unique()) for c in cats])
    if all(_already_stripped(d.to_series()) for d in distinct):
        return rows
    return _stage(path, header, out, categorical, strip_all=True)


def _stage(
    path: Path, header: Header, out: Path, categorical: Collection[str], strip_all: bool
) -> int | None:
    cols = header.columns
    lf = pl.scan_csv(
        path,
        separator=header.separator,
        infer_schema=False,
        has_header=True,
        truncate_ragged_lines=False,
        raise_if_empty=False,
    )
    raw = lf.collect_schema().names()
    if [c.strip() for c in raw] != cols:
        return None

    def cell(r: str, c: str) -> pl.Expr:
        if c in categorical and not strip_all:
            return pl.col(r).alias(c)  # empty cells are null already
        e = pl.col(r).str.strip_chars()
        return pl.when(e == "").then(None).otherwise(e).alias(c)

    lf = lf.select([cell(r, c) for r, c in zip(raw, cols, strict=True)])
    lf = lf.with_columns(pl.struct(cols).hash().alias(ROW_HASH))
    lf = lf.with_columns([pl.col(c).cast(pl.Categorical) for c in cols if c in categorical])
    lf = lf.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    try:
        lf.sink_parquet(out, compression="lz4", engine="streaming")
    except (pl.exceptions.ComputeError, pl.exceptions.SchemaError):
        return None
    rows = pl.scan_parquet(out).select(pl.len()).collect().item()
    if rows + 1 != header.lines:
        return None  # a quoted cell spanning lines: row and line numbers part
    return int(rows)
