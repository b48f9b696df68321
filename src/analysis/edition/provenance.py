"""The «Om statistikken» appendix: where the numbers come from, cited for a reader.

The source catalogue is written for the analysts (file paths, how a file was made, which
column names a source per row); the appendix cites each source the way a report does:
producer, year, title, address, date accessed and licence. The example data are described
once, as what they are, not source by source.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Final

import polars as pl

from analysis.edition.blocks import Block, Heading, TableBlock, Text
from analysis.edition.data import EditionData
from analysis.escape import markdown_link
from analysis.escape import markdown_text as md
from analysis.fmt import date_text, format_int

# Catalogue kinds that are not statistics: corrections to the report itself.
NOT_CITED: Final = ("errata",)
# Workshop asides inside a catalogue field: a parenthesis that points to a file, and what
# follows a ";" (how a file was joined, which column names the source per row).
_ASIDE = re.compile(r"\s*\((?:[^()]*\b(?:se|via)\b[^()]*|[^()]*\.\w{2,4})\)")
_CLAUSE = re.compile(r",\s*(?:via|som gjengitt i)\b.*$")


def _without_asides(text: Any) -> str:
    s = str(text or "").strip()
    s = s.split(";")[0]
    s = _ASIDE.sub("", s)
    s = _CLAUSE.sub("", s)
    return s.strip().rstrip(".")


def citation_text(s: dict[str, Any]) -> str:
    """The same reference as plain text, for a spreadsheet's «Om dataene» sheet."""
    return citation(s, plain=True)


def citation(s: dict[str, Any], *, plain: bool = False) -> str:
    """One source as a reference (markdown): «Produsent (u.å.). *Tittel*. Hentet 28. november
    2026 fra adresse. Lisens: NLOD 2.0.» Data are text: every field is escaped (``plain``:
    no markdown at all)."""
    if plain:
        return _citation(s, str, str, "")
    return _citation(s, md, markdown_link, "*")


def _citation(s: dict[str, Any], md: Any, markdown_link: Any, em: str) -> str:
    producer = _without_asides(s.get("producer")) or "Ukjent produsent"
    title = _without_asides(s.get("title")) or str(s.get("id") or "")
    parts = [f"{md(producer)} (u.å.). {em}{md(title)}{em}."]
    url = str(s.get("url") or "").strip()
    when = ""
    if s.get("date_accessed"):
        try:
            when = date_text(date.fromisoformat(str(s["date_accessed"])))
        except ValueError:
            when = ""
    if url.lower().startswith(("http://", "https://")):
        parts.append(f"Hentet {md(when)} fra {markdown_link(url)}." if when else markdown_link(url))
    elif when:
        parts.append(f"Hentet {md(when)}.")
    licence = _without_asides(s.get("license"))
    if licence:
        parts.append(f"Lisens: {md(licence)}.")
    return " ".join(parts)


def _sort_key(s: dict[str, Any]) -> tuple[str, str]:
    return (_without_asides(s.get("producer")).lower(), _without_asides(s.get("title")).lower())


def source_blocks(d: EditionData) -> list[Block]:
    """The references: the real sources, then the boundaries of the maps."""
    from analysis.reference.boundaries import boundaries

    real = [s for s in d.sources if not s.get("synthetic") and s.get("kind") not in NOT_CITED]
    items = [f"- {citation(s)}" for s in sorted(real, key=_sort_key)]
    b = boundaries(d.edition.division)
    items.append(f"- {map_citation(b.attribution, b.division)}")
    blocks: list[Block] = []
    if not d.sources:
        blocks.append(Text("Dataene har ingen kildeliste, så listen under er ufullstendig."))
    blocks.append(
        Text(
            "Tallene i rapporten er regnet ut fra disse kildene. Publiserte tall er gjengitt "
            "som fakta med kilde; der en tidsserie har tall fra flere kilder, er hver verdi "
            "registrert med sin egen kilde."
        )
    )
    blocks.append(Text("\n".join(items)))
    return blocks


