# %% [markdown]
# ---
# title: "Status for kommunenes innføring av nasjonale e-helseløsninger"
# subtitle: "Kommunal sektors e-helseportefølje"
# publisher: KS
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
from analysis.edition.summary import summary
from analysis.present.blocks import show_blocks

s = summary(edition_data(edition(year, region, processed)))

# %% [markdown]
# ## Sammendrag

# %%
#| output: asis
show_blocks(s.intro)

# %% [markdown]
# ### Status per aktivitet

# %%
#| output: asis
show_blocks(s.tiles)

# %% [markdown]
# ### Statustabellen

# %%
#| output: asis
show_blocks(s.table)
