# %% tags=["parameters"]
year = None
region = None
processed = None

# %%
import polars as pl

from analysis.load import MissingDataError, load_manifest, load_table
from analysis.publish import report_params
from analysis.reference.geometry import SOURCE as GEOMETRY
from analysis.tables import format_int, say, show_table

p = report_params(year, region, processed)
try:
    manifest = load_manifest(p.processed)
except MissingDataError:
    manifest = {}
sources = [s for s in manifest.get("sources", []) if isinstance(s, dict)]

# %% [markdown]
# ## Data og metode
#
# ### Kilder
#
# Alle kilder er katalogisert i `data/raw/sources.yaml` med opphav, dato for uthenting og lisens.
# Listen under er laget fra katalogen for denne utgaven.


# %%
def line(s: dict) -> str:
    parts = [f"**{s.get('title') or s.get('id')}**"]
    if s.get("producer"):
        parts.append(str(s["producer"]))
    url = str(s.get("url") or "")
    if url:
        parts.append(f"<{url}>" if url.startswith(("http://", "https://")) else url)
    if s.get("date_accessed"):
        parts.append(f"Hentet {s['date_accessed']}")
    if s.get("license"):
        parts.append(f"Lisens: {s['license']}")
    text = ". ".join(str(x).rstrip(".") for x in parts) + "."
    return f"- {text} *Eksempeldata.*" if s.get("synthetic") else f"- {text}"


items = [line(s) for s in sources]
licence = GEOMETRY.license.split(" (")[0]
items.append(
    f"- **Kommunegrenser.** {GEOMETRY.attribution.removeprefix('Kommunegrenser: ')} "
    f"Lisens: {licence}."
)
if not sources:
    say("Manifestet for dataene (`manifest.json`) mangler, så kildelisten er ufullstendig.")
say("\n".join(items))

# %% [markdown]
# ### Eksempeldata

# %%
synthetic = [s for s in sources if s.get("synthetic")]
if synthetic:
    say(
        f"{len(synthetic)} av kildene er syntetiske eksempeldata laget med "
        "`ehelse example-data` (merket *Eksempeldata* i kildelisten). De viser hvordan "
        "rapporten ser ut med kommunevise data, og er ikke virkelige. Alt som bygger på dem, "
        "er merket «Eksempeldata»."
    )
else:
    say("Ingen av kildene i denne utgaven er eksempeldata.")

# %% [markdown]
# ### Avviste rader
#
# Hver rad i kildene havner enten i en tabell eller blant de avviste radene, med grunn.

# %%
try:
    avvist = load_table("avvist", p.processed)
except MissingDataError:
    avvist = None
if avvist is None:
    say("Tabellen over avviste rader (`avvist`) finnes ikke i dataene.")
elif avvist.height == 0:
    say("Ingen rader ble avvist.")
else:
    say(f"{format_int(avvist.height)} rader ble avvist. Fordelt på kilde og grunn:")
    show_table(
        avvist.group_by("kilde_id", "grunn").agg(rader=pl.len()).sort("kilde_id", "grunn"),
        "Avviste rader per kilde og grunn",
        labels={"kilde_id": "Kilde", "grunn": "Grunn", "rader": "Rader"},
    )

# %% [markdown]
# ### Definisjoner
#
# Innføringen måles på en trappestige med tre trinn. Et høyere trinn forutsetter de lavere.
#
# - **Planlagt**: kommunen har vedtatt eller meldt at den skal ta løsningen i bruk, med en
#   planlagt dato.
# - **Tilgjengelig**: løsningen er teknisk tilgjengeliggjort i kommunens systemer, men det er
#   ikke kjent om den brukes.
# - **I bruk**: kommunen har tatt løsningen i bruk i tjenestene.
#
# En kommune som ikke har nådd noe trinn, er **ikke startet**. **Ingen data** betyr at kildene
# ikke sier noe om kommunen; det er ikke det samme som ikke startet, og vises med egen farge.
# Ambisjonene er antall kommuner, slik kommunal sektors e-helseportefølje setter dem.
#
# ### Endringer siden forrige utgave
#
# Dette er den første utgaven laget med dette verktøyet; endringer mot tidligere publiserte
# tall vises i kapitlene der kildene er uenige.
