"""Read the tables users really get: CSV in UTF-8 (with or without BOM) or Windows-1252,
separated by ``;``, ``,`` or tab, and Excel workbooks with title rows above the header.

Every cell is read as text so that nothing is lost before validation (a code like ``0301``
keeps its zero, ``301.0`` from Excel becomes ``301``); the caller parses what it needs.
``ROW`` holds each row's line or row number in the file, for error messages and rejects.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import polars as pl

ROW = "_rad"
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
HEADER_SCAN_ROWS = 30


class ReadError(ValueError):
    """A file that cannot be read as a table; the message names the file."""


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 (BOM or not), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise ReadError(f"{path}: ukjent tegnkoding (verken UTF-8 eller Windows-1252)") from exc


def sniff_delimiter(text: str) -> str:
    """The separator of the header line: the most frequent of ``;``, tab and ``,``."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path) -> pl.DataFrame:
    data = path.read_bytes()
    if not data.strip():
        raise ReadError(f"{path}: filen er tom")
    text, _ = decode(data, path)
    delim = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    for row in reader:
        if header is None:
            if not any(cell.strip() for cell in row):
                continue
            header = [cell.strip() for cell in row]
            continue
        if not any(cell.strip() for cell in row):
            continue
        rows.append((reader.line_num, row))
    if header is None:
        raise ReadError(f"{path}: fant ingen overskriftsrad")
    return _frame(path, header, rows)


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _header_row(rows: list[list[str | None]]) -> int:
    """Index of the header: the first row as wide as the table, all text (titles are narrow)."""
    widths = [sum(c is not None for c in r) for r in rows[:HEADER_SCAN_ROWS]]
    if not widths or max(widths) == 0:
        return -1
    widest = max(widths)
    for i, r in enumerate(rows[:HEADER_SCAN_ROWS]):
        cells = [c for c in r if c is not None]
        if len(cells) >= max(2, 0.6 * widest) and not all(_is_number(c) for c in cells):
            return i
    return widths.index(widest)


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def _read_excel(path: Path, sheet: str | None) -> pl.DataFrame:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise ReadError(f"{path}: kan ikke åpnes som Excel-fil ({type(exc).__name__})") from exc
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise ReadError(f"{path}: fant ikke arket {sheet!r}; arkene er {wb.sheetnames}")
        ws = wb[sheet] if sheet else wb.worksheets[0]
        rows = [[_cell_text(v) for v in r] for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    h = _header_row(rows)
    if h < 0:
        raise ReadError(f"{path}: arket er tomt")
    header = [c or "" for c in rows[h]]
    width = max(i + 1 for i, c in enumerate(header) if c) if any(header) else 0
    header = header[:width]
    body = [
        (h + 2 + i, [c or "" for c in r[:width]])
        for i, r in enumerate(rows[h + 1 :])
        if any(c is not None for c in r[:width])
    ]
    return _frame(path, header, body)


def _frame(path: Path, header: list[str], rows: list[tuple[int, list[str]]]) -> pl.DataFrame:
    names: list[str] = []
    for i, name in enumerate(header):
        name = name.strip() or f"kolonne_{i + 1}"
        while name in names:
            name = f"{name}_"
        names.append(name)
    width = len(names)
    columns: dict[str, list[str | None]] = {n: [] for n in names}
    line_numbers: list[int] = []
    for line, row in rows:
        if len(row) > width and any(c.strip() for c in row[width:]):
            raise ReadError(
                f"{path}, rad {line}: {len(row)} felt, men overskriften har {width} kolonner"
            )
        padded = [*row[:width], *[""] * (width - len(row))]
        for n, cell in zip(names, padded, strict=True):
            columns[n].append(cell.strip() or None)
        line_numbers.append(line)
    df = pl.DataFrame(columns, schema={n: pl.String for n in names})
    return df.with_columns(pl.Series(ROW, line_numbers, dtype=pl.Int64))


def read_table(path: Path | str, sheet: str | None = None) -> pl.DataFrame:
    """Read a CSV or Excel file into all-text columns plus ``ROW``; raise ReadError if unusable."""
    path = Path(path)
    if not path.exists():
        raise ReadError(f"{path}: filen finnes ikke")
    if path.is_dir():
        raise ReadError(f"{path}: er en mappe, ikke en fil")
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, sheet)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path)
    raise ReadError(f"{path}: ukjent filtype {suffix!r} (bruk .csv, .tsv eller .xlsx)")
