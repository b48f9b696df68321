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
import re
import stat
from pathlib import Path

import polars as pl

from analysis.errors import EhelseError

ROW = "_rad"
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
HEADER_SCAN_ROWS = 30


# A UTF-8 sequence for a letter beyond ASCII (æ, ø, å are two bytes: C3 A6, C3 B8, C3 A5).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_UTF16_BOMS = {b"\xff\xfe": "UTF-16 (little endian)", b"\xfe\xff": "UTF-16 (big endian)"}


class ReadError(EhelseError, ValueError):
    """A file that cannot be read as a table; the message names the file."""


def file_problem(path: Path) -> str | None:
    """Why ``path`` is not a regular file we can read, in words (None: it is one).

    Reading a FIFO would wait forever and a device never ends, so they are named before any
    read, as what they are.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "filen finnes ikke"
    except OSError as exc:
        return f"kan ikke leses ({exc.strerror or type(exc).__name__})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "er en mappe, ikke en fil"
    if stat.S_ISFIFO(mode):
        return "er et navngitt rør (FIFO), ikke en vanlig fil"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "er en enhetsfil, ikke en vanlig fil"
    if stat.S_ISSOCK(mode):
        return "er en socket, ikke en vanlig fil"
    return "er ikke en vanlig fil"


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset."""
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, col


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 (BOM or not), else Windows-1252.

    A file that is mostly UTF-8 but has a byte that is not is an error naming the byte's line
    and column: decoding it all as Windows-1252 would turn every æ, ø and å into mojibake.
    UTF-16 (and any file with NUL characters) is named as an encoding, not misread.
    """
    for bom, name in _UTF16_BOMS.items():
        if data.startswith(bom):
            raise ReadError(
                f"{path}: filen er kodet som {name}; lagre den som UTF-8 (CSV UTF-8) "
                "eller Windows-1252"
            )
    if b"\x00" in data:
        line, col = _line_col(data, data.index(b"\x00"))
        raise ReadError(
            f"{path}, linje {line}, kolonne {col}: NUL-tegn i filen (UTF-16 uten BOM eller en "
            "binærfil); lagre den som UTF-8"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        body, encoding = data[3:], "utf-8-sig"
    else:
        body, encoding = data, "utf-8"
    try:
        return body.decode("utf-8"), encoding
    except UnicodeDecodeError as exc:
        valid = len(_UTF8_MULTIBYTE.findall(body))
        invalid = body.decode("utf-8", errors="replace").count("\ufffd")
        if encoding == "utf-8-sig" or valid > invalid:
            offset = exc.start + len(data) - len(body)
            line, col = _line_col(data, offset)
            raise ReadError(
                f"{path}, linje {line}, kolonne {col}: byten 0x{data[offset]:02x} er ikke "
                "gyldig UTF-8 i en fil som ellers er UTF-8 (et tegn fra en annen tegnkoding?); "
                "rett tegnet og lagre filen som UTF-8"
            ) from None
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


def _swallowed(path: Path, header: list[str], row: list[str], first: int, delim: str) -> None:
    """A quoted cell that spans lines and holds whole rows: a stray quote, not a line break.

    csv reads from an unbalanced opening quote to the next quote (or the end of the file), so
    the rows in between vanish into one cell. A real line break in a cell holds text, not
    rows: a line inside the cell with as many separators as a row needs gives it away.
    """
    need = max(1, len(header) - 1)
    for i, cell in enumerate(row):
        lines = _LINE_BREAK.split(cell)
        if len(lines) > 1 and any(line.count(delim) >= need for line in lines[1:]):
            column = header[i] if i < len(header) else f"kolonne {i + 1}"
            raise ReadError(
                f"{path}, rad {first}, kolonne {column!r}: et anførselstegn som aldri lukkes "
                f"slår sammen {len(lines)} linjer til én celle; rett anførselstegnet"
            )


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _read_csv(path: Path) -> pl.DataFrame:
    data = path.read_bytes()
    if not data.strip():
        raise ReadError(f"{path}: filen er tom")
    text, _ = decode(data, path)
    delim = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    consumed = 0  # physical lines the reader has taken so far
    blank = 0  # blank lines after the header
    header_line = 0
    try:
        for row in reader:
            first, consumed = consumed + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                blank += header is not None
                continue
            if header is None:
                header = [cell.strip() for cell in row]
                header_line = consumed
                continue
            _swallowed(path, header, row, first, delim)
            rows.append((consumed, row))
    except csv.Error as exc:
        raise ReadError(
            f"{path}, linje {reader.line_num + 1}: kan ikke leses som CSV ({exc})"
        ) from None
    if header is None:
        raise ReadError(f"{path}: fant ingen overskriftsrad")
    # The file's own count: physical lines after the header are the rows read, the blank
    # lines skipped and the line breaks inside quoted cells, nothing else.
    breaks = len(_LINE_BREAK.findall(text))
    physical = breaks + (0 if _LINE_BREAK.search(text[-2:]) else 1) - header_line
    inside = sum(len(_LINE_BREAK.split(c)) - 1 for _, r in rows for c in r)
    if physical != len(rows) + blank + inside:
        raise ReadError(
            f"{path}: {physical} linjer etter overskriften, men {len(rows)} rader lest "
            f"({blank} tomme linjer, {inside} linjeskift i celler); filen kan ikke leses sikkert"
        )
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


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _sheet_has_data(ws: object) -> bool:
    rows = getattr(ws, "iter_rows", None)
    if rows is None:  # a chart sheet
        return False
    return any(v is not None for r in rows(values_only=True) for v in r)


def _formulas(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """(row, column) -> formula text, for every formula cell of the sheet (0-based)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=False)
    try:
        return {
            (i, j): v
            for i, r in enumerate(wb[sheet].iter_rows(values_only=True))
            for j, v in enumerate(r)
            if isinstance(v, str) and v.startswith("=")
        }
    finally:
        wb.close()