def map_citation(attribution: str, division: int) -> str:
    """The maps' boundaries as a reference: the mapping authority first, then how the
    simplified boundaries reached the report and under which licence."""
    licence = re.search(r"\(([^()]*(?:LGPL|CC BY)[^()]*)\)", attribution)
    via_package = "pakken" in attribution.lower()
    text = f"Kartverket (u.å.). *Kommunegrenser, kommuneinndelingen fra {division}* (forenklet)."
    if via_package:
        text += " Gjengitt i en åpen programvarepakke"
        text += f" med lisensen {md(licence.group(1))}." if licence else "."
    elif licence:
        text += f" Lisens: {md(licence.group(1))}."
    return text


def synthetic_blocks(d: EditionData) -> list[Block]:
    """What the example data are, said once."""
    fake = d.synthetic_sources
    if not fake:
        return [Text("Ingen av tallene i denne utgaven bygger på eksempeldata.")]
    names = sorted(
        {
            re.sub(
                r"\s*\([^()]*\)|\s+\d{4}\b",
                "",
                re.sub(r"^Eksempeldata \(syntetisk\):\s*", "", _without_asides(s.get("title"))),
            )
            .split(",")[0]
            .strip()
            for s in fake
        }
    )
    return [
        Text(
            "Der det ennå ikke finnes kommunevise data, bygger rapporten på syntetiske "
            "eksempeldata: tall laget for å vise hvordan rapporten ser ut med slike data. De er "
            "ikke virkelige, og alt som bygger på dem, er merket «Eksempeldata». Eksempeldataene "
            f"gjelder: {md('; '.join(n for n in names if n))}."
        )
    ]


def reject_blocks(d: EditionData) -> list[Block]:
    """How many rows the sources had that could not be used, by source and kind of reason."""
    from analysis.ingest.reasons import reason_category

    if d.avvist is None:
        return [Text("Dataene har ingen oversikt over avviste rader.")]
    if d.avvist.height == 0:
        return [Text("Alle radene i kildene ble brukt.")]
    titles = {str(s.get("id")): _without_asides(s.get("title")) for s in d.sources}
    kinds = d.avvist.with_columns(
        slag=pl.col("grunn").map_elements(reason_category, return_dtype=pl.String),
        kilde=pl.col("kilde_id").replace_strict(titles, default=pl.col("kilde_id")),
    )
    repeats = kinds.filter(pl.col("grunn").str.starts_with("samme hendelse som kilden")).height
    return [
        Text(
            "Hver rad i kildene er enten brukt eller avvist med en grunn. "
            f"{format_int(d.avvist.height)} rader ble avvist"
            + (
                f"; {format_int(repeats)} av dem gjentar en hendelse en annen kilde alt har gitt, "
                "og den telles én gang"
                if repeats
                else ""
            )
            + "."
        ),
        TableBlock(
            kinds.group_by("kilde", "slag").agg(rader=pl.len()).sort("kilde", "slag"),
            "Avviste rader per kilde og grunn",
            {
                "labels": {"kilde": "Kilde", "slag": "Grunn", "rader": "Rader"},
                "searchable": False,
                "name": "avviste-rader-per-kilde",
            },
        ),
        *_reject_list(kinds),
    ]


REJECTS_LISTED: Final = 50  # on the web page
REJECTS_PRINTED: Final = 10  # a longer list is on the web page only


def _reject_list(kinds: pl.DataFrame) -> list[Block]:
    """Each reject that is not a repeat of a kept event, with its own reason."""
    other = kinds.filter(~pl.col("grunn").str.starts_with("samme hendelse som kilden")).sort(
        "kilde", "rad"
    )
    if other.height == 0:
        return []
    shown = other.head(REJECTS_LISTED)
    more = (
        f" (de første {REJECTS_LISTED} av {format_int(other.height)})"
        if other.height > shown.height
        else ""
    )
    return [
        TableBlock(
            shown.select("kilde", "rad", "kolonne", "grunn"),
            f"Avviste rader med grunn{more}",
            {
                "labels": {"kilde": "Kilde", "rad": "Rad", "kolonne": "Kolonne", "grunn": "Grunn"},
                "name": "avviste-rader",
                "printed": other.height <= REJECTS_PRINTED,
            },
        )
    ]


def appendix_blocks(d: EditionData) -> list[Block]:
    """The appendix in reading order, after its introduction."""
    return [
        Heading("Kilder", 3),
        *source_blocks(d),
        Heading("Eksempeldata", 3),
        *synthetic_blocks(d),
        Heading("Avviste rader", 3),
        *reject_blocks(d),
    ]
