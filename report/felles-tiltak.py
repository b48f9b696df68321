# %% [markdown]
# ---
# title: "Felles tiltak for kommunal sektor (ett kapittel av statusrapporten)"
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
from analysis.edition.municipalities import measure_blocks
from analysis.present.blocks import show_blocks

d = edition_data(edition(year, region, processed))

# %% [markdown]
# ## Felles tiltak for kommunal sektor
#
# Ved siden av innføringsaktivitetene har porteføljen felles tiltak som kommunal sektor skal
# arbeide med sammen, innenfor de fem innsatsområdene. Tiltakene er ikke målt i antall kommuner:
# de har en eier, en tidsramme og en status i ord, slik porteføljen oppga dem.

# %%
#| output: asis
show_blocks(measure_blocks(d))