def _read_excel(path: Path, sheet: str | None) -> pl.DataFrame:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise ReadError(f"{path}: kan ikke åpnes som Excel-fil ({type(exc).__name__})") from exc
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise ReadError(f"{path}: fant ikke arket {sheet!r}; arkene er {wb.sheetnames}")
        if sheet is None:
            # Only one sheet may hold data unless the catalogue says which one is meant.
            with_data = [n for n in wb.sheetnames if _sheet_has_data(wb[n])]
            if len(with_data) > 1:
                raise ReadError(
                    f"{path}: arbeidsboken har {len(with_data)} ark med data "
                    f"({', '.join(repr(n) for n in with_data)}); bare ett blir lest, så velg "
                    "arket med sheet: i sources.yaml"
                )
            sheet = with_data[0] if with_data else wb.sheetnames[0]
        raw_rows = list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()
    rows = [[_cell_text(v) for v in r] for r in raw_rows]
    h = _header_row(rows)
    if h < 0:
        raise ReadError(f"{path}: arket er tomt")
    where = f"{path}, arket {sheet!r}"
    # A formula saved without its computed value (files written by programs, not by Excel)
    # reads as empty: the value is unknown, so the file cannot be read as it stands.
    missing = [(i, j) for i, r in enumerate(raw_rows) for j, v in enumerate(r) if v is None]
    if missing:
        formulas = _formulas(path, sheet)
        lost = [(i, j) for i, j in missing if (i, j) in formulas]
        if lost:
            i, j = lost[0]
            raise ReadError(
                f"{where}, rad {i + 1}, kolonne {_column_letter(j)}: formelen {formulas[(i, j)]!r} "
                f"har ingen lagret verdi ({len(lost)} slike celler); åpne filen i Excel og lagre "
                "den, så verdiene blir lagret"
            )
    header = [c or "" for c in rows[h]]
    width = max(i + 1 for i, c in enumerate(header) if c) if any(header) else 0
    header = header[:width]
    body: list[tuple[int, list[str]]] = []
    for i, r in enumerate(rows[h + 1 :]):
        line = h + 2 + i
        beyond = [j for j, c in enumerate(r[width:], start=width) if c is not None]
        if beyond:
            raise ReadError(
                f"{where}, rad {line}, kolonne {_column_letter(beyond[0])}: verdien "
                f"{r[beyond[0]]!r} står til høyre for siste overskrift "
                f"({_column_letter(width - 1)} {header[-1]!r}); gi kolonnen en overskrift "
                "eller flytt verdien"
            )
        if any(c is not None for c in r[:width]):
            body.append((line, [c or "" for c in r[:width]]))
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
    problem = file_problem(path)
    if problem:
        raise ReadError(f"{path}: {problem}")
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, sheet)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path)
    raise ReadError(f"{path}: ukjent filtype {suffix!r} (bruk .csv, .tsv eller .xlsx)")
