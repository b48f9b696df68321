"""The «Veiledning» sheet's text: what the form is for, the ladder per activity, which date to
give, the deadline and whom to ask.

The ladder's words follow KS' shared concepts for reporting status on every solution,
«tilgjengeliggjort i kommunen» and «i bruk» («integrert del av tjenesten»), from the
portfolio's explanation of its table of activities; the per-activity wording is ours.
"""

from __future__ import annotations

from typing import Final

PURPOSE: Final = (
    "KS følger hvert år med på hvordan kommunene innfører de nasjonale e-helseløsningene i "
    "kommunal sektors e-helseportefølje. For de fleste løsningene finnes det ingen offentlig "
    "liste over hvilke kommuner som har kommet hvor langt, så vi spør dere. Svarene brukes i "
    "statusrapporten, og hvert svar kan spores tilbake til dette skjemaet, raden og kommentaren."
)
HOW: Final = (
    "Arket «Status» har én rad per kommune og aktivitet. Trinn og dato er fylt ut med det vi "
    "vet fra før, og kolonnen «Forhåndsutfylt fra» sier hvor det kommer fra. Stemmer det, skriv "
    "«ja» i «Kontrollert». Stemmer det ikke, velg riktig trinn i listen, skriv datoen trinnet "
    "ble nådd, og skriv «ja» i «Kontrollert». Bruk «Kommentar» til alt annet. Kommunenummer, "
    "kommune og aktivitet er låst; arket er beskyttet uten passord. Dere kan sortere, filtrere "
    "og gjøre kolonnene bredere. Ikke slett det skjulte arket. Lagre som Excel-fil (.xlsx); "
    "CSV går også."
)
DATES: Final = (
    "Oppgi datoen kommunen nådde trinnet, som dd.mm.åååå (for eksempel 01.03.2023). Vet dere "
    "bare måneden, skriv den første i måneden, eller for eksempel «mars 2023». Datoen kan ikke "
    "være senere enn dagen skjemaet fylles ut. For «planlagt» er datoen dagen planen eller "
    "vedtaket ble gjort; skriv en planlagt oppstartsdato i «Kommentar». «Ikke startet» trenger "
    "ingen dato."
)
STEPS: Final = (
    ("ikke startet", "Kommunen har ikke planlagt, tilgjengeliggjort eller tatt i bruk løsningen."),
    (
        "planlagt",
        "Kommunen har vedtatt eller planlagt å innføre løsningen (for eksempel bestilt den, "
        "eller satt en dato).",
    ),
    (
        "tilgjengeliggjort",
        "Løsningen er tilgjengeliggjort i kommunen: teknisk på plass i kommunens systemer, men "
        "ikke nødvendigvis tatt i bruk.",
    ),
    ("i bruk", "Løsningen er tatt i bruk som en integrert del av tjenesten."),
)
# Per activity: what planned, made available and in use mean for it.
LADDER: Final[dict[str, tuple[str, str, str]]] = {
    "skattedata": (
        "Oppslag mot Skatteetatens API-er er bestilt i fagsystemet, eller bruk av KS "
        "Fiks-registeret er planlagt.",
        "Fagsystemet (eller KS Fiks-registeret) kan hente inntekts- og skatteopplysninger fra "
        "Skatteetaten.",
        "Egenandeler beregnes med opplysninger hentet fra Skatteetatens API-er.",
    ),
    "kjernejournal": (
        "Innføring i sykehjem og hjemmetjenesten er vedtatt eller planlagt.",
        "Kjernejournal er tilgjengelig i journalsystemet for ansatte i sykehjem og "
        "hjemmetjenesten. Porteføljen teller dette trinnet.",
        "Ansatte slår opp i kjernejournal som en del av arbeidet.",
    ),
    "digihelsestasjon": (
        "Avtale om DigiHelsestasjon er inngått eller innføringen er planlagt.",
        "DigiHelsestasjon er satt opp for kommunen, men innbyggerne bruker den ikke ennå.",
        "Helsestasjonen og skolehelsetjenesten bruker DigiHelsestasjon med innbyggerne.",
    ),
    "helseplattformen": (
        "Kommunen har avtale om og tidspunkt for å ta Helseplattformen i bruk.",
        "Helseplattformen er satt opp for kommunen (for eksempel for opplæring), men ikke "
        "tatt i bruk i tjenestene.",
        "Kommunen bruker Helseplattformen som journal i tjenestene.",
    ),
    "vkp": (
        "Påkobling til velferdsteknologisk knutepunkt er bestilt eller planlagt.",
        "Kommunen er koblet på knutepunktet, men ingen løsninger sender data gjennom det ennå.",
        "Velferdsteknologiske løsninger sender data til journalsystemet gjennom knutepunktet.",
    ),
    "digihelse": (
        "Innføring av DigiHelse er vedtatt eller planlagt.",
        "DigiHelse er tilgjengelig i kommunens journalsystem.",
        "Brukere og pårørende i de hjemmebaserte tjenestene bruker DigiHelse.",
    ),
}
DEFAULT_CONTACT: Final = "KS e-Komp eller det regionale digitaliseringsnettverket i fylket"
SYNTHETIC: Final = (
    "SYNTETISKE EKSEMPELDATA: svarene i dette skjemaet er laget av en tilfeldighetsgenerator "
    "for å vise hvordan skjemaet brukes. De er ikke virkelige svar fra kommunene."
)


def ladder(losning: str) -> tuple[str, str, str]:
    """Planned, made available and in use for one activity (the general words when we have
    none of our own)."""
    general = tuple(text for _, text in STEPS[1:])
    return LADDER.get(losning, (general[0], general[1], general[2]))
