"""The activities chapter: one section per activity of the portfolio (2.1-2.7), as data.

Each section holds its prose, key figures, trend, map of the municipalities and county table;
the chapter only lays them out in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

import polars as pl

from analysis.edition import sentences as sn
from analysis.edition.blocks import (
    Block,
    ChartBlock,
    Columns,
    Heading,
    NoticeBlock,
    TableBlock,
    Text,
)
from analysis.edition.data import EditionData, projection_path, published_points, report_texts
from analysis.edition.maps import STATUS_ORDER, map_areas, map_options
from analysis.edition.municipality_status import behind_list
from analysis.escape import markdown_text as md
from analysis.fmt import (
    date_text,
    format_amount,
    format_date,
    format_int,
    format_month,
    format_percent,
)
from analysis.metrics import messages as msg

MAP_PAGE: Final = 880  # px at 700 px wide: a map of the whole country fills an A4 page
HALF: Final = 420  # px of a figure in one of two columns: text stays readable at half width
TREND_HALF: Final = 380  # px high at HALF wide: the legend under the plot needs the room
COUNTY_LABELS: Final = {  # short: the table is printed in half the page width
    "fylke": "Fylke",
    "antall": "Telles",
    "i_omfang": "I om\u00adfanget",
    "andel_kommuner": "Andel",
    "andel_av_andelen": "Nådd av andelen",
}
STATUS_WORDS: Final = {
    "i_bruk": "i bruk",
    "tilgjengelig": "tilgjengeliggjort",
    "planlagt": "planlagt",
    "ikke_startet": "ikke startet",
    None: "ingen data",
}
# From meeting the requirement to the least compliant, as the legend lists them.
MESSAGE_STATUS: Final = {
    msg.OPPFYLT: "Oppfyller kravet",
    msg.UTDATERT: "Sender utdaterte versjoner",
    msg.UTEN_VERSJON: "Mangler versjonsnummer",
}
MESSAGE_COLOURS: Final = {
    msg.OPPFYLT: "#0072B2",
    msg.UTDATERT: "#D55E00",
    msg.UTEN_VERSJON: "#E69F00",
}


def _half(height: int) -> int:
    """A static height for a figure drawn at HALF px wide, keeping its shape."""
    return round(height * HALF / 700)


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


def status_frame(d: EditionData, losning: str) -> pl.DataFrame:
    """Each municipality in the activity's scope with its step on the status date."""
    return d.in_region(d.municipal.filter(pl.col("losning") == losning)).select(
        "kommunenummer",
        "kommunenavn",
        "fylkesnavn",
        pl.when(pl.col("maalt"))
        .then(pl.col("trinn").fill_null("ikke_startet"))
        .otherwise(None)
        .alias("trinn"),
        "siden",
    )


