# %% [markdown]
# ---
# title: "Om statistikken (vedlegg til statusrapporten)"
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
from analysis.edition.colophon import (
    accessibility_blocks,
    colophon,
    document_front,
    errata_blocks,
)
from analysis.edition.data import edition_data
from analysis.edition.provenance import appendix_blocks
from analysis.present.blocks import show_blocks

d = edition_data(edition(year, region, processed))
c = colophon(d.edition, document_front())

# %% [markdown]
# ## Om statistikken
#
# Vedlegget gir kildene til tallene i rapporten, sier hva som er eksempeldata, og gjør rede
# for radene i kildene som ikke kunne brukes. Hvordan tallene er regnet ut, står i kapitlet
# *Data og metode*.

# %%
#| output: asis
show_blocks(appendix_blocks(d))

# %% [markdown]
# ### Rettelser

# %%
#| output: asis
show_blocks(errata_blocks(d.edition))

# %% [markdown]
# ### Tilgjengelighet

# %%
#| output: asis
show_blocks(accessibility_blocks(c))
