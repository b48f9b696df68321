"""Reading a returned status form as users really return it: the workbook as written, saved
again by Excel or LibreOffice, with rows sorted or filtered, columns widened or moved, the
hidden sheet deleted, or the Status sheet saved as CSV.

The form is found by its header row (the columns are matched by their headers, not their
places); the hidden sheet gives the form's id, region, year, division and pre-filled values.
Without it the information row above the header still names the id, year and division, and
the visible pre-filled columns stand in for the hidden values.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.ingest import skjema_layout as lay
from analysis.ingest.readers import (
    CSV_SUFFIXES,
    EXCEL_SUFFIXES,
    HEADER_SCAN_ROWS,
    ReadError,
    decode,
    file_problem,
)


class FormError(ReadError):
    """A file that is not a status form (or cannot be read as one); one line."""


@dataclass(frozen=True)
class Prefill:
    trinn: str | None  # a step, or ikke_startet, or None (nothing known)
    dato: str | None  # ISO date
    kilde_id: str | None = None


@dataclass
class FormFile:
    """One returned form: its stated facts, its rows (row number -> cells by column key) and
    what was pre-filled, by (kommunenummer, losning or activity text)."""

    path: Path
    saved_as: str  # "xlsx" or "csv"
    meta: dict[str, str] | None  # the hidden sheet's key-value rows (None: the sheet is gone)
    info: dict[str, str]  # what the information row states
    headers: dict[str, str]  # column key -> header as the file has it
    extra: list[str]  # headers of columns the form does not have (kept in rejects)
    rows: list[tuple[int, dict[str, str | None]]]
    prefill: dict[tuple[str, str], Prefill] | None = None
    sheet: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def form_id(self) -> str | None:
        return (self.meta or {}).get("skjema_id") or self.info.get("skjema_id")


def _form_cell_text(value: Any) -> str | None:
    """A form cell as the text a person typed: a ticked box is «ja», a date cell its day."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _header_index(rows: list[list[str | None]]) -> int:
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        keys = {lay.header_key(c) for c in row}
        if {"kommunenummer", "aktivitet"} <= keys:
            return i
    return -1


def _parse_sheet(
    path: Path, rows: list[tuple[int, list[str | None]]], where: str
) -> tuple[dict[str, str], list[str], list[tuple[int, dict[str, str | None]]], dict[str, str]]:
    """Headers, extra headers, body rows by key and the information row, from sheet rows."""
    plain = [r for _, r in rows]
    h = _header_index(plain)
    if h < 0:
        raise FormError(
            f"{where}: er ikke et statusskjema (fant ingen overskriftsrad med "
            f"«{lay.COLUMNS['kommunenummer']}» og «{lay.COLUMNS['aktivitet']}»); lag skjemaet "
            "med `ehelse skjema lag`"
        )
    header = plain[h]
    positions: dict[str, int] = {}
    extra: list[str] = []
    for j, cell in enumerate(header):
        key = lay.header_key(cell)
        if key is None:
            if cell:
                extra.append(cell)
            continue
        if key in positions:
            raise FormError(f"{where}: kolonnen «{cell}» står to ganger i overskriftsraden")
        positions[key] = j
    missing = [lay.COLUMNS[k] for k in lay.REQUIRED if k not in positions]
    if missing:
        raise FormError(
            f"{where}: skjemaet mangler kolonnen {', '.join(f'«{m}»' for m in missing)}; "
            "bruk skjemaet slik det ble sendt ut"
        )
    extra_pos = {c: j for j, c in enumerate(header) if c in extra}
    body: list[tuple[int, dict[str, str | None]]] = []
    for line, r in rows[h + 1 :]:
        if not any(c is not None for c in r):
            continue
        cells = {k: (r[j] if j < len(r) else None) for k, j in positions.items()}
        cells |= {f"+{c}": (r[j] if j < len(r) else None) for c, j in extra_pos.items()}
        body.append((line, cells))
    info: dict[str, str] = {}
    for r in plain[:h]:
        for c in r:
            info |= lay.parse_info(c)
    headers = {k: str(header[j]) for k, j in positions.items()}
    return headers, extra, body, info


def _read_meta(
    rows: list[list[str | None]],
) -> tuple[dict[str, str], dict[tuple[str, str], Prefill]]:
    meta: dict[str, str] = {}
    prefill: dict[tuple[str, str], Prefill] = {}
    in_table = False
    for r in rows:
        cells = [*r, None, None, None, None, None][:5]
        if not in_table:
            if cells[0] == lay.PREFILL_MARK:
                in_table = True
                continue
            if cells[0] in lay.META_KEYS:
                meta[str(cells[0])] = cells[1] or ""
            continue
        if cells[0] == "kommunenummer" or not cells[0] or not cells[1]:
            continue
        prefill[(str(cells[0]), str(cells[1]))] = Prefill(cells[2], cells[3], cells[4])
    return meta, prefill


