# %% [markdown]
# ---
# title: "Status for kommunenes innføring av nasjonale e-helseløsninger"
# subtitle: "Kommunal sektors e-helseportefølje"
# publisher: KS
# # The colophon on the front page (analysis.edition.colophon): who answers questions, and
# # where the accessibility statement is published (Digitaliseringsdirektoratet's uustatus.no
# # keeps the statements of public bodies; set the address of KS' own statement here).
# kontakt: "KS, www.ks.no"
# tilgjengelighetserklaering: https://uustatus.no
# # The chapters, in the portfolio's order: the one list of them (both render paths).
# kapitler:
#   - index.py
#   # One chapter for the seven activities (portfolio 2.1-2.7): a section per activity.
#   - aktiviteter.py
#   - felles-tiltak.py
#   - regioner.py
#   - kommunene.py
#   - data-og-metode.py
#   # The appendix: sources cited, example data, rejected rows, corrections, accessibility.
#   - om-statistikken.py
# ---

# %%
#| tags: [parameters]
# The edition: None means "from the environment" (EHELSE_YEAR, EHELSE_REGION,
# EHELSE_PROCESSED, set by `ehelse report`), else the defaults. `quarto render report
# -P year:2024 -P region:46` sets them here.
year = None
region = None
processed = None

# %%
#| output: asis
# All chapters in this one kernel, each in its own namespace, their output as markdown.
from analysis.render.quarto import run_chapters

run_chapters(year, region, processed)
