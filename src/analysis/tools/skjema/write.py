"""Writing one status form (.xlsx): «Veiledning», «Status» and the hidden sheet.

The workbook is a pure function of its ``FormSpec`` (and, for the example data, the answers
filled in): fixed metadata and zip dates, so the same spec gives the same bytes. Text from
data is written as text cells (never a formula); a text that would start a formula when typed
gets Excel's quote prefix (``analysis.escape.spreadsheet_text`` decides which).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from analysis.escape import slug
from analysis.fmt import format_date
from analysis.ingest import skjema_layout as lay
from analysis.tools.skjema import guide
from analysis.tools.skjema.cells import Formats as _Formats
from analysis.tools.skjema.cells import date_cell as _date
from analysis.tools.skjema.cells import text_cell as _text

EARLIEST: dt.date = dt.date(2010, 1, 1)  # the date validation's window starts here
MAX_WIDTH = 60


@dataclass(frozen=True)
class FormRow:
    """One municipality and activity, with what the tool knows (the pre-fill)."""

    kommunenummer: str
    kommunenavn: str
    losning: str
    aktivitet: str
    trinn: str | None = None  # a step (schemas.TRINN) or None
    dato: dt.date | None = None
    kilde_id: str | None = None
    kilde: str | None = None  # the source's title, as the form shows it


@dataclass(frozen=True)
class Answer:
    """A filled-in row (the example's synthetic answers): cell values as a person types them."""

    trinn: str | None = None  # the form's words ("i bruk") or a typed variant
    dato: dt.date | str | None = None
    kontrollert: str | None = None
    kommentar: str | None = None


@dataclass(frozen=True)
class FormSpec:
    regiontype: str  # fylke | nettverk
    region: str  # county number or network id
    regionnavn: str
    year: int
    division: int
    created: dt.date
    deadline: dt.date
    rows: tuple[FormRow, ...]
    contact: str = guide.DEFAULT_CONTACT
    synthetic: bool = False
    # (losning, name, counted step) in the portfolio's order, for the guide's table
    activities: tuple[tuple[str, str, str], ...] = field(default=())
    # A copy of a form sent earlier (a municipality's own part of it) keeps that form's id.
    copy_of: str | None = None

    @property
    def form_id(self) -> str:
        """Stable for the same spec: year, region, creation day and a digest of the rows."""
        if self.copy_of:
            return self.copy_of
        h = hashlib.sha256(
            repr(
                (self.regiontype, self.region, self.year, self.division, self.created, self.rows)
            ).encode("utf-8")
        ).hexdigest()
        region = slug(self.region, "region")
        return f"{self.year}-{region}-{self.created:%Y%m%d}-{h[:6]}"

    @property
    def file_name(self) -> str:
        return lay.form_file_name(self.year, self.region, self.regionnavn, self.regiontype)


def _guide_sheet(wb: Any, f: _Formats, spec: FormSpec) -> None:
    ws = wb.add_worksheet(lay.GUIDE_SHEET)
    ws.set_column(0, 0, 26)
    ws.set_column(1, 3, 42)
    ws.set_column(4, 4, 18)
    ws.set_paper(9)
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    r = 0
    ws.write_string(
        r, 0, f"Statusskjema for e-helseløsninger {spec.year} – {spec.regionnavn}", f("title")
    )
    r += 2
    if spec.synthetic:
        ws.merge_range(r, 0, r, 4, guide.SYNTHETIC, f("warn"))
        ws.set_row(r, 45)
        r += 2
    deadline = format_date(spec.deadline)
    for label, text, height in (
        ("Hva skjemaet er til", guide.PURPOSE, 75),
        ("Slik fyller du ut", guide.HOW, 120),
        ("Hvilken dato", guide.DATES, 90),
        ("Svarfrist", f"Send skjemaet tilbake innen {deadline}.", 18),
        ("Spørsmål", f"Spør {spec.contact}.", 30),
    ):
        ws.write_string(r, 0, label, f("bold_wrap"))
        _merged(ws, r, text, f, height)
        r += 1
    r += 1
    ws.write_string(r, 0, "Trinnene", f("title"))
    r += 1
    for label, text in guide.STEPS:
        ws.write_string(r, 0, label, f("bold_wrap"))
        _merged(ws, r, text, f, 30)
        r += 1
    r += 1
    ws.write_string(r, 0, "Trinnene per aktivitet", f("title"))
    r += 1
    for c, head in enumerate(("Aktivitet", "Planlagt", "Tilgjengeliggjort", "I bruk", "Telles")):
        ws.write_string(r, c, head, f("header"))
    r += 1
    for losning, name, counted in _activity_rows(spec):
        planned, available, in_use = guide.ladder(losning)
        ws.write_string(r, 0, name, f("bold_wrap"))
        for c, text in enumerate((planned, available, in_use, counted), start=1):
            ws.write_string(r, c, text, f("wrap"))
        ws.set_row(r, 62)
        r += 1
    r += 1
    ws.write_string(r, 0, "Om skjemaet", f("bold_wrap"))
    about = (
        f"Skjema-id {spec.form_id}, laget {format_date(spec.created)} for "
        f"{spec.regionnavn}, rapportåret {spec.year} og kommuneinndelingen fra {spec.division}."
    )
    _merged(ws, r, about, f, 30)


def step_words(step: str) -> str:
    """A step (or ``ikke_startet``) in the form's words, as its dropdown lists them; any
    other text as it is."""
    return lay.STEP_LABELS.get(step, step)


def _activity_rows(spec: FormSpec) -> list[tuple[str, str, str]]:
    """The guide's activities: the spec's, else those its rows name (counted step unknown)."""
    if spec.activities:
        return [(s, n, step_words(t)) for s, n, t in spec.activities]
    return [(s, n, "–") for s, n in dict.fromkeys((r.losning, r.aktivitet) for r in spec.rows)]


def _merged(ws: Any, r: int, text: str, f: _Formats, height: int) -> None:
    ws.merge_range(r, 1, r, 4, text, f("wrap"))
    ws.set_row(r, height)


def _status_sheet(
    wb: Any, f: _Formats, spec: FormSpec, answers: Mapping[tuple[str, str], Answer]
) -> None:
    ws = wb.add_worksheet(lay.FORM_SHEET)
    keys = list(lay.COLUMNS)
    widths = [len(lay.COLUMNS[k]) for k in keys]
    ws.write_string(
        0, 0, f"Statusskjema for e-helseløsninger {spec.year} – {spec.regionnavn}", f("title")
    )
    info = lay.info_text(
        spec.form_id, spec.year, spec.division, format_date(spec.deadline), spec.synthetic
    )
    ws.write_string(
        1, 0, info + " Les arket «Veiledning» først.", f("warn" if spec.synthetic else "note")
    )
    h = lay.HEADER_ROW
    for c, k in enumerate(keys):
        ws.write_string(h, c, lay.COLUMNS[k], f("header"))
    for i, row in enumerate(spec.rows):
        r = h + 1 + i
        a = answers.get((row.kommunenummer, row.losning))
        step = step_words(row.trinn) if row.trinn else None
        cells: dict[str, int] = {
            "kommunenummer": _text(ws, r, 0, row.kommunenummer, f, "locked"),
            "kommune": _text(ws, r, 1, row.kommunenavn, f, "locked"),
            "aktivitet": _text(ws, r, 2, row.aktivitet, f, "locked"),
            "trinn": _text(ws, r, 3, a.trinn if a else step, f, "answer"),
            "dato": _date(ws, r, 4, a.dato if a else row.dato, f, "answer_date"),
            "kontrollert": _text(ws, r, 5, a.kontrollert if a else None, f, "answer"),
            "kommentar": _text(ws, r, 6, a.kommentar if a else None, f, "answer_wrap"),
            "forhand_trinn": _text(ws, r, 7, step, f, "locked"),
            "forhand_dato": _date(ws, r, 8, row.dato, f, "locked_date"),
            "forhand_kilde": _text(
                ws, r, 9, row.kilde or ("–" if row.trinn is None else None), f, "locked"
            ),
        }
        for c, k in enumerate(keys):
            widths[c] = max(widths[c], cells[k])
    last = h + max(len(spec.rows), 1)
    _add_validation(ws, h + 1, last)
    for c, k in enumerate(keys):
        width = 40 if k == "kommentar" else min(MAX_WIDTH, widths[c] + 2)
        ws.set_column(c, c, max(width, 10))
    ws.set_row(h, 32)
    ws.freeze_panes(h + 1, 2)
    ws.autofilter(h, 0, last, len(keys) - 1)
    ws.protect(
        "",
        {
            "sort": True,
            "autofilter": True,
            "format_columns": True,
            "format_rows": True,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
        },
    )
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(h)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer(f"&L{_footer(spec.form_id)}&RSide &P av &N")
    ws.activate()  # «Lagre som CSV» saves this sheet


def _footer(text: str) -> str:
    return text.replace("&", "&&")


def _add_validation(ws: Any, first: int, last: int) -> None:
    step, when, checked, comment = 3, 4, 5, 6
    ws.data_validation(
        first,
        step,
        last,
        step,
        {
            "validate": "list",
            "source": list(lay.STEP_LABELS.values()),
            "input_title": "Trinn",
            "input_message": "Trinnet kommunen har nådd: ikke startet, planlagt, "
            "tilgjengeliggjort eller i bruk. Se arket Veiledning for hva trinnene betyr.",
            "error_type": "warning",
            "error_title": "Ukjent trinn",
            "error_message": "Velg ikke startet, planlagt, tilgjengeliggjort eller i bruk.",
        },
    )
    ws.data_validation(
        first,
        when,
        last,
        when,
        {
            "validate": "date",
            "criteria": "between",
            "minimum": dt.datetime.combine(EARLIEST, dt.time()),
            "maximum": "=TODAY()",
            "input_title": "Dato for trinnet",
            "input_message": "Datoen kommunen nådde trinnet (dd.mm.åååå), ikke senere enn i "
            "dag. Vet du bare måneden, skriv den første i måneden.",
            "error_title": "Ugyldig dato",
            "error_message": f"Skriv en dato fra {format_date(EARLIEST)} til i dag (dd.mm.åååå).",
        },
    )
    ws.data_validation(
        first,
        checked,
        last,
        checked,
        {
            "validate": "list",
            "source": list(lay.YES_NO),
            "input_title": "Kontrollert",
            "input_message": "Skriv ja når trinn og dato stemmer, også når du har rettet dem.",
            "error_type": "warning",
            "error_title": "Ja eller nei",
            "error_message": "Skriv ja (stemmer) eller nei.",
        },
    )
    ws.data_validation(
        first,
        comment,
        last,
        comment,
        {
            "validate": "length",
            "criteria": "<=",
            "value": 2000,
            "input_title": "Kommentar",
            "input_message": "Alt annet vi bør vite: en planlagt oppstartsdato, hvem som har "
            "svart, eller hvorfor trinnet er rettet.",
            "error_title": "For lang kommentar",
            "error_message": "Skriv høyst 2000 tegn.",
        },
    )


def _meta_sheet(wb: Any, f: _Formats, spec: FormSpec) -> None:
    ws = wb.add_worksheet(lay.META_SHEET)
    values = {
        "skjema_id": spec.form_id,
        "regiontype": spec.regiontype,
        "region": spec.region,
        "regionnavn": spec.regionnavn,
        "aar": str(spec.year),
        "inndeling": str(spec.division),
        "laget": spec.created.isoformat(),
        "svarfrist": spec.deadline.isoformat(),
        "kontakt": spec.contact,
        "syntetisk": "ja" if spec.synthetic else "nei",
        "versjon": lay.FORM_VERSION,
    }
    r = 0
    for key in lay.META_KEYS:
        ws.write_string(r, 0, key)
        _text(ws, r, 1, values[key], f, "wrap")
        r += 1
    r += 1
    ws.write_string(r, 0, lay.PREFILL_MARK)
    r += 1
    for c, k in enumerate(lay.PREFILL_COLUMNS):
        ws.write_string(r, c, k)
    for row in spec.rows:
        r += 1
        ws.write_string(r, 0, row.kommunenummer)
        ws.write_string(r, 1, row.losning)
        if row.trinn:
            ws.write_string(r, 2, row.trinn)
        if row.dato:
            ws.write_string(r, 3, row.dato.isoformat())
        if row.kilde_id:
            _text(ws, r, 4, row.kilde_id, f, "wrap")
    ws.hide()


def write_form(spec: FormSpec, answers: Mapping[tuple[str, str], Answer] | None = None) -> bytes:
    """The form as .xlsx bytes; ``answers`` (by kommunenummer and losning) fill it in."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    wb.set_properties(
        {
            "title": f"Statusskjema {spec.year} – {spec.regionnavn}",
            "subject": "Status for kommunenes innføring av nasjonale e-helseløsninger",
            "author": "e-helsestatus (ehelse skjema lag)",
            "comments": ("SYNTETISKE EKSEMPELDATA. " if spec.synthetic else "") + spec.form_id,
            "created": dt.datetime.combine(spec.created, dt.time()),
        }
    )
    f = _Formats(wb)
    _guide_sheet(wb, f, spec)
    _status_sheet(wb, f, spec, answers or {})
    _meta_sheet(wb, f, spec)
    wb.close()
    return buf.getvalue()


def prefill_counts(rows: Sequence[FormRow]) -> dict[str, int]:
    """How many rows are pre-filled with a step, for the command's summary."""
    return {
        "rader": len(rows),
        "forhandsutfylt": sum(r.trinn is not None for r in rows),
        "kommuner": len({r.kommunenummer for r in rows}),
    }
