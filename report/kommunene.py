# %% [markdown]
# ---
# title: "Kommunene (ett kapittel av statusrapporten)"
# ---

# %%
#| tags: [parameters]
year = None
region = None
processed = None

# %%
#| output: asis
import polars as pl

from analysis.figures import municipality_map, show
from analysis.load import load_table
from analysis.publish import report_params
from analysis.reference.geometry import SOURCE as GEOMETRY
from analysis.tables import format_int, say, show_table

p = report_params(year, region, processed)
kommuner = load_table("kommuner", p.processed)
inndeling = kommuner["inndeling"][0]
pop_date = kommuner["befolkning_dato"].max()
total = kommuner["befolkning"].sum()

# %% [markdown]
# ## Kommunene

# %%
#| output: asis
counties = kommuner["fylkesnummer"].n_unique()
say(
    f"Kommuneinndelingen for {inndeling} har {format_int(kommuner.height)} kommuner i {counties} "
    f"fylker, med til sammen {format_int(total)} innbyggere per {pop_date:%d.%m.%Y} "
    "(SSB, tabell 07459). Ambisjonene i porteføljen er satt i antall kommuner, så en liten og "
    "en stor kommune teller likt."
)

per_county = (
    kommuner.group_by("fylkesnummer", "fylkesnavn")
    .agg(kommuner=pl.len(), befolkning=pl.col("befolkning").sum())
    .sort("fylkesnummer")
    .with_columns(
        fylke=pl.col("fylkesnummer") + " " + pl.col("fylkesnavn"),
        andel=pl.col("befolkning") / total,
        utvalgt=pl.col("fylkesnummer") == (p.region or ""),
    )
)
landet = pl.DataFrame(
    {
        "fylke": ["Hele landet"],
        "kommuner": [kommuner.height],
        "befolkning": [total],
        "andel": [1.0],
        "utvalgt": [False],
    },
    schema_overrides={"kommuner": pl.UInt32},
)
show_table(
    pl.concat([per_county.select(landet.columns), landet], how="vertical_relaxed"),
    "Kommuner og innbyggere per fylke",
    labels={
        "fylke": "Fylke",
        "kommuner": "Kommuner",
        "befolkning": "Innbyggere",
        "andel": "Andel av innbyggerne",
    },
    percent=["andel"],
    decimals={"andel": 1},
    emphasis="utvalgt",
    source=f"Kilde: SSB, tabell 07459 (befolkning {pop_date:%d.%m.%Y}).",
)

# %%
#| output: asis
kart = kommuner.select("kommunenummer", "kommunenavn", "befolkning")
if inndeling >= 2024:  # the boundaries are those of 2020-2023
    from analysis.reference.crosswalk import express

    kart = express(kart, inndeling, 2023, sum_cols=["befolkning"]).filter(
        pl.col("kommunenummer").is_not_null()
    )
    kart = kart.join(
        load_table("kommuner", p.processed).select("kommunenummer", "kommunenavn"),
        on="kommunenummer",
        how="left",
    )
scope = kart.filter(pl.col("kommunenummer").str.starts_with(p.region)) if p.regional else kart
largest = scope.sort("befolkning", descending=True)["kommunenavn"].head(3).to_list()
where = "fylkets" if p.regional else "landets"
show(
    municipality_map(
        kart,
        "befolkning",
        bins=[2_000, 5_000, 10_000, 20_000, 50_000],
        legend_title="Innbyggere",
        region=p.region,
    ),
    caption=(
        f"Innbyggere per kommune {pop_date:%d.%m.%Y}. Kilde: SSB, tabell 07459. "
        f"{GEOMETRY.attribution}"
    ),
    alt=(
        f"Kart over {where} {format_int(scope.height)} kommuner, farget etter antall innbyggere "
        f"i seks klasser fra under 2 000 til 50 000 og over. Flest innbyggere har "
        f"{', '.join(largest[:-1])} og {largest[-1]}."
    ),
    name="kart-innbyggere",
    data=scope,
    static_height=None if p.regional else 880,  # the whole country fills an A4 page
)

# %%
#| output: asis
if p.regional:
    show_table(
        scope.sort("kommunenummer"),
        f"Kommunene i {kommuner.filter(pl.col('fylkesnummer') == p.region)['fylkesnavn'][0]}",
        labels={"kommunenummer": "Nummer", "kommunenavn": "Kommune", "befolkning": "Innbyggere"},
        source="Kilde: SSB, tabell 07459.",
    )
