"""A result table written as the file a person asked for: CSV, CSV for Excel, or a real .xlsx.

The file name decides: ``.xlsx`` is an Excel workbook (openpyxl), anything else CSV. Plain CSV
is UTF-8 with commas and ISO dates, for programs. CSV for Excel (asked for with ``excel_csv``)
has a byte order mark, semicolons, decimal commas and dates as dd.mm.åååå, which a Norwegian
Excel opens in columns with the letters intact. In a workbook and in CSV for Excel a text cell
that would start a formula is escaped (``analysis.escape.spreadsheet_text``). Files are
written atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import polars as pl

from analysis import _io
from analysis.errors import EhelseError
from analysis.escape import spreadsheet_expr, spreadsheet_text

Kind = Literal["csv", "excel-csv", "xlsx"]
NOT_WRITTEN = (".xls", ".xlsm", ".xlsb", ".ods", ".numbers")


class TableFileError(EhelseError, ValueError):
    """The file name and the options ask for a file this tool cannot write (one line)."""


def file_kind(path: Path | str, excel_csv: bool = False) -> Kind:
    """The kind of file ``path`` asks for; ``excel_csv`` picks CSV for Excel over plain CSV."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        if excel_csv:
            raise TableFileError(f"{path}: --excel-csv gjelder CSV-filer, ikke .xlsx")
        return "xlsx"
    if suffix in NOT_WRITTEN:
        raise TableFileError(f"{path}: kan ikke skrive {suffix}-filer; bruk .xlsx eller .csv")
    return "excel-csv" if excel_csv else "csv"


def _excel_csv_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Texts escaped, decimals with a comma and dates as dd.mm.åååå, as Excel reads them."""
    out = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if dtype == pl.String:
            out.append(spreadsheet_expr(name))
        elif dtype.is_float():
            out.append(col.cast(pl.String).str.replace(".", ",", literal=True))
        elif dtype == pl.Date:
            out.append(col.dt.strftime("%d.%m.%Y"))
        elif dtype == pl.Boolean:
            out.append(pl.when(col).then(pl.lit("ja")).otherwise(pl.lit("nei")).alias(name))
        elif isinstance(dtype, pl.List):
            out.append(col.cast(pl.List(pl.String)).list.join(", ").alias(name))
        else:
            out.append(col)
    return df.select(out)


def _sheet_cell(value: Any) -> Any:
    if isinstance(value, str):
        return spreadsheet_text(value)
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, list):
        return spreadsheet_text(", ".join(str(v) for v in value if v is not None))
    return value


def _write_xlsx(tmp: Path, df: pl.DataFrame, sheet: str, notes: Sequence[str]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet[:31]
    for note in notes:  # title rows above the header (what the table is, synthetic data)
        ws.append([spreadsheet_text(note)])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    header_row = ws.max_row + 1 if notes else 1
    ws.append([spreadsheet_text(c) for c in df.columns])
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    widths = [len(c) for c in df.columns]
    kinds = list(df.schema.values())
    for row in df.iter_rows():
        ws.append([_sheet_cell(v) for v in row])
        for i, v in enumerate(row):
            widths[i] = max(widths[i], 10 if isinstance(v, date) else len(str(v or "")))
    for i, dtype in enumerate(kinds, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = min(60, max(8, widths[i - 1] + 2))
        if dtype in (pl.Date, pl.Datetime):
            fmt = "dd.mm.yyyy" if dtype == pl.Date else "dd.mm.yyyy hh:mm"
            for (cell,) in ws.iter_rows(
                min_row=header_row + 1, min_col=i, max_col=i, max_row=ws.max_row
            ):
                if isinstance(cell.value, date | datetime):
                    cell.number_format = fmt
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    if df.height and df.width:
        last = get_column_letter(df.width)
        ws.auto_filter.ref = f"A{header_row}:{last}{header_row + df.height}"
    wb.save(tmp)


def write_table(
    path: Path | str,
    df: pl.DataFrame,
    kind: Kind,
    *,
    sheet: str = "Data",
    notes: Sequence[str] = (),
) -> Path:
    """Write ``df`` to ``path`` as ``kind``; ``notes`` become title rows above the header in
    a workbook (CSV files keep the header on the first line, for programs)."""
    if kind == "xlsx":
        return _io.write_file(path, lambda tmp: _write_xlsx(tmp, df, sheet, notes))
    if kind == "excel-csv":
        frame = _excel_csv_frame(df)
        return _io.write_file(
            path, lambda tmp: frame.write_csv(tmp, separator=";", include_bom=True)
        )
    return _io.write_file(path, lambda tmp: df.write_csv(tmp, date_format="%Y-%m-%d"))


def read_xlsx_rows(path: Path | str) -> list[list[Any]]:
    """Every row of a workbook's first sheet as values (for checks and tests)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return rows
