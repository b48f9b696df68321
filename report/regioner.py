# %% [markdown]
# ---
# title: "Regional sammenligning (ett kapittel av statusrapporten)"
# ---

# %%
#| tags: [parameters]
# Parameters: None means "from the environment" (EHELSE_YEAR, EHELSE_REGION, EHELSE_PROCESSED),
# which `ehelse report` sets; `quarto render -P year:2024` may set them here.
year = None
region = None
processed = None

# %%
#| output: asis
from analysis.edition import edition
from analysis.edition.data import edition_data
from analysis.edition.regions import regional_blocks
from analysis.present.blocks import show_blocks

d = edition_data(edition(year, region, processed))

# %% [markdown]
# ## Regional sammenligning
#
# Fylkene og de regionale digitaliseringsnettverkene sammenlignes på andelen av kommunene i
# aktivitetens omfang som telles mot ambisjonen, og på gapet mot den forholdsmessige andelen
# av ambisjonen: har et fylke 10 % av kommunene i omfanget, er dets andel 10 % av ambisjonen.

# %%
#| output: asis
show_blocks(regional_blocks(d))
