"""`ehelse skjema inn`: catalogue returned forms in data/raw/sources.yaml.

Each file is read as a form first (so a file that is not one is refused before the catalogue
changes), copied into data/raw/skjema/ when it lies elsewhere, and gets one entry of kind
``skjema`` with its sha256, the report year it was made for and the day it was received.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis import _io, catalogue_edit, config
from analysis.errors import EhelseError
from analysis.escape import slug
from analysis.ingest.common import sha256_of
from analysis.ingest.skjema_read import FormError, FormFile, read_form

FORMS_SUBDIR = "skjema"


class RegisterError(EhelseError, ValueError):
    """A returned form cannot be catalogued (one line)."""


@dataclass(frozen=True)
class Registered:
    id: str
    path: Path  # inside the raw folder
    form: FormFile
    entry: dict[str, Any]


def _place(file: Path, raw: Path) -> Path:
    """The form's place under raw/skjema/ (copied there when it lies elsewhere)."""
    folder = raw / FORMS_SUBDIR
    try:
        if file.resolve().is_relative_to(raw.resolve()):
            return file
    except OSError:
        pass
    target = folder / file.name
    if target.exists() and sha256_of(target) != sha256_of(file):
        raise RegisterError(
            f"{target}: det finnes alt en annen fil med samme navn; gi skjemaet et annet navn"
        )
    try:
        _io.output_folder(folder)
        shutil.copyfile(file, target)
    except OSError as exc:
        raise RegisterError(f"{target}: kan ikke kopiere skjemaet ({_io.describe(exc)})") from None
    return target


def entry_for(path: Path, raw: Path, form: FormFile, received: dt.date) -> dict[str, Any]:
    meta = form.meta or {}
    region = meta.get("regionnavn") or meta.get("region") or "ukjent region"
    year = meta.get("aar") or form.info.get("aar")
    synthetic = (meta.get("syntetisk") or form.info.get("syntetisk")) == "ja"
    rel = path.resolve().relative_to(raw.resolve()).as_posix()
    entry: dict[str, Any] = {
        "id": "skjema_" + slug(path.stem, "region").replace("-", "_"),
        "path": rel,
        "kind": "skjema",
        "title": ("Eksempeldata (syntetisk): " if synthetic else "")
        + f"Statusskjema {year or ''} – {region}, returnert".replace("  ", " "),
        "producer": f"Kommunene i {region} (svar på statusskjema fra KS)",
        "url": f"ehelse skjema lag, skjema-id {form.form_id or 'ukjent'}",
        "date_accessed": received.isoformat(),
        "license": "Svar fra kommunene til KS",
        "synthetic": synthetic,
        "sha256": sha256_of(path),
    }
    if year and year.isdigit():
        entry["form_year"] = int(year)
    if form.warnings:
        entry["note"] = "; ".join(form.warnings)
    return entry


def register_forms(
    files: Sequence[Path],
    raw: Path | None = None,
    received: dt.date | None = None,
) -> list[Registered]:
    """Catalogue returned forms; the catalogue is changed only when every file is a form."""
    raw = raw or config.RAW_DIR
    catalogue = raw / "sources.yaml"
    if not catalogue.is_file():
        raise RegisterError(f"{catalogue}: kildekatalogen finnes ikke")
    received = received or dt.date.today()
    done: list[Registered] = []
    for file in files:
        file = Path(file)
        try:
            form = read_form(file)
        except FormError as exc:
            raise RegisterError(str(exc)) from None
        path = _place(file, raw)
        entry = entry_for(path, raw, form, received)
        done.append(Registered(entry["id"], path, form, entry))
    ids = [r.id for r in done]
    if len(set(ids)) != len(ids):
        raise RegisterError("to av filene får samme id i katalogen; gi dem ulike navn")
    text = catalogue.read_text(encoding="utf-8")
    try:
        new = catalogue_edit.replace_entries(text, [r.entry for r in done])
        _io.replace_file(catalogue, new)
    except OSError as exc:
        raise RegisterError(
            f"{catalogue}: kan ikke skrive katalogen ({_io.describe(exc)})"
        ) from None
    return done
