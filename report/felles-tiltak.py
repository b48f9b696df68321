# %% [markdown]
# ---
# title: "Felles tiltak for kommunal sektor (ett kapittel av statusrapporten)"
# ---

# %%
#| tags: [parameters]
year = None
region = None
processed = None

# %%
#| output: asis
import polars as pl

from analysis.publish import report_data, report_params
from analysis.tables import format_month, say, show_table

p = report_params(year, region, processed)
d = report_data(p)

# %% [markdown]
# ## Felles tiltak for kommunal sektor
#
# Ved siden av innføringsaktivitetene har porteføljen felles tiltak som kommunal sektor skal
# arbeide med sammen, innenfor de fem innsatsområdene. Tiltakene er ikke målt i antall kommuner:
# de har en eier, en tidsramme og en status i ord, slik porteføljen oppga dem.

# %%
#| output: asis
if d.tiltak is None or d.tiltak.height == 0:
    say("Tabellen over felles tiltak (`tiltak`) finnes ikke i dataene.")
else:
    when = f" ({format_month(d.published_date)})" if d.published_date else ""
    if p.regional:
        say(
            "Tiltakene er nasjonale og er de samme i alle fylker; noen av dem prøves ut i "
            "enkeltkommuner."
        )
    show_table(
        d.tiltak.sort("nr", nulls_last=True).select(
            pl.col("nr").fill_null("–"),
            pl.col("innsatsomrade").fill_null("–"),
            "tiltak",
            pl.col("eier").fill_null("–"),
            pl.col("tidsramme").fill_null("–"),
            pl.col("status").fill_null("ikke oppgitt"),
        ),
        "Felles tiltak for kommunal sektor",
        labels={
            "nr": "Nr.",
            "innsatsomrade": "Innsatsområde",
            "tiltak": "Tiltak",
            "eier": "Eier",
            "tidsramme": "Tidsramme",
            "status": f"Status{when}",
        },
        synthetic=bool(d.tiltak["syntetisk"].any()),
        searchable=False,
        source=f"Kilde: {d.tiltak['kilde'][0]}.",
    )
