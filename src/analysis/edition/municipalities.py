"""The municipalities chapter and the shared measures, as data."""

from __future__ import annotations

import polars as pl

from analysis.edition.blocks import Block, ChartBlock, Columns, Heading, TableBlock, Text
from analysis.edition.data import EditionData
from analysis.edition.maps import map_areas, map_options
from analysis.fmt import date_text, format_int, format_month, join_names

POPULATION_BINS = [2_000, 5_000, 10_000, 20_000, 50_000]


def municipality_blocks(d: EditionData) -> list[Block]:
    """Status per municipality first (what readers look for), then the population."""
    from analysis.edition.municipality_status import municipality_table_blocks

    return [
        Heading("Status per kommune", 3),
        *municipality_table_blocks(d),
        Heading("Innbyggere", 3),
        *population_blocks(d),
    ]


def population_blocks(d: EditionData) -> list[Block]:
    k = d.kommuner
    pop_date = k["befolkning_dato"].max()
    total = int(k["befolkning"].sum())
    blocks: list[Block] = [
        Text(
            f"Kommuneinndelingen fra {d.edition.division} har {format_int(k.height)} kommuner i "
            f"{k['fylkesnummer'].n_unique()} fylker, med til sammen {format_int(total)} innbyggere "
            f"per {date_text(pop_date)} (SSB, tabell 07459). Ambisjonene i porteføljen er satt "
            "i antall kommuner, så en liten og en stor kommune teller likt."
        )
    ]
    per_county = (
        k.group_by("fylkesnummer", "fylkesnavn")
        .agg(kommuner=pl.len(), befolkning=pl.col("befolkning").sum())
        .sort("fylkesnummer")
        .with_columns(
            fylke=pl.col("fylkesnummer") + " " + pl.col("fylkesnavn"),
            andel=pl.col("befolkning") / total,
            utvalgt=pl.col("fylkesnummer") == (d.region or ""),
        )
    )
    landet = pl.DataFrame(
        {
            "fylke": ["Hele landet"],
            "kommuner": [k.height],
            "befolkning": [total],
            "andel": [1.0],
            "utvalgt": [False],
        },
        schema_overrides={"kommuner": pl.UInt32},
    )
    table = TableBlock(
        pl.concat([per_county.select(landet.columns), landet], how="vertical_relaxed"),
        "Kommuner og innbyggere per fylke",
        {
            "labels": {
                "fylke": "Fylke",
                "kommuner": "Kommuner",
                "befolkning": "Innbyggere",
                "andel": "Andel av innbyggerne",
            },
            "percent": ["andel"],
            "decimals": {"andel": 1},
            "emphasis": "utvalgt",
            "source": f"Kilde: SSB, tabell 07459 (befolkning {date_text(pop_date)}).",
        },
    )
    scope = d.in_region(k).select("kommunenummer", "kommunenavn", "befolkning")
    areas, b = map_areas(d, scope, "befolkning")
    largest = scope.sort("befolkning", descending=True)["kommunenavn"].head(3).to_list()
    where = "fylkets" if d.regional else "landets"
    blocks.append(
        Columns(
            (table,),
            (
                ChartBlock(
                    "map",
                    areas,
                    map_options(
                        b,
                        "befolkning",
                        bins=POPULATION_BINS,
                        legend_title="Innbyggere",
                        region=d.region,
                    ),
                    caption=f"Innbyggere per kommune {date_text(pop_date)}. Kilde: SSB, tabell 07459.",
                    alt=(
                        f"Kart over {where} {format_int(scope.height)} kommuner, farget etter antall "
                        "innbyggere i seks klasser fra under 2 000 til 50 000 og over. Flest innbyggere "
                        f"har {join_names(largest)}."
                    ),
                    name="kart-innbyggere",
                    data=scope,
                    static_height=None if d.regional else 528,
                    static_width=420,
                ),
            ),
            floating=False,  # a short chapter: the pair stays under its heading
        )
    )
    return blocks


def measure_blocks(d: EditionData) -> list[Block]:
    """The portfolio's shared measures for the sector."""
    if d.tiltak is None or d.tiltak.height == 0:
        return [Text("Dataene har ingen tabell over felles tiltak.")]
    blocks: list[Block] = []
    when = f" ({format_month(d.published_date)})" if d.published_date else ""
    if d.regional:
        blocks.append(
            Text(
                "Tiltakene er nasjonale og er de samme i alle fylker; noen av dem prøves ut i "
                "enkeltkommuner."
            )
        )
    blocks.append(
        TableBlock(
            d.tiltak.sort("nr", nulls_last=True).select(
                pl.col("nr").fill_null("–"),
                pl.col("innsatsomrade").fill_null("–"),
                "tiltak",
                pl.col("eier").fill_null("–"),
                pl.col("tidsramme").fill_null("–"),
                pl.col("status").fill_null("ikke oppgitt"),
            ),
            "Felles tiltak for kommunal sektor",
            {
                "labels": {
                    "nr": "Nr.",
                    "innsatsomrade": "Innsatsområde",
                    "tiltak": "Tiltak",
                    "eier": "Eier",
                    "tidsramme": "Tidsramme",
                    "status": f"Status{when}",
                },
                "synthetic": bool(d.tiltak["syntetisk"].any()),
                "searchable": False,
                "source": f"Kilde: {d.tiltak['kilde'][0]}.",
            },
        )
    )
    return blocks
