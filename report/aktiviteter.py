# %% [markdown]
# ---
# title: "Innføringsaktivitetene (ett kapittel av statusrapporten)"
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
from analysis.edition.activities import sections
from analysis.edition.blocks import Flush
from analysis.edition.data import edition_data
from analysis.present.blocks import say, show_blocks

d = edition_data(edition(year, region, processed))

# %% [markdown]
# ## Innføringsaktivitetene
#
# Porteføljen anbefaler kommunene sju innføringsaktiviteter, i prioritert rekkefølge. Hvert
# avsnitt under tar for seg én av dem, med samme nummer som i porteføljen: hva løsningen er,
# status mot ambisjonen med porteføljens publiserte tall ved siden av, utviklingen over tid med
# forventet dato for å nå ambisjonen, kommunene på kart og fylkene i en tabell.

# %%
#| output: asis
for section in sections(d):
    say(f"### {section.name}")
    show_blocks(section.blocks)
show_blocks([Flush()])  # the chapter's floating figures stay in it
