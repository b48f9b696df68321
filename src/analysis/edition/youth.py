"""DigiHelsestasjon's youth solution, shown inside DigiHelsestasjon's section: counted like an
activity, though the portfolio sets it no ambition."""

from __future__ import annotations

from datetime import date

import polars as pl

from analysis.edition.blocks import Block, ChartBlock, Columns, Heading, Text
from analysis.edition.data import EditionData
from analysis.edition.maps import HALF, TREND_HALF
from analysis.escape import markdown_text as md
from analysis.fmt import date_text, format_int


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