def trend(d: EditionData, r: dict[str, Any], synthetic: bool, short: str) -> ChartBlock | None:
    series = d.series_region if d.regional and d.series_region is not None else d.series
    s = series.filter(pl.col("losning") == r["losning"]).select("dato", "antall")
    if s.height == 0:
        return None
    county = d.region_name
    target = r["ambisjon_andel"] if d.regional else r["ambisjon"]
    proj = projection_path(
        d.as_of,
        float(r["antall"] or 0),
        None if target is None else float(target),
        r["forventet_dato"],
        r["forventet_fra"],
        r["forventet_til"],
    )
    pub = None if d.regional else published_points(d, r["losning"])
    frist = d.activities.filter(pl.col("losning") == r["losning"])["frist"][0]
    where = f"i {county} " if d.regional else ""
    caption = (
        f"{short}: kommuner {where}som har {sn.counted(r, short)}, ved hvert månedsskifte til "
        f"{format_date(d.as_of)}, med {'fylkets andel av ' if d.regional else ''}ambisjonen "
        f"({format_amount(target)}) og fristen ({format_date(frist)})."
    )
    if proj is not None:
        caption += (
            " Den stiplede linjen går til forventet dato for å nå ambisjonen, "
            f"{sn.when(r)}; det skraverte feltet viser intervallet."
        )
    if pub is not None and pub.height:
        caption += " Rutene er publiserte nasjonale tall."
    alt = (
        f"Linjediagram. Antallet kommuner {where}som har {sn.counted(r, short)}, steg fra "
        f"{format_int(s['antall'][0])} i {format_month(s['dato'].min())} til "
        f"{format_int(s['antall'][-1])} per {format_date(d.as_of)}. Ambisjonen er "
        f"{format_amount(target)}"
    )
    if r["kategori"] == "nådd":
        alt += f", nådd i {format_month(r['forventet_dato'])}."
    elif r["forventet_dato"] is not None:
        alt += f", og med dagens utvikling nås den i {format_month(r['forventet_dato'])}."
    else:
        alt += "."
    if pub is not None and pub.height:
        alt += (
            " Publiserte tall: "
            + "; ".join(
                f"{format_int(n)} per {format_date(t)}"
                for t, n in pub.select("dato", "antall").iter_rows()
            )
            + "."
        )
    return ChartBlock(
        "trend",
        s,
        {
            "ambition": target,
            "ambition_label": "Fylkets andel av ambisjonen" if d.regional else "Ambisjon",
            "projection": proj,
            "published": pub,
            "published_label": "Publisert nasjonalt tall",
            "deadline": frist,
            "name": f"Kommuner i {county}" if d.regional else "Kommuner",
            "synthetic": synthetic,
        },
        caption=caption,
        alt=alt,
        name=f"utvikling-{r['losning']}",
        data=s,
        static_height=TREND_HALF,
        static_width=HALF,
    )


def status_map(d: EditionData, r: dict[str, Any], synthetic: bool, short: str) -> list[Block]:
    frame = status_frame(d, r["losning"])
    if frame.height == 0:
        return [
            Text(
                f"Ingen av kommunene i {md(d.region_name)} er i omfanget for {short}, så kartet er "
                "utelatt."
            )
        ]
    whole = r["omfang_id"] == "alle"
    areas, b = map_areas(d, frame, "trinn", order=STATUS_ORDER)
    scope = None if whole else areas["omrade"].to_list()
    counts = frame.group_by("trinn").len().sort("len", descending=True)
    parts = [f"{STATUS_WORDS.get(t, t)}: {format_int(n)}" for t, n in counts.iter_rows()]
    area = f"{d.region_name}s" if d.regional else "landets"
    scope_text = "" if whole else " i aktivitetens omfang (Helse Midt-Norges område)"
    alt = (
        f"Kart over {area} kommuner{scope_text}, farget etter status for {short} per "
        f"{format_date(d.as_of)}. Antall kommuner per status, {'; '.join(parts)}."
    )
    caption = (
        f"{short}: status per kommune {date_text(d.as_of)}. Ikke startet: ikke noe registrert "
        "trinn. Ingen data: kildene sier ikke noe om kommunen."
        + ("" if whole else " Bare kommunene i omfanget er vist.")
        + (" Bygger på eksempeldata." if synthetic else "")
    )
    return [
        ChartBlock(
            "map",
            areas,
            map_options(
                b, "trinn", legend_title="Status", region=d.region, codes=scope, synthetic=synthetic
            ),
            caption=caption,
            alt=alt,
            name=f"kart-{r['losning']}",
            data=frame,
            static_height=_half(MAP_PAGE) if d.region is None and whole else None,
            static_width=HALF,
        ),
        behind_list(d, r["losning"], frame, synthetic),
    ]


