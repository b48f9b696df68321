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
# # Én løsning i dybden
#
# Status mot ambisjonen, utviklingen over tid, trinnene, fylkene, kommunene som har stått
# stille og hvilke andre løsninger den følger med. Løsningen er en parameter: id eller navn
# (`digihelse`, `DigiHelsestasjon`, `kjernejournal`, `helseplattformen`, `vkp`, `skattedata`,
# `meldinger`).
#
# **Merk:** I repoet er tallene per kommune *Eksempeldata* (syntetiske), kalibrert mot de
# publiserte nasjonale tallene. Hvilke kommuner som har hva, er tilfeldig.

# %% tags=["parameters"]
LOSNING = "digihelse"  # løsningens id eller navn
AS_OF = None  # "ÅÅÅÅ-MM-DD"; None: slutten av rapportåret (som `ehelse status`)
DATA = None  # mappen med prosesserte data; None: EHELSE_PROCESSED eller data/processed

# %%
from datetime import date

import polars as pl
from IPython.display import Markdown, display

from analysis.metrics import messages as msg
from analysis.metrics import status as st
from analysis.metrics.coadoption import coadoption
from analysis.metrics.ladder import ladder_counts
from analysis.metrics.overview import status_overview
from analysis.metrics.profiles import stalled
from analysis.metrics.regions import regional_status
from analysis.present.charts import trend_chart
from analysis.present.output import show
from analysis.tools import lookup

t = lookup.load_tables(DATA)
acts = lookup.portfolio(t)
losning = lookup.find_solution(LOSNING, dict(acts.select("losning", "navn").iter_rows()))
act = acts.filter(pl.col("losning") == losning).row(0, named=True)
as_of = date.fromisoformat(AS_OF) if AS_OF else lookup.default_as_of(t)
municipal = lookup.municipal_all(t, as_of)
own = municipal.filter(pl.col("losning") == losning)
overview = status_overview(
    t.adopsjon, t.kommuner, t.ambisjoner, as_of, meldinger=t.meldinger, publisert=t.publisert
)
row = overview.filter(pl.col("losning") == losning).row(0, named=True)
if t.synthetic:
    display(Markdown("**Eksempeldata:** tallene per kommune er SYNTETISKE, ikke virkelige tall."))


def num(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")


expected = row["forventet_dato"]
display(
    Markdown(
        f"## {act['navn']} per {as_of:%d.%m.%Y}\n\n"
        f"{num(row['antall'])} av {num(row['i_omfang'])} kommuner i omfanget teller mot "
        f"ambisjonen på {num(row['ambisjon'])} ({num(row['prosent_av_ambisjon'], 1)} %). "
        f"Det telles på trinnet *{row['telles_trinn']}*, fristen er {act['frist']:%d.%m.%Y}. "
        f"Kategori: **{row['kategori']}**."
        + (f" Forventet nådd: {expected:%m.%Y}." if expected else "")
        + (
            f" Publisert nasjonalt tall: {num(row['publisert'])} ({row['publisert_dato']:%d.%m.%Y})."
            if row["publisert"] is not None
            else ""
        )
    )
)
overview.filter(pl.col("losning") == losning).select(
    "antall", "ambisjon", "prosent_av_ambisjon", "tempo", "nodvendig_tempo", "forhold", "kategori"
)

# %% [markdown]
# ## Utviklingen
#
# Kommuner som teller mot ambisjonen ved hvert månedsskifte, med ambisjonen og fristen.

# %%
if act["maal"] == "meldingsversjon":
    assert t.meldinger is not None, "dataene har ingen meldingsstatistikk"
    series = msg.compliance_series(t.meldinger, msg.current_versions(), as_of)
else:
    series = st.count_series(t.adopsjon, own, as_of)
fig = trend_chart(
    series,
    ambition=row["ambisjon"],
    deadline=act["frist"],
    synthetic=t.synthetic,
    name=act["navn"],
)
show(
    fig,
    caption=f"{act['navn']}: kommuner som teller mot ambisjonen per måned.",
    alt=(
        f"Linjediagram over antall kommuner med {act['navn']} fra "
        f"{series.select(pl.col('dato').dt.year().min()).item()}."
    ),
    data=series,
)

# %% [markdown]
# ## Trinnene
#
# Kommuner på hvert trinn (`paa_trinnet`) og minst på trinnet (`minst`).

# %%
ladder_counts(own)

# %% [markdown]
# ## Fylkene
#
# Hvert fylke får en forholdsmessig andel av ambisjonen etter antall kommuner i omfanget;
# `gap` er det som mangler. Rangeringen er etter andelen kommuner, høyest først.

# %%
regional_status(own, t.ambisjoner).select(
    "fylkesnummer",
    "fylkesnavn",
    "i_omfang",
    "antall",
    "andel_kommuner",
    "ambisjon_andel",
    "gap",
    "rangering",
)

# %% [markdown]
# ## Kommuner som har stått stille
#
# Tilgjengelig i mer enn tolv måneder uten å være tatt i bruk: her kan KS e-Komp og
# nettverkene hjelpe først.

# %%
if act["maal"] == "adopsjon":
    stille = stalled(t.adopsjon.filter(pl.col("losning") == losning), as_of, kommuner=t.kommuner)
    display(Markdown(f"{stille.height} kommuner har stått stille."))
    display(stille.head(20))
else:
    display(Markdown("Gjelder ikke meldingsversjoner (de har ingen trinn)."))

# %% [markdown]
# ## Sammen med andre løsninger
#
# For hvert par: kommuner med begge, bare den ene, bare den andre og ingen, blant kommunene som
# er i omfanget for begge.

# %%
coadoption(municipal).filter((pl.col("losning_a") == losning) | (pl.col("losning_b") == losning))