def _with_typed_formulas(
    path: Path, sheet: str, rows: list[tuple[int, list[str | None]]]
) -> list[tuple[int, list[str | None]]]:
    """A cell a person typed as a formula («=vedtatt i kommunestyret») and that was saved
    without a value is read as the text typed, never evaluated and never lost."""
    from openpyxl import load_workbook

    if not any(v is None for _, r in rows for v in r):
        return rows
    wb = load_workbook(path, read_only=True, data_only=False)
    try:
        typed = {
            (i, j): v
            for i, r in enumerate(wb[sheet].iter_rows(values_only=True), start=1)
            for j, v in enumerate(r)
            if isinstance(v, str) and v.startswith("=")
        }
    finally:
        wb.close()
    if not typed:
        return rows
    return [
        (i, [typed.get((i, j), v) if v is None else v for j, v in enumerate(r)]) for i, r in rows
    ]


def _read_xlsx(path: Path) -> FormFile:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise FormError(f"{path}: kan ikke åpnes som Excel-fil ({type(exc).__name__})") from exc
    try:
        meta = prefill = None
        if lay.META_SHEET in wb.sheetnames:
            meta_rows = [
                [_form_cell_text(v) for v in r]
                for r in wb[lay.META_SHEET].iter_rows(values_only=True)
            ]
            meta, prefill = _read_meta(meta_rows)
        candidates = [lay.FORM_SHEET] if lay.FORM_SHEET in wb.sheetnames else []
        candidates += [n for n in wb.sheetnames if n not in (lay.FORM_SHEET, lay.META_SHEET)]
        found: tuple[str, list[tuple[int, list[str | None]]]] | None = None
        for name in candidates:
            ws = wb[name]
            if not hasattr(ws, "iter_rows"):
                continue  # a chart sheet
            rows = [
                (i, [_form_cell_text(v) for v in r])
                for i, r in enumerate(ws.iter_rows(values_only=True), start=1)
            ]
            if _header_index([r for _, r in rows]) >= 0:
                found = (name, rows)
                break
    finally:
        wb.close()
    if found is None:
        raise FormError(
            f"{path}: er ikke et statusskjema (ingen ark har overskriftsraden med "
            f"«{lay.COLUMNS['kommunenummer']}» og «{lay.COLUMNS['aktivitet']}»); lag skjemaet "
            "med `ehelse skjema lag`"
        )
    sheet, rows = found
    rows = _with_typed_formulas(path, sheet, rows)
    headers, extra, body, info = _parse_sheet(path, rows, f"{path}, arket {sheet!r}")
    return FormFile(path, "xlsx", meta, info, headers, extra, body, prefill, sheet)


def _read_form_csv(path: Path) -> FormFile:
    data = path.read_bytes()
    if not data.strip():
        raise FormError(f"{path}: filen er tom")
    text, _ = decode(data, path)
    lines = text.splitlines()
    header_line = next(
        (
            line
            for line in lines[:HEADER_SCAN_ROWS]
            if lay.COLUMNS["kommunenummer"].casefold() in line.casefold()
        ),
        "",
    )
    counts = {d: header_line.count(d) for d in (";", "\t", ",")}
    delim = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    rows: list[tuple[int, list[str | None]]] = []
    consumed = 0
    try:
        for row in reader:
            first, consumed = consumed + 1, reader.line_num
            rows.append((first, [c.strip() or None for c in row]))
    except csv.Error as exc:
        raise FormError(
            f"{path}, linje {reader.line_num + 1}: kan ikke leses som CSV ({exc})"
        ) from None
    headers, extra, body, info = _parse_sheet(path, rows, str(path))
    return FormFile(path, "csv", None, info, headers, extra, body, None, None)


def read_form(path: Path | str) -> FormFile:
    """A returned form (xlsx or csv); FormError (one line) if it cannot be one."""
    path = Path(path)
    problem = file_problem(path)
    if problem:
        raise FormError(f"{path}: {problem}")
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        form = _read_xlsx(path)
    elif suffix in CSV_SUFFIXES:
        form = _read_form_csv(path)
    else:
        raise FormError(f"{path}: ukjent filtype {suffix!r} for et skjema (bruk .xlsx eller .csv)")
    if form.meta is None:
        how = "lagret som CSV" if form.saved_as == "csv" else "det skjulte arket er slettet"
        form.warnings.append(
            f"{path.name}: {how}; svarene er koblet på kommunenummer, og forhåndsutfyllingen er "
            "lest fra de synlige kolonnene"
        )
    return form
