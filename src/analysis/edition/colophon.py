"""The publication's own facts: publication date, colophon, «Siteres som», version and errata.

The report's front page and its last chapter read these. The publisher, contact and the
address of the accessibility statement are the document's front matter
(report/ehelse-status.py), so KS edits them without touching code; the corrections are data
(data/raw/errata.csv, catalogued in sources.yaml as ``kind: errata``).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import polars as pl

from analysis import config
from analysis.edition.blocks import Block, TableBlock, Text
from analysis.edition.params import Edition, EditionError
from analysis.escape import markdown_link
from analysis.escape import markdown_text as md
from analysis.fmt import date_text

ENV_PUBLISHED: Final = "EHELSE_PUBLISHED"
ERRATA_KIND: Final = "errata"
ERRATA_COLUMNS: Final = ("aar", "fylke", "versjon", "dato", "hvor", "feil", "rettelse")
FIRST_VERSION: Final = "1.0"
PUBLISHER: Final = "KS"
TITLE: Final = "Status for kommunenes innføring av nasjonale e-helseløsninger"
CONTACT: Final = "KS, www.ks.no"
ACCESSIBILITY: Final = "https://uustatus.no"


class ErrataError(EditionError):
    """The errata file cannot be read (one line naming file, row and column)."""


@dataclass(frozen=True)
class Colophon:
    """What the front page says about the publication. ``published`` is the date set with
    ``--publisert``; without it, ``built`` is the date the file was made, and the front page
    says so rather than calling it a publication date."""

    title: str
    edition_text: str  # "Nasjonal utgave" / "Regional utgave for Trøndelag"
    publisher: str
    contact: str
    version: str
    software_version: str | None
    published: date | None
    built: date
    next_edition: str
    accessibility_url: str
    corrections: int

    @property
    def date_line(self) -> str:
        if self.published is not None:
            return f"Publisert {date_text(self.published)}"
        return f"Laget {date_text(self.built)} (ingen publiseringsdato er satt)"

    @property
    def year(self) -> int:
        return (self.published or self.built).year

    @property
    def cite_as(self) -> str:
        """An author-date reference to this edition and version."""
        return (
            f"{self.publisher} ({self.year}). {self.title}. {self.edition_text}, versjon "
            f"{self.version}. {self.publisher}."
        )

    def lines(self) -> list[tuple[str, str]]:
        """The colophon as (label, text) pairs, in the order the front page shows them."""
        out = [
            ("Utgiver", self.publisher),
            ("Kontakt", self.contact),
            ("Utgave", f"{self.edition_text}, versjon {self.version}"),
            ("Dato", self.date_line),
            ("Siteres som", self.cite_as),
            ("Neste utgave", self.next_edition),
            ("Tilgjengelighet", f"Tilgjengelighetserklæring: {self.accessibility_url}"),
        ]
        if self.corrections:
            out.insert(3, ("Rettelser", f"{self.corrections} (se «Rettelser» bakerst)"))
        if self.software_version:
            out.append(
                ("Produksjon", f"Laget med KS' statusverktøy, versjon {self.software_version}")
            )
        return out


def document_front(path: Path | None = None) -> dict[str, Any]:
    """The front matter of the report's document (report/ehelse-status.py): its first
    markdown cell, YAML between ---, as Quarto reads it."""
    import re

    import yaml

    doc = path or config.REPORT_DIR / "ehelse-status.py"
    m = re.match(r"\s*# %% \[markdown\]\n# ---\n(.*?)\n# ---\n", doc.read_text("utf-8"), re.S)
    if not m:
        return {}
    body = "\n".join(re.sub(r"^# ?", "", line) for line in m.group(1).splitlines())
    data = yaml.safe_load(body) or {}
    return data if isinstance(data, dict) else {}


def published_date(value: date | str | None = None) -> date | None:
    """The publication date given (``--publisert``), else EHELSE_PUBLISHED, else none."""
    raw = value if value is not None else os.environ.get(ENV_PUBLISHED) or None
    if raw is None or isinstance(raw, date):
        return raw
    text = str(raw).strip()
    try:
        if len(text) == 10 and text[2] == "." and text[5] == ".":  # 31.12.2023
            return date(int(text[6:]), int(text[3:5]), int(text[:2]))
        return date.fromisoformat(text)
    except ValueError:
        raise EditionError(
            f"--publisert: {raw!r} er ikke en dato (DD.MM.ÅÅÅÅ eller ÅÅÅÅ-MM-DD)"
        ) from None


def errata_path() -> Path | None:
    """The catalogued errata file (``kind: errata`` in sources.yaml), if there is one."""
    from analysis.safe_yaml import load_yaml

    catalogue = config.RAW_DIR / "sources.yaml"
    if not catalogue.is_file():
        return None
    data = load_yaml(catalogue) or {}
    for entry in data.get("sources") or []:
        if isinstance(entry, dict) and entry.get("kind") == ERRATA_KIND and entry.get("path"):
            return config.RAW_DIR / str(entry["path"])
    return None


def read_errata(path: Path | None) -> pl.DataFrame:
    """The corrections, one row each: edition year (``aar``), county (empty: every edition
    of the year), the version that corrects it, the date, where, what was wrong and what is
    right. An empty file with its header means no corrections."""
    schema = dict.fromkeys(ERRATA_COLUMNS, pl.String)
    if path is None or not path.is_file():
        return pl.DataFrame(schema=schema)
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ERRATA_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ErrataError(f"{path}: mangler kolonnene {', '.join(missing)}")
        rows = []
        for n, row in enumerate(reader, start=2):
            clean = {c: (row.get(c) or "").strip() for c in ERRATA_COLUMNS}
            for col in ("aar", "versjon", "dato", "feil", "rettelse"):
                if not clean[col]:
                    raise ErrataError(f"{path}, rad {n}, kolonne {col}: tom")
            if not (clean["aar"].isdigit() and len(clean["aar"]) == 4):
                raise ErrataError(f"{path}, rad {n}, kolonne aar: {clean['aar']!r} er ikke et år")
            try:
                date.fromisoformat(clean["dato"])
            except ValueError:
                raise ErrataError(
                    f"{path}, rad {n}, kolonne dato: {clean['dato']!r} er ikke ÅÅÅÅ-MM-DD"
                ) from None
            rows.append(clean)
    return pl.DataFrame(rows, schema=schema)


def errata_for(ed: Edition, errata: pl.DataFrame) -> pl.DataFrame:
    """The corrections of this edition: its year, and its county or every county."""
    county = pl.col("fylke").fill_null("")
    mine = county.is_in(["", ed.region or "", ed.region_name or ""])
    return errata.filter((pl.col("aar") == str(ed.year)) & mine).sort("dato", "versjon")


def _edition_version_key(v: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in v.split("."))


def colophon(
    ed: Edition,
    front: Mapping[str, Any] | None = None,
    published: date | str | None = None,
    *,
    errata: pl.DataFrame | None = None,
    built: date | None = None,
    software_version: str | None = None,
) -> Colophon:
    """The edition's colophon from the document's front matter and the errata."""
    f = dict(front or {})
    rows = errata_for(ed, errata if errata is not None else read_errata(errata_path()))
    versions = [FIRST_VERSION, *rows["versjon"].to_list()]
    edition_text = f"Regional utgave for {ed.region_name}" if ed.region_name else "Nasjonal utgave"
    nxt = f.get("neste-utgave") or (
        f"Statusrapporten for {ed.year + 1}, med status per {date_text(date(ed.year + 1, 12, 31))}"
    )
    return Colophon(
        title=f"{f.get('title') or TITLE} {ed.year}",
        edition_text=edition_text,
        publisher=str(f.get("publisher") or PUBLISHER),
        contact=str(f.get("kontakt") or CONTACT),
        version=max(versions, key=_edition_version_key),
        software_version=software_version,
        published=published_date(published),
        built=built or date.today(),
        next_edition=str(nxt),
        accessibility_url=str(f.get("tilgjengelighetserklaering") or ACCESSIBILITY),
        corrections=rows.height,
    )


def errata_blocks(ed: Edition, errata: pl.DataFrame | None = None) -> list[Block]:
    """The corrections section: each correction of this edition, or that there are none."""
    rows = errata_for(ed, errata if errata is not None else read_errata(errata_path()))
    if rows.height == 0:
        return [Text("Det er ikke gjort rettelser i denne utgaven.")]
    table = rows.select(
        "versjon",
        pl.col("dato").str.to_date("%Y-%m-%d"),
        pl.col("hvor").replace("", "–"),
        "feil",
        "rettelse",
    )
    return [
        Text(
            f"Utgaven er rettet {rows.height} {'gang' if rows.height == 1 else 'ganger'} etter "
            "at den først ble publisert. Hver rettelse gir et nytt versjonsnummer."
        ),
        TableBlock(
            table,
            "Rettelser",
            {
                "labels": {
                    "versjon": "Versjon",
                    "dato": "Dato",
                    "hvor": "Hvor",
                    "feil": "Feil",
                    "rettelse": "Rettelse",
                },
                "searchable": False,
                "name": "rettelser",
            },
        ),
    ]


def accessibility_blocks(c: Colophon) -> list[Block]:
    return [
        Text(
            "Rapporten er laget for å kunne leses med skjermleser: nettversjonen har "
            "tekstalternativ til alle figurer og tabeller som kan søkes i, og PDF-en er merket "
            "etter standarden PDF/UA-1. Tilgjengelighetserklæringen ligger på "
            f"{markdown_link(c.accessibility_url)}. Meld fra om feil og mangler til "
            f"{md(c.contact)}."
        )
    ]
