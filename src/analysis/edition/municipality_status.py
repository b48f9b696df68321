"""Municipalities by name: the «kommune × løsning» table and the lists under the maps.

A reader asks "which municipalities in Agder have not started DigiHelse?": the web page
answers with a filtered table, a regional PDF with a table of the county's municipalities,
and every printed map with the names behind it.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from analysis.edition.blocks import Block, MunicipalityTable, NameList, Text
from analysis.edition.data import EditionData, report_texts
from analysis.escape import markdown_text as md
from analysis.fmt import date_text

STEP_WORDS: Final = {
    "i_bruk": "i bruk",
    "tilgjengelig": "tilgjengeliggjort",
    "planlagt": "planlagt",
    "ikke_startet": "ikke startet",
}
MESSAGE_WORDS: Final = {True: "oppfyller kravet", False: "oppfyller ikke kravet"}
NO_DATA: Final = "ingen data"
LISTED_NATIONALLY: Final = 120  # names under a national map; more are counted per county


def status_word(losning: str, trinn: str | None, telles: bool | None, maalt: bool) -> str:
    """A municipality's status as the tables say it."""
    if not maalt:
        return NO_DATA
    if losning == "meldinger":
        return MESSAGE_WORDS[bool(telles)]
    return STEP_WORDS.get(trinn or "ikke_startet", trinn or "ikke startet")


def municipality_status_frame(d: EditionData) -> pl.DataFrame:
    """One row per municipality in scope and activity, in the edition's area, in the
    portfolio's order of the activities."""
    texts = report_texts()
    order = d.activities.select("losning", "nr", "aktivitet")
    short = {
        k: texts.get(k, {}).get("kort") or a for k, a in order.select("losning", "aktivitet").rows()
    }
    rank = {k: i for i, k in enumerate(order["losning"])}
    m = d.in_region(d.municipal)
    words = [
        status_word(r["losning"], r["trinn"], r["telles"], r["maalt"])
        for r in m.select("losning", "trinn", "telles", "maalt").iter_rows(named=True)
    ]
    return (
        m.with_columns(
            kommune=pl.concat_str("kommunenummer", pl.lit(" "), "kommunenavn"),
            fylke=pl.col("fylkesnavn"),
            aktivitet=pl.col("losning").replace_strict(short, default=pl.col("losning")),
            status=pl.Series(words, dtype=pl.String),
            siden=pl.when(pl.col("maalt") & pl.col("trinn").is_not_null())
            .then(pl.col("siden"))
            .otherwise(None),
            teller=pl.col("telles").fill_null(False),
            _rang=pl.col("losning").replace_strict(rank, default=len(rank)),
        )
        .sort("kommunenummer", "_rang")
        .select("kommune", "fylke", "aktivitet", "status", "siden", "teller", "syntetisk")
    )


def municipality_table_blocks(d: EditionData) -> list[Block]:
    """The «Status per kommune» section of the municipalities chapter."""
    frame = municipality_status_frame(d)
    activities = tuple(dict.fromkeys(frame["aktivitet"].to_list()))
    texts = report_texts()
    headings = {
        texts.get(k, {}).get("kort") or a: head
        for k, a, head in d.activities.select("losning", "aktivitet", "overskrift").rows()
    }
    where = f"i {md(d.region_name)}" if d.regional else "i landet"
    synthetic = bool(frame["syntetisk"].any())
    intro = (
        f"Tabellen viser status per {date_text(d.as_of)} for hver kommune {where} og hver "
        "aktivitet den er i omfanget for: trinnet kommunen har nådd, datoen den nådde det, og "
        "om den telles mot ambisjonen."
    )
    if d.regional:
        intro += (
            " I den trykte utgaven står én rad per kommune og én kolonne per aktivitet; "
            "nettutgaven kan i tillegg filtreres."
        )
    else:
        intro += (
            " I nettutgaven kan tabellen filtreres på fylke, aktivitet, status og kommunenavn. "
            "Den trykte utgaven har listene under kartene; hver regional utgave har fylkets "
            "kommuner i en tabell."
        )
    if synthetic:
        intro += " Statusene for aktivitetene med eksempeldata er ikke virkelige."
    return [
        Text(intro),
        MunicipalityTable(
            frame,
            f"Status per kommune og aktivitet {where.replace('i landet', 'i hele landet')}, "
            f"{date_text(d.as_of)}",
            activities,
            printed=d.regional,
            headings=headings,
            source=(
                "Telles: kommunen telles mot ambisjonen (i bruk; for Kjernejournal "
                "tilgjengeliggjort; for meldingsversjonene oppfyller kravet). Ingen data: "
                "kildene sier ikke noe om kommunen."
            ),
        ),
    ]


def _sorted_names(frame: pl.DataFrame) -> tuple[str, ...]:
    return tuple(frame.sort("kommunenavn")["kommunenavn"].to_list())


def behind_list(d: EditionData, losning: str, frame: pl.DataFrame, synthetic: bool) -> NameList:
    """The names behind a map: the municipalities not counted, by status (or, where fewer
    are counted than not, the counted ones). A national map gets the names when they are at
    most LISTED_NATIONALLY, else the number per county."""
    m = d.in_region(d.municipal.filter(pl.col("losning") == losning)).select(
        "kommunenummer", "kommunenavn", "fylkesnavn", "trinn", "telles", "maalt"
    )
    m = m.filter(pl.col("kommunenummer").is_in(frame["kommunenummer"].implode()))
    words = [
        status_word(losning, r["trinn"], r["telles"], r["maalt"])
        for r in m.select("trinn", "telles", "maalt").iter_rows(named=True)
    ]
    m = m.with_columns(
        status=pl.Series(words, dtype=pl.String), teller=pl.col("telles").fill_null(False)
    )
    counted, rest = m.filter(pl.col("teller")), m.filter(~pl.col("teller"))
    if rest.height == 0:
        return NameList((), "Alle kommunene i omfanget telles.", synthetic)
    show_counted = counted.height < rest.height
    listed = counted if show_counted else rest
    order = [*STEP_WORDS.values(), *MESSAGE_WORDS.values(), NO_DATA]
    groups: list[tuple[str, tuple[str, ...]]] = []
    note = None
    too_many = not d.regional and listed.height > LISTED_NATIONALLY
    for word in order:
        part = listed.filter(pl.col("status") == word)
        if part.height == 0:
            continue
        label = f"{word[0].upper()}{word[1:]} ({part.height})"
        if too_many:
            per = part.group_by("fylkesnavn").len().sort("fylkesnavn")
            groups.append((label, tuple(f"{f} {n}" for f, n in per.iter_rows())))
        else:
            groups.append((label, _sorted_names(part)))
    if show_counted:
        note = (
            f"Listen viser de {counted.height} kommunene som telles, fordi de er færre enn de "
            f"{rest.height} som ikke gjør det."
        )
    if too_many:
        extra = (
            "For mange til å navngis her: tallene er antall kommuner per fylke. Kommunene står "
            "i de regionale utgavene og i nettutgavens tabell over kommunene."
        )
        note = f"{note} {extra}" if note else extra
    return NameList(tuple(groups), note, synthetic)
