"""The activities chapter: one section per activity of the portfolio (2.1-2.7), as data.

Each section holds its prose, key figures, trend, map of the municipalities and county table;
the chapter only lays them out in order. The trend and status map: ``activity_charts``; the
message-version activity's blocks: ``message_blocks``; the youth solution: ``youth``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import polars as pl

from analysis.edition import sentences as sn
from analysis.edition.activity_charts import status_map, trend
from analysis.edition.blocks import Block, Columns, Heading, NoticeBlock, TableBlock, Text
from analysis.edition.data import EditionData, report_texts
from analysis.edition.message_blocks import message_map, messages_detail
from analysis.edition.youth import youth_section
from analysis.escape import markdown_text as md
from analysis.fmt import format_amount, format_date, format_int, format_month, format_percent

COUNTY_LABELS: Final = {
    "fylke": "Fylke",
    "antall": "Telles",
    "i_omfang": "I om\u00adfanget",
    "andel_kommuner": "Andel",
    "andel_av_andelen": "Nådd av andelen",
}


@dataclass(frozen=True)
class Section:
    """One activity's section: heading, notices and blocks in reading order."""

    losning: str
    name: str
    synthetic: bool
    blocks: list[Block] = field(default_factory=list)


def short_name(texts: dict[str, dict[str, str]], losning: str, fallback: str) -> str:
    return texts.get(losning, {}).get("kort") or fallback


def key_figures(r: dict[str, Any], national: dict[str, Any] | None, d: EditionData) -> pl.DataFrame:
    """The activity's figures as a two-column table (three in a regional edition)."""

    def values(x: dict[str, Any], regional: bool) -> list[str]:
        if x["antall"] is None:
            return ["ingen status"] + ["–"] * 8
        target = x["ambisjon_andel"] if regional else x["ambisjon"]
        return [
            format_int(x["antall"]),
            format_int(x["i_omfang"]),
            format_amount(target),
            format_percent((x["prosent_av_ambisjon"] or 0) / 100),
            format_amount(x["gjenstar"]),
            format_percent(x["andel_befolkning"]),
            sn.pace_text(x["tempo"]),
            sn.pace_text(x["nodvendig_tempo"]),
            sn.expected_text(x),
        ]

    labels = [
        f"Antall per {format_date(d.as_of)}",
        "Kommuner i omfanget",
        "Fylkets andel av ambisjonen" if d.regional else "Ambisjon",
        "Nådd av ambisjonen",
        "Gjenstår",
        "Innbyggere i kommunene som telles",
        "Tempo siste 12 måneder",
        "Nødvendig tempo (samme periode)",
        "Fremdrift og forventet dato",
    ]
    frame = {"Nøkkeltall": labels}
    if d.regional and national is not None:
        frame[d.region_name or "Fylket"] = values(r, True)
        frame["Hele landet"] = values(national, False)
    else:
        frame["Verdi"] = values(r, False)
    return pl.DataFrame(frame)


def county_table(d: EditionData, losning: str) -> pl.DataFrame:
    """Status per county with each county's proportional share, and the country."""
    rows = d.by_county.filter(pl.col("losning") == losning).select(
        pl.concat_str("fylkesnummer", pl.lit(" "), "fylkesnavn").alias("fylke"),
        "i_omfang",
        "antall",
        "andel_kommuner",
        "ambisjon_andel",
        (pl.col("prosent_av_ambisjon") / 100).alias("andel_av_andelen"),
        "gjenstar",
        (pl.col("fylkesnummer") == (d.region or "")).alias("utvalgt"),
    )
    total = d.overview.filter(pl.col("losning") == losning).select(
        pl.lit("Hele landet").alias("fylke"),
        "i_omfang",
        "antall",
        "andel_kommuner",
        pl.col("ambisjon").cast(pl.Float64).alias("ambisjon_andel"),
        (pl.col("prosent_av_ambisjon") / 100).alias("andel_av_andelen"),
        "gjenstar",
        pl.lit(False).alias("utvalgt"),
    )
    return pl.concat([rows, total], how="vertical_relaxed")


def county_blocks(d: EditionData, losning: str, short: str, synthetic: bool) -> list[Block]:
    blocks: list[Block] = []
    ranked = d.by_county.filter(pl.col("losning") == losning).sort(
        "andel_kommuner", descending=True
    )
    if ranked.height > 1:
        top = ranked.row(0, named=True)
        low = ranked.row(-1, named=True)
        text = (
            f"Høyest andel har {md(top['fylkesnavn'])} ({format_percent(top['andel_kommuner'])}), "
            f"lavest {md(low['fylkesnavn'])} ({format_percent(low['andel_kommuner'])})."
        )
        own = ranked.filter(pl.col("fylkesnummer") == (d.region or ""))
        if d.regional and own.height:
            share = own["andel_kommuner"][0]
            place = ranked.filter(pl.col("andel_kommuner") > share).height + 1
            text += f" {md(d.region_name)} er nummer {place} av {ranked.height}."
        blocks.append(Text(text))
    blocks.append(
        TableBlock(
            county_table(d, losning)
            .with_columns(pl.col("fylke").str.replace(r"^\d+ ", ""))
            .select(*COUNTY_LABELS, "utvalgt"),
            f"{short}: status per fylke {format_date(d.as_of)}",
            {
                "labels": COUNTY_LABELS,
                "nowrap": ["fylke"],
                # The printed report compares the counties in its regional chapter.
                "printed": False,
                "source": "Nådd av andelen: telles, mot fylkets forholdsmessige andel av "
                "ambisjonen.",
                "percent": ["andel_kommuner", "andel_av_andelen"],
                "emphasis": "utvalgt",
                "synthetic": synthetic,
                "name": f"fylker-{losning}",
            },
        )
    )
    return blocks


