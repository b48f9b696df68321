"""The returned status forms in an edition: the answer rate per county, the conflicts and
which municipalities did not answer (drawn as «ikke svart» on the maps, apart from «ikke
startet» and «ingen data»).

The processed tables ``skjema``, ``skjema_svar`` and ``skjema_konflikter`` are optional: data
built before forms existed, or without any, give no blocks and no «ikke svart».
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Final

import polars as pl

from analysis.edition.blocks import Block, TableBlock, Text
from analysis.fmt import format_date, format_int
from analysis.metrics.params import display_names

if TYPE_CHECKING:
    from analysis.edition.data import EditionData

IKKE_SVART: Final = "ikke_svart"
ANSWERED: Final = ("endret", "bekreftet")
STEP_WORDS: Final = {
    "ikke_startet": "ikke startet",
    "planlagt": "planlagt",
    "tilgjengelig": "tilgjengeliggjort",
    "i_bruk": "i bruk",
}


@dataclass(frozen=True)
class FormTables:
    skjema: pl.DataFrame
    svar: pl.DataFrame
    konflikter: pl.DataFrame


def form_tables(processed: Path) -> FormTables | None:
    """The form tables of a processed folder, or None when it has none (or no forms)."""
    from analysis.load import MissingDataError, data_dir

    try:
        return _form_tables(data_dir(processed))  # the set the pointer names: a new run, anew
    except MissingDataError:
        return None


@cache
def _form_tables(p: Path) -> FormTables | None:
    from analysis.load import MissingDataError, load_table

    try:
        tables = FormTables(
            load_table("skjema", p),
            load_table("skjema_svar", p),
            load_table("skjema_konflikter", p),
        )
    except MissingDataError:
        return None
    return tables if tables.skjema.height else None


def answer_rate(svar: pl.DataFrame, kommuner: pl.DataFrame) -> pl.DataFrame:
    """Per county with a returned form: municipalities in the forms, those that answered
    (changed or confirmed at least one row) and the share (fylkesnummer, fylkesnavn,
    kommuner, svart, andel, syntetisk)."""
    per = svar.group_by("kommunenummer").agg(
        svart=pl.col("svar").is_in(list(ANSWERED)).any(), syntetisk=pl.col("syntetisk").any()
    )
    return (
        per.join(kommuner.select("kommunenummer", "fylkesnummer", "fylkesnavn"), on="kommunenummer")
        .group_by("fylkesnummer", "fylkesnavn")
        .agg(
            kommuner=pl.len(),
            svart=pl.col("svart").sum(),
            syntetisk=pl.col("syntetisk").any(),
        )
        .with_columns(andel=pl.col("svart") / pl.col("kommuner"))
        .select("fylkesnummer", "fylkesnavn", "kommuner", "svart", "andel", "syntetisk")
        .sort("fylkesnummer")
    )


def unanswered(svar: pl.DataFrame) -> pl.DataFrame:
    """(losning, kommunenummer) of every form row nobody changed or confirmed, when no other
    form answered it either."""
    return (
        svar.group_by("losning", "kommunenummer")
        .agg(svart=pl.col("svar").is_in(list(ANSWERED)).any())
        .filter(~pl.col("svart"))
        .select("losning", "kommunenummer")
        .sort("losning", "kommunenummer")
    )


def with_unanswered(
    frame: pl.DataFrame, losning: str, processed: Path, synthetic: bool, value: str = "trinn"
) -> pl.DataFrame:
    """A status frame where a municipality with no step and no answer shows «ikke svart»
    instead of «ikke startet» (what it did not answer, the data cannot say). A figure of real
    data (``synthetic`` false) takes no «ikke svart» from synthetic example forms, so example
    answers never change a real map."""
    t = form_tables(processed)
    if t is None:
        return frame
    svar = t.svar if synthetic else t.svar.filter(~pl.col("syntetisk"))
    open_ = unanswered(svar).filter(pl.col("losning") == losning)["kommunenummer"]
    return frame.with_columns(
        pl.when((pl.col(value) == "ikke_startet") & pl.col("kommunenummer").is_in(open_.implode()))
        .then(pl.lit(IKKE_SVART))
        .otherwise(pl.col(value))
        .alias(value)
    )


# The conflicts table's columns as the report and `ehelse skjema status --konflikter` head them.
CONFLICT_LABELS: Final = {
    "kommune": "Kommune",
    "aktivitet": "Aktivitet",
    "slag": "Slag",
    "skjema": "Skjema og rad",
    "svaret": "Svaret",
    "mot_kilde": "Mot kilde",
    "mot": "Kilden sier",
    "gjelder": "Telles fra",
}


def conflict_frame(konflikter: pl.DataFrame, kommuner: pl.DataFrame) -> pl.DataFrame:
    """The conflicts as a reader sees them: municipality, activity, the form's answer, the
    other statement, which counts and why."""
    names = display_names()

    def said(trinn: str, dato: str) -> pl.Expr:
        step = pl.col(trinn).replace_strict(STEP_WORDS, default=pl.lit("ikke oppført"))
        when = pl.col(dato).map_elements(format_date, return_dtype=pl.String)
        return pl.when(pl.col(dato).is_null()).then(step).otherwise(step + pl.lit(" fra ") + when)

    return (
        konflikter.join(
            kommuner.select("kommunenummer", "kommunenavn"), on="kommunenummer", how="left"
        )
        .with_columns(
            kommune=pl.col("kommunenummer") + pl.lit(" ") + pl.col("kommunenavn").fill_null(""),
            aktivitet=pl.col("losning").replace_strict(names, default=pl.col("losning")),
            svaret=said("trinn", "dato"),
            mot=said("mot_trinn", "mot_dato"),
            skjema=pl.col("kilde_id") + pl.lit(", rad ") + pl.col("rad").cast(pl.String),
        )
        .select(
            "kommune",
            "aktivitet",
            "slag",
            "skjema",
            "svaret",
            "mot_kilde",
            "mot",
            "gjelder",
            "syntetisk",
        )
        .sort("kommune", "aktivitet", "skjema")
    )


def form_blocks(d: EditionData) -> list[Block]:
    """The data chapter's section on the returned forms: answer rate per county, conflicts."""
    t = form_tables(d.edition.processed)
    if t is None:
        return [Text("Ingen statusskjemaer er lest inn i denne utgaven.")]
    svar = t.svar.filter(pl.col("kommunenummer").str.starts_with(d.region)) if d.region else t.svar
    rate = answer_rate(svar, d.kommuner)
    synthetic = bool(t.skjema["syntetisk"].any())
    counted = svar.filter(pl.col("telles")).height
    n_forms = t.skjema.height
    blocks: list[Block] = [
        Text(
            f"{format_int(n_forms)} utfylte statusskjemaer er lest inn"
            + (" (syntetiske eksempeldata, ikke virkelige svar)" if synthetic else "")
            + f". En kommune har svart når den har rettet eller bekreftet minst én rad. "
            f"{format_int(counted)} av svarene ga en ny hendelse; de andre gjentok det en kilde "
            "alt sa, sa «ikke startet», eller ble veid mot en annen kilde etter regelen under. "
            "Kommuner som fikk skjema, men ikke har svart og ikke har noe trinn fra andre kilder, "
            "vises som «ikke svart» i kartene."
        ),
        TableBlock(
            rate.drop("fylkesnummer", "syntetisk"),
            "Svarprosent per fylke",
            {
                "labels": {
                    "fylkesnavn": "Fylke",
                    "kommuner": "Kommuner i skjemaet",
                    "svart": "Har svart",
                    "andel": "Svarprosent",
                },
                "percent": ["andel"],
                "synthetic": synthetic,
                "name": "svarprosent",
            },
        ),
    ]
    konf = t.konflikter
    if d.region:
        konf = konf.filter(pl.col("kommunenummer").str.starts_with(d.region))
    rule = (
        "Når to skjemaer sier ulikt om samme kommune og aktivitet, gjelder svaret som kom inn "
        "sist. Et register fra løsningens eier (som Helseplattformens innføringsliste) går "
        "foran et svar i et skjema for trinnet registeret fører. Begge oppføringene vises."
    )
    if konf.height == 0:
        blocks.append(Text(f"Ingen av svarene motsier en annen kilde. {rule}"))
        return blocks
    where = "" if d.regional else " Nettutgaven har tabellen over dem."
    blocks.append(
        Text(
            f"{format_int(konf.height)} svar motsier et annet skjema eller et register. "
            f"{rule}{where}"
        )
    )
    blocks.append(
        TableBlock(
            conflict_frame(konf, d.kommuner).drop("syntetisk"),
            "Motstridende opplysninger og hva som telles",
            {
                "labels": CONFLICT_LABELS,
                "synthetic": bool(konf["syntetisk"].any()),
                "name": "skjema-konflikter",
                # A county's list is short; the national one is for the web page.
                "printed": d.regional,
            },
        )
    )
    return blocks
