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
# # Meldingsversjoner
#
# Sender kommunene de gjeldende versjonene av meldingene (PLO, henvisning, epikrise,
# helsefaglig dialog, rekvisisjon og svar)? En kommune oppfyller kravet en måned når hver
# meldingstype den sendte, var minst 95 % i gjeldende versjon. Meldinger uten versjonsnummer
# teller aldri som gjeldende. Porteføljen 2023 har ingen publisert status for denne
# aktiviteten; tallene her er de eneste.
#
# **Merk:** I repoet er meldingsstatistikken per kommune *Eksempeldata* (syntetisk).

# %% tags=["parameters"]
AS_OF = None  # "ÅÅÅÅ-MM-DD"; None: slutten av rapportåret (som `ehelse status`)
FYLKE = None  # None: hele landet; ellers fylkesnummer eller -navn, for eksempel "Vestland"
DATA = None  # mappen med prosesserte data; None: EHELSE_PROCESSED eller data/processed

# %%
from datetime import date

import polars as pl
from IPython.display import Markdown, display

from analysis.metrics import messages as msg
from analysis.metrics.overview import status_overview
from analysis.metrics.rules import message_rule_text
from analysis.present.charts import trend_chart
from analysis.present.output import show
from analysis.reference.find import find_county
from analysis.tools import lookup

t = lookup.load_tables(DATA)
if t.meldinger is None or not t.meldinger.height:
    raise ValueError("Ingen meldingsstatistikk i dataene: legg den inn og kjør `ehelse ingest`.")
as_of = date.fromisoformat(AS_OF) if AS_OF else lookup.default_as_of(t)
county = find_county(FYLKE, t.division) if FYLKE else None
kommuner = t.kommuner.filter(pl.col("fylkesnummer") == county[0]) if county else t.kommuner
meldinger = t.meldinger.join(kommuner.select("kommunenummer"), on="kommunenummer", how="semi")
versions = msg.required_versions(as_of)
month = msg.latest_period(meldinger, as_of)
where = f"{county[1]} ({kommuner.height} kommuner)" if county else "hele landet"
display(Markdown(f"Utvalg: {where}. Siste hele måned per {as_of:%d.%m.%Y}: {month:%m.%Y}."))
if bool(meldinger["syntetisk"].any()):
    display(Markdown("**Eksempeldata:** meldingstallene er SYNTETISKE, ikke virkelige tall."))

# %% [markdown]
# ## Gjeldende versjoner
#
# Den daterte regelen for gjeldende versjoner, bygd fra Norsk helsenetts frister for å sende
# (`src/analysis/metrics/data/meldingsversjoner.csv`), slik den står per statusdatoen. Hver måned i statistikken vurderes mot kravene som
# gjaldt den måneden; flere versjoner kan være gjeldende samtidig.

# %%
display(Markdown(message_rule_text(as_of)))
display(versions.drop("regler", "merknad"))

# %% [markdown]
# ## Utviklingen
#
# Kommuner som oppfyller kravet per måned, mot ambisjonen (alle kommunene; for et fylke dets
# forholdsmessige andel).

# %%
overview = status_overview(
    t.adopsjon,
    t.kommuner,
    t.ambisjoner,
    as_of,
    meldinger=t.meldinger,
    county=county[0] if county else None,
)
row = overview.filter(pl.col("losning") == msg.LOSNING).row(0, named=True)
series = msg.compliance_series(t.meldinger, versions, as_of, kommuner=kommuner)
ambition = row["ambisjon_andel"]
fig = trend_chart(
    series,
    ambition=round(ambition) if ambition is not None else None,
    deadline=row["frist"],
    synthetic=t.synthetic,
    name="Oppfyller kravet",
)
show(
    fig,
    caption=f"Kommuner som sender gjeldende meldingsversjoner, {where}.",
    alt="Linjediagram over antall kommuner som oppfyller kravet per måned.",
    data=series,
)
display(
    Markdown(
        f"{row['antall']} av {row['i_omfang']} kommuner oppfyller kravet. "
        f"Kategori: **{row['kategori']}**."
    )
)

# %% [markdown]
# ## Siste måned per meldingstype
#
# Andelen av meldingene som ble sendt i gjeldende versjon, og hvor mange kommuner som oppfyller
# kravet for typen.

# %%
latest = meldinger.filter(pl.col("periode") == month)
shares = msg.version_shares(latest, versions)
shares.group_by("meldingstype").agg(
    pl.col("totalt").sum(),
    pl.col("gjeldende").sum(),
    pl.col("utdatert").sum(),
    pl.col("uten_versjon").sum(),
    pl.col("oppfylt").sum().alias("kommuner_oppfylt"),
    pl.len().alias("kommuner_som_sendte"),
).with_columns(andel_gjeldende=pl.col("gjeldende") / pl.col("totalt")).sort("meldingstype")

# %% [markdown]
# ## Kommunene etter status
#
# `utdaterte versjoner`: minst én type under 95 % på grunn av gamle versjoner;
# `mangler versjonsnummer`: under 95 % bare fordi systemet ikke oppgir versjon.

# %%
comp = msg.compliance(latest, versions)
comp.group_by("status").agg(pl.len().alias("kommuner")).sort("kommuner", descending=True)

# %% [markdown]
# ## Hvem sender fortsatt utdaterte versjoner
#
# De største avsenderne først: her gir en oppgradering mest.

# %%
msg.outdated(latest, versions, month).join(
    t.kommuner.select("kommunenummer", "kommunenavn", "fylkesnavn"), on="kommunenummer", how="left"
).head(20)

# %% [markdown]
# ## Per fylke
#
# Andelen av fylkets kommuner som oppfyller kravet siste måned.

# %%
comp.join(
    kommuner.select("kommunenummer", "fylkesnummer", "fylkesnavn"), on="kommunenummer"
).group_by("fylkesnummer", "fylkesnavn").agg(
    pl.len().alias("kommuner"),
    pl.col("oppfylt").fill_null(False).sum().alias("oppfyller"),
).with_columns(andel=pl.col("oppfyller") / pl.col("kommuner")).sort("fylkesnummer")
