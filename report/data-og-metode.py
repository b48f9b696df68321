# %% [markdown]
# ---
# title: "Data og metode (ett kapittel av statusrapporten)"
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
from analysis.edition import method as m
from analysis.edition import skjema as sk
from analysis.edition.data import edition_data
from analysis.present.blocks import show_blocks

d = edition_data(edition(year, region, processed))

# %% [markdown]
# ## Data og metode
#
# Kapitlet sier hvordan tallene er laget: trinnene, hva som telles, fremdriften og forventet
# dato. Kildene, eksempeldataene og radene som ikke kunne brukes, står i vedlegget
# *Om statistikken*.

# %% [markdown]
# ### Statusskjema fra kommunene
#
# For de fleste løsningene finnes ingen offentlig liste per kommune. KS sender derfor et
# statusskjema til kommunene i hvert fylke, forhåndsutfylt med det som er kjent, og leser
# svarene inn med kilde, skjema og rad. Under står svarprosenten per fylke og svarene som
# motsier et annet skjema eller et register.

# %%
#| output: asis
show_blocks(sk.form_blocks(d))

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

# %%
#| output: asis
show_blocks(m.counting_rule_blocks(d))

# %% [markdown]
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
# - **frist passert, ikke nådd**: fristen var passert før de siste 12 månedene begynte, og
#   ambisjonen er ikke nådd; forventet dato med dagens tempo vises fortsatt;
# - **ikke beregnbar**: for kort tidsserie eller ingen ambisjon.
#
# En utgave for et senere år enn porteføljen måler mot den nyeste porteføljens ambisjoner og
# frister til en nyere portefølje er lagt inn, og sier det på forsiden og i statustabellen.
#
# **Forventet dato.** Når ambisjonen nås med dagens utvikling: fra en logistisk kurve (S-kurve)
# tilpasset månedstallene når det er minst fire punkter, ellers fra tempoet. Intervallet er
# 90 % av usikkerheten i kurven, utvidet til å omfatte datoen tempoet de siste 12 månedene gir.
# I figurene er veien til forventet dato tegnet som en rett linje fra siste observasjon.
#
# **Regionale utgaver.** Et fylkes ambisjon er dets forholdsmessige andel av den nasjonale
# ambisjonen, etter hvor mange av kommunene i aktivitetens omfang som ligger i fylket.
#
# **Desimaler.** Antall kommuner er alltid hele tall. To størrelser kan likevel ha desimaler,
# og vises med én: et fylkes forholdsmessige andel av ambisjonen (for eksempel 20,5 kommuner)
# og tempoet, som er et gjennomsnitt i kommuner per år.
#

# %%
#| output: asis
show_blocks(m.message_rule_blocks(d))

# %% [markdown]
# ### Endringer siden forrige utgave

# %%
#| output: asis
show_blocks(m.change_blocks(d))
