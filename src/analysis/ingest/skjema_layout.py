"""The layout of a status form (``ehelse skjema lag`` writes it, the ``skjema`` source kind
reads it back): sheet names, column headers, the ladder as the form words it, and the keys of
the hidden sheet.

It lives with ingest because the reader defines what a form is; the writer in
``analysis.tools.skjema`` follows it. Everything here is plain data and small pure functions.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from analysis.escape import slug

GUIDE_SHEET: Final = "Veiledning"
FORM_SHEET: Final = "Status"
META_SHEET: Final = "skjema_info"
FORM_VERSION: Final = "1"

# Column key -> header in the Status sheet, in the order written.
COLUMNS: Final = {
    "kommunenummer": "Kommunenummer",
    "kommune": "Kommune",
    "aktivitet": "Aktivitet",
    "trinn": "Trinn",
    "dato": "Dato for trinnet",
    "kontrollert": "Kontrollert",
    "kommentar": "Kommentar",
    "forhand_trinn": "Forhåndsutfylt trinn",
    "forhand_dato": "Forhåndsutfylt dato",
    "forhand_kilde": "Forhåndsutfylt fra",
}
REQUIRED: Final = ("kommunenummer", "aktivitet", "trinn", "dato")
HEADER_ROW: Final = 3  # 0-based row of the header: a title row and an information row above

# The ladder as the form words it (the dropdown), lowest first; the processed tables' words
# are the keys (``ikke_startet`` is an answer, not a step: no event).
NOT_STARTED: Final = "ikke_startet"
STEP_LABELS: Final = {
    NOT_STARTED: "ikke startet",
    "planlagt": "planlagt",
    "tilgjengelig": "tilgjengeliggjort",
    "i_bruk": "i bruk",
}
YES: Final = frozenset({"ja", "j", "x", "yes", "ok", "stemmer"})
NO: Final = frozenset({"nei", "n", "no"})
YES_NO: Final = ("ja", "nei")

# The hidden sheet: key-value rows, then the pre-filled values as a table.
META_KEYS: Final = (
    "skjema_id",
    "regiontype",
    "region",
    "regionnavn",
    "aar",
    "inndeling",
    "laget",
    "svarfrist",
    "kontakt",
    "syntetisk",
    "versjon",
)
PREFILL_MARK: Final = "forhandsutfylt"
PREFILL_COLUMNS: Final = ("kommunenummer", "losning", "trinn", "dato", "kilde_id")

# The information row (visible, and kept when the form is saved as CSV).
_ID = re.compile(r"Skjema-id:\s*([0-9A-Za-z][0-9A-Za-z._-]*)")
_YEAR = re.compile(r"Rapportår\s+(\d{4})")
_DIVISION = re.compile(r"kommuneinndelingen fra\s+(\d{4})")


def info_text(form_id: str, year: int, division: int, deadline: str, synthetic: bool) -> str:
    """The information row: id, report year, division and deadline, in words a person reads
    and the reader parses (``parse_info``)."""
    text = (
        f"Skjema-id: {form_id}. Rapportår {year}, kommuneinndelingen fra {division}. "
        f"Svarfrist {deadline}."
    )
    return ("SYNTETISKE EKSEMPELDATA (ikke virkelige svar). " + text) if synthetic else text


def parse_info(text: str | None) -> dict[str, str]:
    """The id, year and division an information row states (what of them it states)."""
    out: dict[str, str] = {}
    if not text:
        return out
    for key, pattern in (("skjema_id", _ID), ("aar", _YEAR), ("inndeling", _DIVISION)):
        if m := pattern.search(text):
            out[key] = m[1].rstrip(".")
    if "SYNTETISKE" in text:
        out["syntetisk"] = "ja"
    return out


def form_file_name(year: int, region: str, name: str, regiontype: str = "fylke") -> str:
    """skjema-2025-46-vestland.xlsx for a county, skjema-2025-viken.xlsx for a network."""
    part = slug(name, "region")
    if regiontype == "fylke":
        return f"skjema-{year}-{region}-{part}.xlsx"
    return f"skjema-{year}-{part}.xlsx"


def header_key(text: str | None) -> str | None:
    """The column key a header names (case, spaces and end punctuation do not count)."""
    if text is None:
        return None
    key = re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(text)).casefold()).strip(" .:*")
    for k, label in COLUMNS.items():
        if key == label.casefold():
            return k
    return None
