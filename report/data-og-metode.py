# %% tags=["parameters"]
year = None
region = None
processed = None

# %%
import polars as pl

from analysis.load import MissingDataError, load_manifest, load_table
from analysis.publish import report_data, report_params
from analysis.reference.geometry import SOURCE as GEOMETRY
from analysis.tables import format_date, format_int, format_month, say, show_table, source_line

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
items = [source_line(s) for s in sources]
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
# Tallet som telles mot ambisjonen, er kommunene som har tatt løsningen i bruk. Unntaket er
# Kjernejournal, der porteføljen teller kommuner der løsningen er *tilgjengeliggjort* i
# systemene. For meldingsversjonene teller en kommune når hver meldingstype den sender, går
# minst 95 % i gjeldende versjon i siste hele måned. Helseplattformen gjelder bare kommunene i
# Helse Midt-Norges område.
#
# **Statusdato.** Alle tall gjelder statusdatoen, slutten av rapportåret. De regnes fra
# hendelsene i kildene (kommune, løsning, trinn og dato): en kommune står på det høyeste
# trinnet den hadde nådd på datoen. Porteføljens egne tall er fra april; de vises ved siden av
# tallene beregnet for samme dato, og avviket mellom dem.
#
# **Fremdrift.** Kategorien sammenligner tempoet de siste 12 månedene (kommuner per år) med
# tempoet som trengtes i samme periode for å nå ambisjonen innen fristen, etter metoden Eurostat
# bruker for bærekraftsmålene:
#
# - **nådd**: ambisjonen er nådd;
# - **på sporet**: tempoet er minst 95 % av det som trengs;
# - **akselerasjon nødvendig**: 60–95 %;
# - **begrenset fremgang**: under 60 %;
# - **tilbakegang**: antallet går ned;
# - **ikke beregnbar**: for kort tidsserie, ingen ambisjon eller fristen var passert.
#
# **Forventet dato.** Når ambisjonen nås med dagens utvikling: fra en logistisk kurve (S-kurve)
# tilpasset månedstallene når det er minst fire punkter, ellers fra tempoet. Intervallet er
# 90 % av usikkerheten i kurven, utvidet til å omfatte datoen tempoet de siste 12 månedene gir.
# I figurene er veien til forventet dato tegnet som en rett linje fra siste observasjon.
# Metoden er beskrevet i `docs/metode.md`.
#
# **Regionale utgaver.** Et fylkes ambisjon er dets forholdsmessige andel av den nasjonale
# ambisjonen, etter hvor mange av kommunene i aktivitetens omfang som ligger i fylket.
#
# ### Endringer siden forrige utgave

# %%
d = report_data(p)
month = format_month(d.published_date) if d.published_date else "april"
say(
    "Dette er den første utgaven laget med dette verktøyet. Forrige utgave var porteføljens "
    f"eget dokument for {p.year}, laget for hånd med status per {month}. Det som er endret:\n\n"
    f"- **Statusdato**: tallene gjelder {format_date(d.as_of)} i stedet for {month}; "
    "porteføljens tall vises ved siden av.\n"
    "- **Beregnede tall**: antallene er regnet ut fra kommunevise data, ikke rapportert som "
    "totaler, og kan derfor brytes ned på fylker og kommuner.\n"
    "- **Nye kolonner**: fremdriftskategori, tempo, nødvendig tempo og forventet dato med "
    "intervall for hver aktivitet.\n"
    "- **Meldingsversjoner** har fått en status, regnet fra meldingsstatistikken; porteføljen "
    "oppga ingen.\n"
    "- **Regionale utgaver** per fylke, med fylkets andel av ambisjonen."
)
if d.overview_published is not None:
    cmp = d.overview_published.select(
        pl.concat_str(pl.col("nr"), pl.lit(" "), pl.col("aktivitet")).alias("aktivitet"),
        "publisert",
        "antall",
        "avvik",
    )
    differ = cmp.filter(pl.col("avvik").fill_null(0) != 0)
    say(
        f"Tallene porteføljen publiserte for {month}, mot tallene beregnet for "
        f"{format_date(d.published_date)} fra dataene i denne rapporten. "
        + (
            f"{differ.height} av aktivitetene avviker; der vises begge tallene i avsnittet."
            if differ.height
            else "Ingen av tallene avviker."
        )
    )
    show_table(
        cmp,
        f"Publisert i porteføljen og beregnet for {format_date(d.published_date)}",
        labels={
            "aktivitet": "Aktivitet",
            "publisert": f"Publisert ({month})",
            "antall": "Beregnet",
            "avvik": "Avvik",
        },
        synthetic=bool(d.overview_published["syntetisk"].any()),
        name="endringer",
        source="Avvik: beregnet minus publisert. – : ingen publisert status.",
    )
