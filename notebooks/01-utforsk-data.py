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
# # Utforsk dataene
#
# Hva ligger i `data/processed`: tabellene, kildene de kom fra, hvor godt de dekker
# kommunene, og hvor gode de er (hvordan kommunene ble funnet, hvilke rader som ble avvist).
# Spørringene er de samme som `ehelse query "..."` kjører, så et spørsmål herfra kan tas rett
# til terminalen.
#
# **Merk:** I repoet er tallene per kommune *Eksempeldata*: syntetiske data kalibrert mot de
# publiserte nasjonale tallene, men hvilke kommuner som har hva, er tilfeldig. Porteføljetabellen,
# de publiserte nasjonale tallene og Helseplattformens innføringsliste er virkelige.

# %% tags=["parameters"]
DATA = None  # mappen med prosesserte data; None: EHELSE_PROCESSED eller data/processed

# %%
import polars as pl
from IPython.display import Markdown, display

from analysis.load import load_manifest, processed_dir
from analysis.tools import lookup
from analysis.tools.query import VIEW_DOCS, run

folder = processed_dir(DATA)
manifest = load_manifest(folder)
tables = lookup.load_tables(folder)
if tables.synthetic:
    display(
        Markdown(
            "**Eksempeldata:** tallene per kommune i disse dataene er SYNTETISKE, ikke "
            "virkelige tall."
        )
    )
display(Markdown(f"Data fra `{folder}`, bygget {manifest['created']}."))

# %% [markdown]
# ## Tabellene
#
# Hver tabell er sjekket mot skjemaet sitt (`analysis.schemas`) da den ble skrevet.

# %%
pl.DataFrame(
    {
        "tabell": list(manifest["tables"]),
        "rader": list(manifest["tables"].values()),
        "innhold": [VIEW_DOCS.get(name, "") for name in manifest["tables"]],
    }
)

# %% [markdown]
# ## Kildene
#
# Hver kilde i `data/raw/sources.yaml`: hvor mange rader som ble lest, beholdt og avvist, og om
# den er syntetisk.

# %%
kilder = pl.DataFrame(manifest["inputs"], infer_schema_length=None)
kilder.filter(pl.col("rows_read").is_not_null()).select(
    "id", "kind", "solution", "synthetic", "rows_read", "rows_kept", "rows_rejected"
)

# %% [markdown]
# ## Kommunene
#
# Rapportåret bestemmer kommuneinndelingen. `ehelse query "select count(*) from kommuner"` gir
# det samme antallet som her.

# %%
run(
    "select inndeling, count(*) as kommuner, sum(befolkning)::bigint as innbyggere "
    "from kommuner group by inndeling",
    folder,
)

# %%
run(
    "select fylkesnummer, fylkesnavn, count(*) as kommuner, sum(befolkning)::bigint as innbyggere "
    "from kommuner group by all order by fylkesnummer",
    folder,
)

# %% [markdown]
# ## Løsningene: hendelser per trinn
#
# En hendelse er at en kommune nådde et trinn (planlagt, tilgjengelig, i bruk) for en løsning
# på en dato, slik kilden oppgir det.

# %%
run(
    "select losning, trinn, count(*) as hendelser, count(distinct kommunenummer) as kommuner, "
    "min(dato) as forste, max(dato) as siste, bool_or(syntetisk) as syntetisk "
    "from adopsjon group by all order by losning, trinn",
    folder,
)

# %% [markdown]
# ## Dekning: kommuner med data per løsning
#
# En kommune uten hendelser for en løsning har ikke startet, eller kilden mangler den. Dataene
# kan ikke skille de to, så lav dekning er verdt å sjekke mot kilden.

# %%
run(
    "select a.losning, count(distinct a.kommunenummer) as kommuner_med_data, "
    "(select count(*) from kommuner) as kommuner, "
    "round(100.0 * count(distinct a.kommunenummer) / (select count(*) from kommuner), 1) "
    "as prosent from adopsjon a group by a.losning order by a.losning",
    folder,
)

# %% [markdown]
# ## Kvalitet: hvordan kommunene ble funnet
#
# `exact`: nummer eller offisielt navn; `alias`: parallellnavn, organisasjonsnummer og lignende;
# `historical`: fra en tidligere inndeling; `confirmed`: et stedsnavn en analytiker har bekreftet i
# `data/raw/navnetillegg.csv`. Et navn som bare likner et kommunenavn blir aldri et treff: raden
# avvises som «usikkert navn» med forslagene (se `avvist`).

# %%
run(
    "select kilde_id, treff, count(*) as rader from adopsjon group by all order by kilde_id, treff",
    folder,
)

# %%
avvist = run(
    "select kilde_id, grunn, count(*) as rader from avvist group by all order by rader desc",
    folder,
)
display(Markdown(f"Avviste rader: {avvist['rader'].sum()}."))
display(avvist)

# %% [markdown]
# ## Meldingsstatistikken
#
# Meldinger per år: hvor mange kommuner som sendte, hvor mange meldinger, og hvor mange uten
# versjonsnummer (de teller aldri som gjeldende versjon).

# %%
run(
    "select year(periode) as aar, count(distinct periode) as maaneder, "
    "count(distinct kommunenummer) as kommuner, sum(antall)::bigint as meldinger, "
    "sum(case when versjon is null then antall else 0 end)::bigint as uten_versjon "
    "from meldinger group by all order by aar",
    folder,
)

# %% [markdown]
# ## Månedsbildene
#
# `status` har trinnet hver kommune sto på ved hvert månedsskifte. Siste måned:

# %%
run(
    "select losning, max(dato) as maaned, count(*) filter (where trinn is not null) "
    "as kommuner_i_gang from status where dato = (select max(dato) from status) "
    "group by losning order by losning",
    folder,
)