def message_map(d: EditionData, synthetic: bool) -> list[Block]:
    """Which municipalities met the requirement in the last complete month, and why not."""
    if d.compliance is None or d.meldinger is None:
        return []
    month = msg.latest_period(d.meldinger, d.as_of)
    comp = d.compliance.filter(pl.col("periode") == month).select(
        "kommunenummer", "status", "typer_ikke_oppfylt"
    )
    frame = (
        d.in_region(d.kommuner)
        .select("kommunenummer", "kommunenavn", "fylkesnavn")
        .join(comp, on="kommunenummer", how="left")
        .with_columns(
            status=pl.when(pl.col("status") == msg.IKKE_VURDERT)
            .then(None)
            .otherwise(pl.col("status"))
        )
    )
    areas, b = map_areas(d, frame, "status", order=list(MESSAGE_STATUS))
    counts = {k: frame.filter(pl.col("status") == k).height for k in MESSAGE_STATUS}
    missing = frame.filter(pl.col("status").is_null()).height
    area = f"{d.region_name}s" if d.regional else "landets"
    alt = (
        f"Kart over {area} kommuner for {format_month(month)}: "
        + "; ".join(f"{MESSAGE_STATUS[k].lower()}: {format_int(n)}" for k, n in counts.items())
        + f"; ingen data: {format_int(missing)}."
    )
    caption = (
        f"Meldingsversjoner per kommune i {format_month(month)}: om hver meldingstype ble sendt "
        "minst 95 % i gjeldende versjon. «Mangler versjonsnummer»: kravet er ikke nådd bare fordi "
        "systemet ikke oppgir versjon. «Ingen data»: ingen meldinger i statistikken."
        + (" Bygger på eksempeldata." if synthetic else "")
    )
    return [
        ChartBlock(
            "map",
            areas,
            map_options(
                b,
                "status",
                categories=list(MESSAGE_STATUS),
                labels=MESSAGE_STATUS,
                colours=MESSAGE_COLOURS,
                legend_title="Meldingsversjoner",
                region=d.region,
                synthetic=synthetic,
            ),
            caption=caption,
            alt=alt,
            name="kart-meldinger",
            data=frame.with_columns(pl.col("typer_ikke_oppfylt").list.join(", ")),
            static_height=None if d.regional else _half(MAP_PAGE),
            static_width=HALF,
        ),
        behind_list(d, "meldinger", frame, synthetic),
    ]