def section(d: EditionData, r: dict[str, Any], texts: dict[str, dict[str, str]]) -> Section:
    """One activity's section in reading order."""
    text = texts.get(r["losning"], {})
    region_row = (
        d.overview_region.filter(pl.col("losning") == r["losning"]).row(0, named=True)
        if d.regional and d.overview_region is not None
        else None
    )
    row = region_row or r
    synthetic = bool(row["syntetisk"])
    name = short_name(texts, r["losning"], r["aktivitet"])
    blocks: list[Block] = []
    if synthetic:
        blocks.append(
            NoticeBlock(
                f"Tallene for {name} i dette avsnittet bygger på syntetiske eksempeldata og er "
                "ikke virkelige.",
                kind="eksempeldata",
                title="Eksempeldata.",
            )
        )
    owner = " · ".join(
        f"{k}: {md(sn.prose_dates(v))}"
        for k, v in (
            ("Innsatsområde", r.get("innsatsomrade")),
            ("Eier", r.get("eier")),
            ("Tidsramme", r.get("tidsramme")),
        )
        if v
    )
    blocks.append(
        Text(f"*Porteføljens aktivitet {r['nr']}: «{md(r['aktivitet_full'])}».* {owner}.")
    )
    if text.get("hva"):
        blocks.append(Text(text["hva"]))
    if text.get("anbefaling"):
        blocks.append(
            Text(
                "**Porteføljen anbefaler kommunene** å "
                f"{text['anbefaling'][0].lower()}{text['anbefaling'][1:]}"
            )
        )
    blocks.append(Heading("Status mot ambisjonen"))
    where = f"I {md(d.region_name)}" if d.regional else "I hele landet"
    status = sn.status_paragraph(row, where, name, d.as_of, d.regional, r if d.regional else None)
    frist = d.activities.filter(pl.col("losning") == r["losning"])["frist"]
    passed = sn.deadline_text(frist[0] if frist.len() else None, d.as_of)
    blocks.append(Text(status + (f" {passed}" if passed and row["kategori"] != "nådd" else "")))
    if text.get("maaling"):
        blocks.append(Text(f"*Hva som telles:* {text['maaling']}"))
    if not d.regional:
        parts = []
        if d.overview_published is not None and d.published_date is not None:
            pr = d.overview_published.filter(pl.col("losning") == r["losning"]).row(0, named=True)
            parts.append(sn.published_comparison(pr, d.published_date))
        if (latest := sn.latest_published(r)) is not None:
            parts.append(latest)
        if parts:
            blocks.append(Text(" ".join(parts)))
    if text.get("status_april") and d.published_date is not None:
        blocks.append(
            Text(
                f"*Porteføljens statustekst ({format_month(d.published_date)}):* "
                f"{text['status_april']}"
            )
        )
    figures = TableBlock(
        key_figures(row, r if d.regional else None, d),
        f"Nøkkeltall for {name} per {format_date(d.as_of)}",
        {"synthetic": synthetic, "name": f"nokkeltall-{r['losning']}"},
    )
    if row["antall"] is None or not row["i_omfang"]:
        return Section(r["losning"], name, synthetic, [*blocks, figures])
    # Printed side by side: the key figures over the trend, beside the map and its names. A
    # county's map is short and its key figures have a column for the country: there they
    # come first, across the page.
    if d.regional:
        blocks.append(figures)
    left: list[Block] = [] if d.regional else [figures]
    left.append(Heading("Utvikling over tid"))
    if (chart := trend(d, row, synthetic, name)) is not None:
        left.append(chart)
    left += [Heading("Fylkene"), *county_blocks(d, r["losning"], name, synthetic)]
    right: list[Block] = [Heading("Kommunene")]
    meldinger = r["losning"] == "meldinger"
    right += message_map(d, synthetic) if meldinger else status_map(d, r, synthetic, name)
    blocks.append(Columns(tuple(left), tuple(right)))
    if meldinger:
        blocks += messages_detail(d, synthetic)
    if r["losning"] == "digihelsestasjon":
        blocks += youth_section(d, texts)
    return Section(r["losning"], name, synthetic, blocks)


def sections(d: EditionData) -> list[Section]:
    """Every activity's section, in the portfolio's order."""
    texts = report_texts()
    full_titles = dict(d.ambitions.select("losning", "aktivitet").iter_rows())
    info = d.ambitions.select("losning", "innsatsomrade", "eier", "tidsramme")
    return [
        section(
            d,
            r | {"aktivitet_full": full_titles.get(r["losning"], r["aktivitet"])},
            texts,
        )
        for r in d.overview.join(info, on="losning", how="left").iter_rows(named=True)
    ]
