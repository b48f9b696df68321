"""Read a large CSV file's bytes once, and fetch single lines of it again later (message
statistics run to tens of millions of rows).

``bulk`` and ``readers`` hold the whole file as text. Here one pass over the bytes computes the
file's sha256 (in a thread, while the bytes are checked) and checks that polars' streaming
reader means the same as ``read_table``: UTF-8, no NUL, CR only as CRLF, a header of unique,
non-empty names on the first line. It also counts the lines and notes how many lines start
before each block of the file, so that a few rows (the rejects, the copies) can be read again
by line number without reading the file again. When a condition fails, the caller reads the
file in memory instead, which gives the exact message.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from analysis.ingest.readers import CSV_SUFFIXES, sniff_delimiter

_CHUNK = 1 << 24
_BLOCK = 1 << 16  # the line index's granularity: newlines are counted per 64 KiB block
_HEADER_BYTES = 1 << 20
_SCANS: OrderedDict[tuple[object, ...], FileScan] = OrderedDict()
_KEEP = 8  # file scans kept for a later look-up of the same, unchanged file


@dataclass(frozen=True)
class Header:
    """The file's separator, its column names, its physical line count and, per block of
    ``_BLOCK`` bytes, how many newlines come before it (where a line starts)."""

    separator: str
    columns: list[str]
    lines: int
    newlines_before: np.ndarray


@dataclass(frozen=True)
class FileScan:
    """A file's sha256 and, when polars may stream it, its header (else None)."""

    sha256: str
    header: Header | None


def _key(path: Path) -> tuple[object, ...]:
    st = path.stat()
    return (str(path.resolve()), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def scan_file(path: Path, csv_checks: bool = True) -> FileScan:
    """The sha256 and (with ``csv_checks``, for a CSV file) the header in one read of the
    bytes. The result is kept for the same unchanged file, so checking the catalogue's
    hashes and streaming the file read it once."""
    streamable = csv_checks and path.suffix.lower() in CSV_SUFFIXES and path.is_file()
    key = (*_key(path), streamable)
    found = _SCANS.get(key)
    if found is not None:
        _SCANS.move_to_end(key)
        return found
    scan = _scan(path, streamable)
    _SCANS[key] = scan
    while len(_SCANS) > _KEEP:
        _SCANS.popitem(last=False)
    return scan


class _Checks:
    """The checks on the bytes after the header, chunk by chunk (constant memory)."""

    def __init__(self) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.prev_cr = False
        self.last = b""
        self.blocks: list[int] = []

    def feed(self, chunk: bytes) -> bool:
        if b"\x00" in chunk:
            return False
        crs = chunk.count(b"\r") if b"\r" in chunk else 0
        if crs or self.prev_cr:
            crlf = chunk.count(b"\r\n") + (self.prev_cr and chunk.startswith(b"\n"))
            if crs - chunk.endswith(b"\r") + self.prev_cr != crlf:
                return False  # a CR that ends a line alone (old Mac files)
        self.prev_cr = chunk.endswith(b"\r")
        count = chunk.count
        self.blocks.extend(count(b"\n", i, i + _BLOCK) for i in range(0, len(chunk), _BLOCK))
        if not chunk.isascii():
            try:
                self.decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
        self.last = chunk
        return True

    def finish(self) -> bool:
        if self.prev_cr:
            return False
        try:
            self.decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        return True


def _header(head: bytes) -> tuple[str, list[str]] | None:
    """Separator and column names of the first line, or None when ``read_table`` might find
    another header or name the columns its own way."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    if b"\r" in first:
        return None  # a CR that ends a line alone (old Mac files)
    if b"\n" not in head and len(head) >= _HEADER_BYTES:
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
    return separator, columns


def _scan(path: Path, streamable: bool) -> FileScan:
    digest = hashlib.sha256()
    checks = _Checks() if streamable else None
    head: tuple[str, list[str]] | None = None
    pending: Future[None] | None = None
    # hashlib lets go of the GIL on large buffers, so the hash runs beside the checks.
    with ThreadPoolExecutor(max_workers=1) as pool, path.open("rb") as fh:
        first = True
        while chunk := fh.read(_CHUNK):
            if pending is not None:
                pending.result()
            pending = pool.submit(digest.update, chunk)
            if first and checks is not None:
                head = _header(chunk[:_HEADER_BYTES])
                if head is None:
                    checks = None
            first = False
            if checks is not None and not checks.feed(chunk):
                checks = None
        if pending is not None:
            pending.result()
    if checks is None or head is None or not checks.finish():
        return FileScan(digest.hexdigest(), None)
    newlines = sum(checks.blocks)
    lines = newlines + (0 if checks.last.endswith(b"\n") else 1)
    before = np.zeros(len(checks.blocks), dtype=np.int64)
    np.cumsum(checks.blocks[:-1], out=before[1:])
    return FileScan(digest.hexdigest(), Header(head[0], head[1], lines, before))


def _rest_of_line(fd: int, pos: int) -> bytes:
    """The bytes from ``pos`` to the next newline (or the end of the file)."""
    out = []
    while chunk := os.pread(fd, _BLOCK, pos):
        cut = chunk.find(b"\n")
        if cut >= 0:
            out.append(chunk[:cut])
            break
        out.append(chunk)
        pos += len(chunk)
    return b"".join(out)


def read_lines(path: Path, header: Header, lines: np.ndarray) -> bytes:
    """The header line and the physical lines numbered ``lines`` (1-based, ascending, none
    of them the header), each ending in a newline: the blocks that hold them are read, nothing
    else. The header comes along so that polars sizes short rows as it did in the file."""
    before = header.newlines_before
    # Line L starts after the file's (L-1)-th newline; find the block holding that one.
    target = lines.astype(np.int64) - 1
    blocks = np.searchsorted(before, target, side="left") - 1
    runs = np.flatnonzero(np.diff(blocks, prepend=-1))
    with path.open("rb") as fh:
        fd = fh.fileno()
        out = [_rest_of_line(fd, 0)]
        for i, lo in enumerate(runs.tolist()):
            hi = int(runs[i + 1]) if i + 1 < len(runs) else len(blocks)
            b = int(blocks[lo])
            offset = b * _BLOCK
            buf = os.pread(fd, _BLOCK, offset)
            newlines = np.flatnonzero(np.frombuffer(buf, np.uint8) == 10)
            j = target[lo:hi] - before[b] - 1
            starts = (newlines[j] + 1).tolist()
            inside = j + 1 < len(newlines)
            ends = np.where(inside, newlines[np.minimum(j + 1, len(newlines) - 1)], -1).tolist()
            for start, end in zip(starts, ends, strict=True):
                if end >= 0:
                    out.append(buf[start:end])
                else:  # the line runs on into the next block
                    out.append(buf[start:] + _rest_of_line(fd, offset + len(buf)))
    return b"\n".join(out) + b"\n"


def parse_lines(data: bytes, header: Header, raw: list[str]) -> pl.DataFrame | None:
    """Lines of the file (``read_lines``) read as polars reads the whole file: every column
    as text. None when polars names the columns otherwise than ``raw`` (the pass's names)."""
    df = pl.read_csv(
        data,
        has_header=True,
        infer_schema=False,
        separator=header.separator,
        truncate_ragged_lines=False,
        raise_if_empty=False,
    )
    return df if df.columns == raw else None