def messages_detail(d: EditionData, synthetic: bool) -> list[Block]:
    """Share current per type over time, the types in the last month, and who still sends
    outdated versions."""
    if d.meldinger is None or d.compliance is None:
        return []
    month = msg.latest_period(d.meldinger, d.as_of)
    data = d.in_region(d.meldinger).filter(pl.col("periode") <= month)
    shares = msg.version_shares(data, d.versions)
    per_type = (
        shares.group_by("meldingstype", "periode")
        .agg(pl.col("totalt", "gjeldende", "utdatert", "uten_versjon").sum())
        .with_columns(andel=pl.col("gjeldende") / pl.col("totalt"))
        .join(d.versions.select("meldingstype", "navn"), on="meldingstype", how="inner")
        .sort("meldingstype", "periode")
    )
    chart = per_type.select(pl.col("navn"), pl.col("periode").dt.month_end().alias("dato"), "andel")
    last = per_type.filter(pl.col("periode") == month).sort("meldingstype")
    where = f"i {d.region_name}" if d.regional else "nasjonalt"
    where_md = f"i {md(d.region_name)}" if d.regional else "nasjonalt"
    eks = " Bygger på eksempeldata." if synthetic else ""
    blocks: list[Block] = [Heading("Meldingstypene")]
    blocks.append(
        ChartBlock(
            "shares",
            chart,
            {
                "group_col": "navn",
                "threshold": msg.THRESHOLD,
                "threshold_label": "Krav per kommune",
                "y_title": "Andel i gjeldende versjon",
                "synthetic": synthetic,
            },
            caption=(
                f"Andelen meldinger sendt i gjeldende versjon per meldingstype og måned, {where}, "
                f"til {format_month(month)}. Meldinger uten versjonsnummer regnes ikke som "
                f"gjeldende.{eks}"
            ),
            alt=(
                "Linjediagram med én linje per meldingstype. Andelen i gjeldende versjon i "
                f"{format_month(month)}: "
                + "; ".join(
                    f"{n}: {format_percent(a)}" for n, a in last.select("navn", "andel").iter_rows()
                )
                + "."
            ),
            name="meldingstyper",
            data=chart,
        )
    )
    current = d.versions.select(
        "meldingstype", pl.col("gjeldende_versjoner").list.join(", ").alias("gjeldende")
    )
    table = last.join(current, on="meldingstype", how="left").select(
        "navn",
        "gjeldende",
        "totalt",
        "andel",
        (pl.col("utdatert") / pl.col("totalt")).alias("andel_utdatert"),
        "uten_versjon",
        (pl.col("uten_versjon") / pl.col("totalt")).alias("andel_uten"),
    )
    blocks.append(
        TableBlock(
            table,
            f"Meldinger per type i {format_month(month)}, {where}",
            {
                "labels": {
                    "navn": "Meldingstype",
                    "gjeldende": "Gjeldende versjon",
                    "totalt": "Meldinger",
                    "andel": "I gjeldende versjon",
                    "andel_utdatert": "I utdatert versjon",
                    "uten_versjon": "Uten versjonsnummer",
                    "andel_uten": "Andel uten versjonsnummer",
                },
                "percent": ["andel", "andel_utdatert", "andel_uten"],
                "decimals": {"andel": 1, "andel_utdatert": 1, "andel_uten": 1},
                "synthetic": synthetic,
                "source": "Gjeldende versjoner: Norsk helsenetts krav til meldingsversjoner.",
            },
        )
    )
    comp = d.in_region(d.compliance.filter(pl.col("periode") == month))
    no_version = comp.filter(pl.col("status") == msg.UTEN_VERSJON).height
    total = int(table["uten_versjon"].sum() or 0)
    blocks.append(
        Text(
            f"**Meldinger uten versjonsnummer telles for seg.** I {format_month(month)} manglet "
            f"{format_int(total)} meldinger {where_md} versjonsnummer "
            f"({format_percent(total / max(int(table['totalt'].sum() or 0), 1), 1)} av alle). "
            f"De regnes aldri som gjeldende. {format_int(no_version)} kommuner når ikke kravet "
            "bare fordi systemet ikke oppgir versjon; de er ikke regnet blant dem som sender "
            "utdaterte versjoner."
        )
    )
    blocks.append(Heading("Kommuner som fortsatt sender utdaterte versjoner"))
    old = d.in_region(msg.outdated(d.meldinger, d.versions, month))
    if old.height == 0:
        blocks.append(
            Text(
                f"Ingen kommuner {where_md} sendte meldinger i utdaterte versjoner i "
                f"{format_month(month)}."
            )
        )
        return blocks
    listing = (
        old.join(d.kommuner.select("kommunenummer", "kommunenavn"), on="kommunenummer")
        .with_columns(
            hva=pl.concat_str(
                "meldingstype",
                pl.lit(" "),
                "versjon",
                pl.lit(" ("),
                pl.col("antall").cast(pl.String),
                pl.lit(")"),
            )
        )
        .group_by("kommunenummer", "kommunenavn", maintain_order=True)
        .agg(pl.col("hva").str.join("; "), pl.col("antall").sum())
        .select(
            pl.concat_str("kommunenummer", pl.lit(" "), "kommunenavn").alias("kommune"),
            "hva",
            "antall",
        )
    )
    blocks.append(
        Text(
            f"{format_int(listing.height)} kommuner {where_md} sendte fortsatt meldinger i utdaterte "
            f"versjoner i {format_month(month)}"
            + (
                ". Tabellen viser meldingstype og versjon med antall meldinger, flest utdaterte "
                "meldinger først."
                if d.regional
                else "; de er navngitt under kartet. Nettutgaven har en tabell over dem med "
                "meldingstype, versjon og antall meldinger."
            )
        )
    )
    blocks.append(
        TableBlock(
            listing,
            f"Kommuner som sendte utdaterte meldingsversjoner i {format_month(month)}",
            {
                "labels": {
                    "kommune": "Kommune",
                    "hva": "Meldingstype, versjon (antall)",
                    "antall": "Utdaterte meldinger",
                },
                "synthetic": synthetic,
                "name": "utdaterte-meldinger",
                "printed": d.regional,  # the national list is long: names under the map
            },
        )
    )
    return blocks


