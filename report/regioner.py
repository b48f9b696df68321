# %% [markdown]
# ---
# title: "Regional sammenligning (ett kapittel av statusrapporten)"
# ---

# %%
#| tags: [parameters]
year = None
region = None
processed = None

# %%
#| output: asis
import polars as pl

from analysis import regions
from analysis.publish import date_text, report_data, report_params, report_texts
from analysis.tables import format_amount, format_date, format_percent, say, show_table

p = report_params(year, region, processed)
d = report_data(p)
texts = report_texts()
county = d.region_name
order = d.overview.select("losning", "nr").rows()
short = {k: texts.get(k, {}).get("kort") or k for k, _ in order}
SHORT_HEAD = {  # narrow column headings for the wide tables
    "skattedata": "Skatte\u00addata",
    "kjernejournal": "Kjerne\u00adjournal",
    "digihelsestasjon": "DigiHelse\u00adstasjon",
    "helseplattformen": "Helse\u00adplattformen",
    "vkp": "VKP",
    "meldinger": "Meldings\u00adversjoner",
    "digihelse": "DigiHelse",
}
measured = d.municipal.filter(pl.col("maalt"))
by_county = regions.regional_status(measured, d.ambisjoner, "fylke")
by_network = regions.regional_status(measured, d.ambisjoner, "nettverk")
synthetic = bool(d.overview["syntetisk"].any())


def wide(df: pl.DataFrame, keys: list[str], cell: pl.Expr) -> pl.DataFrame:
    """One row per region, one column per activity (in the portfolio's order)."""
    out = df.with_columns(celle=cell).pivot(on="losning", index=keys, values="celle").sort(keys[0])
    cols = [k for k, _ in order if k in out.columns]
    return out.select(*keys, *cols)


# %% [markdown]
# ## Regional sammenligning
#
# Fylkene og de regionale digitaliseringsnettverkene sammenlignes på andelen av kommunene i
# aktivitetens omfang som telles mot ambisjonen, og på gapet mot den forholdsmessige andelen
# av ambisjonen: har et fylke 10 % av kommunene i omfanget, er dets andel 10 % av ambisjonen.

# %%
#| output: asis
say(
    f"Tallene gjelder {date_text(d.as_of)}. Fylkene er rangert innen hver aktivitet, høyest "
    "andel først; like verdier deler plass. Helseplattformen gjelder bare fylkene i Helse "
    "Midt-Norges område."
)

# %% [markdown]
# ### Andel av kommunene per fylke

# %%
#| output: asis
shares = wide(
    by_county,
    ["fylkesnummer", "fylkesnavn"],
    pl.concat_str(
        (pl.col("andel_kommuner") * 100).round(0).cast(pl.Int64).cast(pl.String),
        pl.lit("\u00a0% ("),
        pl.col("rangering").cast(pl.String),
        pl.lit(".)"),
    ),
)
table = shares.select(
    pl.concat_str("fylkesnummer", pl.lit(" "), "fylkesnavn").alias("fylke"),
    *[pl.col(k).fill_null("–") for k in shares.columns[2:]],
    (pl.col("fylkesnummer") == (p.region or "")).alias("utvalgt"),
)
show_table(
    table,
    f"Andel av kommunene i omfanget som telles, med plass blant fylkene, {format_date(d.as_of)}",
    labels={"fylke": "Fylke"} | {k: SHORT_HEAD.get(k, short[k]) for k in short},
    emphasis="utvalgt",
    synthetic=synthetic,
    searchable=False,
    name="fylker-andel",
    source="Plassen står i parentes. – : ingen kommuner i omfanget.",
)
if p.regional:
    places = []
    own = by_county.filter(pl.col("fylkesnummer") == p.region)
    totals = dict(by_county.group_by("losning").len().iter_rows())
    for k, _ in order:
        hit = own.filter(pl.col("losning") == k)
        if hit.height and hit["rangering"][0] is not None:
            places.append(f"{short[k]} nummer {hit['rangering'][0]} av {totals[k]}")
    if places:
        say(f"{county} ligger på plass: " + "; ".join(places) + ".")

# %% [markdown]
# ### Gap mot den forholdsmessige andelen

# %%
#| output: asis
gaps = wide(
    by_county,
    ["fylkesnummer", "fylkesnavn"],
    pl.col("gap"),
)
gap_table = gaps.select(
    pl.concat_str("fylkesnummer", pl.lit(" "), "fylkesnavn").alias("fylke"),
    *gaps.columns[2:],
    (pl.col("fylkesnummer") == (p.region or "")).alias("utvalgt"),
)
behind = by_county.filter(pl.col("gap") > 0.5)
say(
    "Gapet er fylkets andel av ambisjonen minus kommunene som telles: et positivt tall er antall "
    "kommuner fylket mangler for å bære sin del, et negativt tall (−) hvor mange det ligger foran. "
    f"Til sammen ligger fylkene {format_amount(round(behind['gap'].sum(), 1))} kommuner bak sine "
    "andeler i aktivitetene der de ligger bak."
)
show_table(
    gap_table,
    f"Gap mot fylkets forholdsmessige andel av ambisjonen, {format_date(d.as_of)}",
    labels={"fylke": "Fylke"} | {k: SHORT_HEAD.get(k, short[k]) for k in short},
    decimals={k: 1 for k in gap_table.columns[1:-1]},
    emphasis="utvalgt",
    synthetic=synthetic,
    searchable=False,
    name="fylker-gap",
)

# %% [markdown]
# ### De regionale digitaliseringsnettverkene

# %%
#| output: asis
n_networks = by_network["nettverk_id"].n_unique()
n_counties = by_county["fylkesnummer"].n_unique()
if n_networks == n_counties:
    say(
        "De regionale digitaliseringsnettverkene er tilnærmet med fylkene "
        "(`src/analysis/data/nettverk.csv`). I kommuneinndelingen for "
        f"{d.kommuner['inndeling'][0]} er hvert fylke ett nettverk, så nettverkene står for de "
        "samme tallene som fylkene over. Fra 2024 regnes de delte fylkene til nettverket for "
        "fylket de kom fra, så tidsserien henger sammen."
    )
else:
    net = wide(
        by_network,
        ["nettverk_id", "nettverk"],
        pl.concat_str(
            (pl.col("andel_kommuner") * 100).round(0).cast(pl.Int64).cast(pl.String),
            pl.lit("\u00a0% ("),
            pl.col("rangering").cast(pl.String),
            pl.lit(".)"),
        ),
    )
    show_table(
        net.select("nettverk", *[pl.col(k).fill_null("–") for k in net.columns[2:]]),
        f"Andel av kommunene per regionalt nettverk, med plass, {format_date(d.as_of)}",
        labels={"nettverk": "Nettverk"} | {k: SHORT_HEAD.get(k, short[k]) for k in short},
        synthetic=synthetic,
        searchable=False,
        name="nettverk-andel",
    )
say(
    "Hele landet: "
    + "; ".join(
        f"{short[r['losning']]} {format_percent(r['andel_kommuner'])}"
        for r in d.overview.iter_rows(named=True)
        if r["andel_kommuner"] is not None
    )
    + " av kommunene i omfanget."
)
