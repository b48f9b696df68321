"""The message-version activity's own blocks: the map of who meets the requirement, the share
in the current version per message type, and who still sends outdated versions."""

from __future__ import annotations

from typing import Final

import polars as pl

from analysis.edition.blocks import Block, ChartBlock, Heading, TableBlock, Text
from analysis.edition.data import EditionData
from analysis.edition.maps import HALF, MAP_PAGE, half_height, map_areas, map_options
from analysis.edition.municipality_status import behind_list
from analysis.escape import markdown_text as md
from analysis.fmt import format_int, format_month, format_percent
from analysis.metrics import messages as msg

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
            static_height=None if d.regional else half_height(MAP_PAGE),
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