def youth_section(d: EditionData, texts: dict[str, dict[str, str]]) -> list[Block]:
    """DigiHelsestasjon's youth solution: no ambition of its own, counted like an activity."""
    from analysis.metrics import status as st

    text = texts.get("digihelsestasjon_ungdom", {})
    losning = "digihelsestasjon_ungdom"
    if d.events.filter(pl.col("losning") == losning).height == 0:
        return []
    name = text.get("kort", "DigiHelsestasjon ungdom")
    acts = pl.DataFrame(
        {
            "losning": [losning],
            "navn": [name],
            "telles_trinn": ["i_bruk"],
            "omfang_id": [st.ALL],
            "frist": [d.as_of],
            "maal": ["adopsjon"],
            "merknad": [None],
        },
        schema_overrides={"merknad": pl.String},
    )
    scopes = st.scope_members(d.kommuner).filter(pl.col("omfang_id") == st.ALL)
    municipal = d.in_region(st.municipal_status(d.events, d.kommuner, acts, scopes, d.as_of))
    series = st.count_series(d.events, municipal, d.as_of).filter(
        pl.col("dato") >= date(d.as_of.year - 1, 12, 31)
    )
    count = int(municipal["telles"].fill_null(False).sum())
    parent = set(
        d.in_region(d.municipal)
        .filter((pl.col("losning") == "digihelsestasjon") & pl.col("telles").fill_null(False))[
            "kommunenummer"
        ]
        .to_list()
    )
    youth = set(municipal.filter(pl.col("telles").fill_null(False))["kommunenummer"].to_list())
    synthetic = bool(d.events.filter((pl.col("losning") == losning) & pl.col("syntetisk")).height)
    where = f" i {d.region_name}" if d.regional else ""
    where_md = f" i {md(d.region_name)}" if d.regional else ""
    blocks: list[Block] = [Heading(name)]
    prose: list[Block] = []
    if text.get("hva"):
        prose.append(Text(text["hva"]))
    prose.append(
        Text(
            f"Per {date_text(d.as_of)} hadde {format_int(count)} kommuner{where_md} tatt "
            f"ungdomsløsningen i bruk; {format_int(len(youth & parent))} av dem har også "
            "DigiHelsestasjon i bruk." + (" Tallene bygger på eksempeldata." if synthetic else "")
        )
    )
    if not (series.height and count):
        return blocks + prose
    s = series.select("dato", "antall")
    chart = ChartBlock(
        "trend",
        s,
        {"name": "Kommuner", "synthetic": synthetic},
        caption=(
            f"{name}: kommuner{where} som har tatt løsningen i bruk, ved hvert "
            f"månedsskifte i {d.as_of.year}. Porteføljen setter ingen ambisjon."
            + (" Bygger på eksempeldata." if synthetic else "")
        ),
        alt=(
            f"Linjediagram. Antallet kommuner{where} med {name} i bruk steg fra "
            f"{format_int(s['antall'][0])} til {format_int(s['antall'][-1])} gjennom "
            f"{d.as_of.year}."
        ),
        name="utvikling-digihelsestasjon-ungdom",
        data=s,
        static_height=TREND_HALF - 60,
        static_width=HALF,
    )
    return [*blocks, Columns(tuple(prose), (chart,))]


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
