# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Kommuneprofil
#
# Én kommune, eller en gruppe kommuner (et interkommunalt samarbeid, et nettverk): status for
# hver løsning med datoene, meldingsversjonene, plassen blant fylkets kommuner, og
# sammenligning med fylket og landet. Kommunen er en parameter: navn, nummer eller
# organisasjonsnummer, som i `ehelse kommune`; en liste gir en gruppe. Et ukjent navn stopper
# med de nærmeste treffene.
#
# **Merk:** I repoet er tallene per kommune *Eksempeldata* (syntetiske), kalibrert mot de
# publiserte nasjonale tallene. Hvilke kommuner som har hva, er tilfeldig.

# %% tags=["parameters"]
KOMMUNE = "Bergen"  # navn eller nummer, eller en liste: ["Bergen", "Askøy", "Øygarden"]
AS_OF = None  # "ÅÅÅÅ-MM-DD"; None: slutten av rapportåret (som `ehelse status`)
DATA = None  # mappen med prosesserte data; None: EHELSE_PROCESSED eller data/processed

# %%
from datetime import date

import polars as pl
from IPython.display import Markdown, display

from analysis.metrics import status as st
from analysis.metrics.profiles import time_on_steps
from analysis.tools import lookup

t = lookup.load_tables(DATA)
as_of = date.fromisoformat(AS_OF) if AS_OF else lookup.default_as_of(t)
names = [KOMMUNE] if isinstance(KOMMUNE, str) else list(KOMMUNE)
found = [lookup.find_municipality(name, t.division) for name in names]
codes = [r.kommunenummer for r in found if r.kommunenummer is not None]
municipal = lookup.municipal_all(t, as_of)
chosen = t.kommuner.filter(pl.col("kommunenummer").is_in(codes))
display(
    Markdown(
        f"Status per {as_of:%d.%m.%Y} for "
        + ", ".join(f"{r.kommunenummer} {r.kommunenavn}" for r in found)
        + "."
    )
)
if t.synthetic:
    display(Markdown("**Eksempeldata:** tallene per kommune er SYNTETISKE, ikke virkelige tall."))

# %% [markdown]
# ## Løsningene
#
# Trinnet på datoen og når kommunen nådde hvert trinn. `teller`: om kommunen teller mot
# ambisjonen (Kjernejournal: tilgjengeliggjort, ellers i bruk).

# %%
for code in codes:
    view = lookup.municipality_view(t, code, as_of, municipal)
    name = chosen.filter(pl.col("kommunenummer") == code)["kommunenavn"][0]
    rank = view.rank.text() if view.rank else "ingen plassering"
    display(Markdown(f"### {code} {name}\n\nAdopsjonsindeks: {rank}."))
    display(
        view.solutions.filter(pl.col("maal") == "adopsjon").select(
            "nr",
            "navn",
            lookup.step_label_expr().alias("trinn"),
            "planlagt_dato",
            "tilgjengelig_dato",
            "i_bruk_dato",
            "telles",
        )
    )
    if view.messages is not None:
        display(
            Markdown(f"Meldingsversjoner {view.message_period:%m.%Y}: **{view.message_status}**.")
        )
        display(
            view.messages.select(
                "meldingstype", "totalt", "andel_gjeldende", "oppfylt", "utdaterte_versjoner"
            )
        )
    elif view.message_status:
        display(Markdown(f"Meldingsversjoner: {view.message_status}."))

# %% [markdown]
# ## Sammenlignet med fylket og landet
#
# Andelen kommuner som teller mot ambisjonen for hver løsning: i utvalget, i fylket (eller
# fylkene) utvalget ligger i, og i hele landet.

# %%
counties = chosen["fylkesnummer"].unique().to_list()
share = ["losning", "andel_kommuner"]
utvalg = st.status_table(municipal.filter(pl.col("kommunenummer").is_in(codes))).select(share)
fylke = st.status_table(municipal.filter(pl.col("fylkesnummer").is_in(counties))).select(share)
landet = st.status_table(municipal).select(share)
(
    lookup.portfolio(t)
    .select("nr", "losning", "navn")
    .join(utvalg.rename({"andel_kommuner": "utvalget"}), on="losning", how="left")
    .join(fylke.rename({"andel_kommuner": "fylket"}), on="losning", how="left")
    .join(landet.rename({"andel_kommuner": "landet"}), on="losning", how="left")
)

# %% [markdown]
# ## Plassen i fylket
#
# Innføringsindeksen er andelen av de mulige løsningene kommunen har tatt i bruk (på trinnet
# som telles). Kommuner med lik indeks deler plass.

# %%
lookup.county_ranks(municipal).filter(pl.col("fylkesnummer").is_in(counties)).select(
    "kommunenummer",
    "kommunenavn",
    "antall_losninger",
    "mulige_losninger",
    "indeks",
    "rang",
    "delt",
    pl.col("kommunenummer").is_in(codes).alias("valgt"),
)

# %% [markdown]
# ## Tid på hvert trinn
#
# Dager kommunen sto på hvert trinn før neste, eller til datoen for trinnet den står på nå.

# %%
time_on_steps(t.adopsjon.filter(pl.col("kommunenummer").is_in(codes)), as_of).sort(
    "kommunenummer", "losning", "fra"
)
