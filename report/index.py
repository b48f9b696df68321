# %% [markdown]
# ---
# title: "Status for kommunenes innføring av nasjonale e-helseløsninger"
# subtitle: "Kommunal sektors e-helseportefølje"
# publisher: KS
# ---

# %% tags=["parameters"]
# Parameters: None means "from the environment" (EHELSE_YEAR, EHELSE_REGION, EHELSE_PROCESSED),
# which `ehelse report` sets; `quarto render -P year:2024` or papermill may set them here.
year = None
region = None
processed = None

# %%
import polars as pl

from analysis.load import MissingDataError, load_manifest, load_table
from analysis.publish import report_params
from analysis.tables import Tile, format_int, notice, say, show_tiles

p = report_params(year, region, processed)
kommuner = load_table("kommuner", p.processed)
try:
    manifest = load_manifest(p.processed)
except MissingDataError:
    manifest = {}
synthetic_sources = [s for s in manifest.get("sources", []) if s.get("synthetic")]
try:
    ambisjoner = load_table("ambisjoner", p.processed)
except MissingDataError:
    ambisjoner = None

# %% [markdown]
# ## Sammendrag

# %%
inndeling = kommuner["inndeling"][0]
if p.regional:
    fylke = kommuner.filter(pl.col("fylkesnummer") == p.region)
    say(
        f"Dette er den regionale utgaven for **{fylke['fylkesnavn'][0]}** av statusrapporten for "
        f"{p.year}. Tallene gjelder fylkets {fylke.height} kommuner, med tallene for hele landet "
        "ved siden av til sammenligning."
    )
say(
    f"Rapporten viser hvor langt kommunene har kommet i å ta i bruk de nasjonale "
    f"e-helseløsningene i kommunal sektors e-helseportefølje, målt mot sektorens ambisjoner. "
    f"Den bygger på kommuneinndelingen for {inndeling} med {format_int(kommuner.height)} "
    "kommuner. Kapitlet *Data og metode* beskriver kildene og hvordan tallene er laget."
)
if synthetic_sources:
    notice(
        "Noen av tallene i rapporten er laget av eksempeldata for å vise hvordan rapporten ser "
        "ut, og er ikke virkelige. Figurer og tabeller bygd på dem er merket «Eksempeldata». "
        "Kildene er listet i kapitlet *Data og metode*.",
        kind="eksempeldata",
        title="Eksempeldata.",
    )

# %% [markdown]
# ### Innføringsaktivitetene

# %%
if ambisjoner is None or ambisjoner.height == 0:
    say("Porteføljens ambisjoner er ikke lest inn ennå (tabellen `ambisjoner` mangler).")
else:
    rows = ambisjoner.sort("nr").iter_rows(named=True)
    show_tiles(
        [
            Tile(
                aktivitet=r["aktivitet"],
                i_bruk=r["status_publisert"],
                ambisjon=r["ambisjon"],
                merknad=(
                    f"Publisert status {r['status_dato']:%m.%Y}" if r["status_dato"] else None
                ),
            )
            for r in rows
        ],
        synthetic=bool(ambisjoner["syntetisk"].any()),
    )
    say(
        "Hver flis viser antall kommuner som har tatt løsningen i bruk, mot ambisjonen for "
        "aktiviteten, slik porteføljen publiserte dem."
    )
