# %% [markdown]
# ---
# title: "Kommunene (ett kapittel av statusrapporten)"
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
from analysis.edition.municipalities import municipality_blocks
from analysis.present.blocks import show_blocks

d = edition_data(edition(year, region, processed))

# %% [markdown]
# ## Kommunene

# %%
#| output: asis
show_blocks(municipality_blocks(d))
