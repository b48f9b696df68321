"""A fast path for large CSV files (message statistics run to millions of rows).

``readers.read_table`` parses CSV in Python, which is exact about row numbers but takes about
30 s per million rows. Here polars' native reader does the parsing, and the result is used only
when it provably means the same as ``read_table``'s: one header line, then one line per row (no
blank lines, no line breaks inside quotes), so row ``i`` is line ``i + 2``; unique, non-empty
column names; no row wider than the header. Anything else falls back to ``read_table``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

from analysis.ingest.readers import (
    CSV_SUFFIXES,
    ROW,
    ReadError,
    decode,
    read_table,
    sniff_delimiter,
)


def _fast_csv(path: Path) -> pl.DataFrame | None:
    data = path.read_bytes()
    if not data.strip():
        return None
    if data.count(b"\r") != data.count(b"\r\n"):
        return None  # CR-only line endings (old Mac exports): read_table counts those lines
    text, encoding = decode(data, path)
    if encoding != "utf-8":
        data = text.encode("utf-8")
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    first = text.split("\n", 1)[0].rstrip("\r")
    if not first.strip():
        return None
    separator = sniff_delimiter(first)
    header = [c.strip() for c in next(csv.reader([first], delimiter=separator))]
    if any(not n for n in header) or len(set(header)) != len(header):
        return None  # read_table renames these its own way
    try:
        df = pl.read_csv(
            io.BytesIO(data),
            separator=separator,
            infer_schema=False,
            has_header=True,
            truncate_ragged_lines=False,
            raise_if_empty=False,
        )
    except (pl.exceptions.PolarsError, ValueError):
        return None
    names = [c.strip() for c in df.columns]
    if names != header or df.height + 1 != lines:
        return None
    df = df.rename(dict(zip(df.columns, names, strict=True)))
    stripped = [pl.col(c).str.strip_chars() for c in names]
    df = df.with_columns(
        [
            pl.when(e == "").then(None).otherwise(e).alias(c)
            for e, c in zip(stripped, names, strict=True)
        ]
    )
    if df.height and df.select(pl.all_horizontal(pl.all().is_null()).any()).item():
        return None  # a blank row: read_table skips it, which shifts row numbers
    return df.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))


def read_any(path: Path | str, sheet: str | None = None) -> pl.DataFrame:
    """``read_table``'s result, through polars' reader when that is provably the same."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() in CSV_SUFFIXES:
        try:
            fast = _fast_csv(path)
        except (ReadError, csv.Error):
            fast = None  # read_table gives the one-line message
        if fast is not None:
            return fast.select([*[c for c in fast.columns if c != ROW], ROW])
    return read_table(path, sheet=sheet)
