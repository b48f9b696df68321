"""The example folder's README and the managed block of sources.yaml that catalogues the files."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import polars as pl

from analysis.catalogue_edit import replace_block
from analysis.example_data.params import (
    ANCHORS,
    CATALOGUE_BEGIN,
    CATALOGUE_END,
    CATALOGUE_NOTE,
    COUNTED_STEP,
    EXAMPLE_SUBDIR,
    EXTENSION_GENERATED_ON,
    EXTENSION_LAST_DAY,
    EXTENSION_SUFFIX,
    GENERATED_ON,
    GENERATOR_URL,
    LAST_DAY,
    MESSAGE_NUMBERING_FROM,
    MESSAGE_VERSIONS,
    PACE_WINDOW,
    STATUS_DATE,
    Example,
    ExampleFile,
)


def national_counts(adoption: pl.DataFrame, solution: str, as_of: dt.date) -> int:
    """Municipalities that had reached the solution's counted step by the end of ``as_of``."""
    steps = ("tilgjengelig", "i_bruk") if COUNTED_STEP[solution] == "tilgjengelig" else ("i_bruk",)
    return adoption.filter(
        (pl.col("losning") == solution) & pl.col("trinn").is_in(steps) & (pl.col("dato") <= as_of)
    )["kommunenummer"].n_unique()


def render_readme(example: Example, files: Sequence[ExampleFile]) -> str:
    """data/raw/example/README.md: what these files are, loudly, and how they were made."""
    lines = [
        "# SYNTETISKE EKSEMPELDATA – IKKE VIRKELIGE TALL",
        "",
        "**Alle filene i denne mappen er laget av en tilfeldighetsgenerator.** De viser ikke hvilke",
        "kommuner som faktisk har tatt i bruk en løsning, eller hvor mange meldinger en kommune",
        "faktisk sender. De finnes fordi kommunevise lister for de fleste løsningene ikke er",
        "offentlige (Norsk helsenett og KS deler dem med kommunene, ikke åpent), mens rapporten må",
        "kunne bygges fra dataene i repoet. Erstatt dem med egne eksporter (se README.md i roten).",
        "Alt som vises fra disse filene merkes «Eksempeldata» i rapporten.",
        "",
        f"- Laget med: `uv run ehelse example-data --seed {example.seed}`",
        f"  (`analysis.example_data`, numpy PCG64, seed {example.seed}); samme seed gir de samme",
        "  filene byte for byte.",
        f"- Uttrekksdato skrevet i filene og katalogen: {GENERATED_ON.isoformat()} (fast, ikke dagens dato).",
        "- Kommuneinndeling: 2020–2023 (356 kommuner) i filene til og med 2024; befolkning 1.1.2024",
        "  (SSB 07459), uttrykt i 2023-inndelingen. Filene med `_2026` i navnet bruker",
        "  2024-inndelingen (357 kommuner), se «Forlengelsen 2025–2026» nedenfor.",
        "- Katalogisert i `data/raw/sources.yaml` med `synthetic: true` og sha256 for hver fil.",
        "",
        "## Kalibrert mot publiserte tall",
        "",
        "Datoene er trukket fra en S-formet nasjonal kurve per løsning som går eksakt gjennom de",
        "publiserte punktene (antall kommuner på eller før datoen). Større kommuner og noen",
        "fylker tar løsningene i bruk tidligere; noen kommuner blir stående (Kjernejournal",
        "tilgjengeliggjort i over et år uten å være tatt i bruk).",
        "",
        "| Løsning | Trinn som telles | Dato | Publisert | I eksempeldataene |",
        "|---|---|---|---|---|",
    ]
    published = {
        ("digihelse", STATUS_DATE): "133 (KS-porteføljen, april 2023)",
        ("digihelsestasjon", STATUS_DATE): "147 (KS-porteføljen, april 2023)",
        ("kjernejournal", dt.date(2019, 12, 31)): "6 (KS: kommuner i gang 2019)",
        ("kjernejournal", STATUS_DATE): "215 (KS-porteføljen, april 2023)",
        ("kjernejournal", dt.date(2023, 12, 31)): "274 (e-helsemonitor, utgangen av 2023)",
        ("vkp", dt.date(2022, 12, 31)): "21 (2022, årstall uten dato)",
        ("vkp", STATUS_DATE): "30 (KS-porteføljen, april 2023)",
        ("skattedata", STATUS_DATE): "0 (KS-porteføljen, april 2023)",
    }
    for solution, anchors in ANCHORS.items():
        for d, _ in anchors:
            pub = published.get((solution, d), "– (antatt)")
            got = national_counts(example.adoption, solution, d)
            lines.append(
                f"| {solution} | {COUNTED_STEP[solution]} | {d.isoformat()} | {pub} | {got} |"
            )
    lines += [
        "",
        "DigiHelsestasjon-tallet 101 uten dato og Helseplattformen (som kommer fra den virkelige",
        "innføringslisten i `data/raw/published/`) er ikke brukt her.",
        "",
        "## Forlengelsen 2025–2026",
        "",
        f"Hendelsene etter {LAST_DAY.isoformat()} til og med {EXTENSION_LAST_DAY.isoformat()} er",
        "trukket fra en egen tilfeldighetsstrøm avledet av samme seed, så alt til og med",
        f"{LAST_DAY.isoformat()} er uendret. Hver løsning fortsetter sin egen kurve fra tallet og",
        f"tempoet de siste {PACE_WINDOW} virkedagene før {LAST_DAY.isoformat()}, og flater ut mot",
        "antall kommuner (ingen hopp, ingen ny akselerasjon); kommunene kommer i samme",
        "rekkefølge som før. Det finnes ingen publiserte nasjonale tall etter 2023 for disse",
        "løsningene å kalibrere mot; tallene er antatte.",
        "",
        f"Filene `*{EXTENSION_SUFFIX}.*` er eiernes uttrekk datert"
        f" {EXTENSION_GENERATED_ON.isoformat()}: samme form som",
        "de eldre filene, men med kommunenummer, navn og fylker fra 2024-inndelingen, og med",
        "dagens status for hver kommune (Kjernejournal: én rad per trinn). De gjentar derfor det de",
        "eldre filene sier; `ehelse ingest` teller en hendelse som står i to filer én gang og",
        "avviser den andre forekomsten med grunnen «samme hendelse som kilden …». Ålesund (1508)",
        "og Haram (1580) står hver for seg med datoene Ålesund (1507) hadde før delingen 1.1.2024.",
        "Organisasjonsnummer for de to er ikke oppgitt i registeret og står tomt (navnet",
        "identifiserer kommunen). Uttrekksdatoen ligger etter siste hendelse: kjøres `ehelse",
        f"ingest` før {EXTENSION_LAST_DAY.isoformat()}, avvises hendelser datert etter",
        "kjøringsdagen som «dato i fremtiden».",
        "",
        "| Løsning | Trinn som telles | 31.12.2024 | 31.12.2025 | 31.12.2026 |",
        "|---|---|---|---|---|",
    ]
    every = example.all_adoption()
    for solution in ANCHORS:
        counts = [
            str(national_counts(every, solution, dt.date(y, 12, 31)))
            for y in range(LAST_DAY.year, EXTENSION_LAST_DAY.year + 1)
        ]
        lines.append(f"| {solution} | {COUNTED_STEP[solution]} | {' | '.join(counts)} |")
    lines += [
        "",
        "## Filene",
        "",
        "| Fil | Innhold | Form |",
        "|---|---|---|",
    ]
    shapes = {
        "digihelse.xlsx": "XLSX med tittelrad; Kommunenr, Kommune, Fylke, Status (I bruk /"
        " Tilgjengelig / Planlagt), Dato",
        "digihelsestasjon.csv": "CSV `;`, UTF-8 med BOM; bare navn (med parallellnavn) og Fylke;"
        " datoer 01.03.2023",
        "kjernejournal.csv": "CSV `;`, Windows-1252; Orgnr og Kommune; én rad per trinn"
        " (Tilgjengeliggjort, Tatt i bruk)",
        "vkp.csv": "CSV `,`; Knr uten ledende null (301); måneder 2022-11",
        "skattedata.xlsx": "XLSX uten tittelrad; Kommunenummer, Kommunenavn, Status, Dato tatt i bruk",
        "digihelsestasjon_ungdom.csv": "CSV `;`; Kommune og Fylke; måned skrevet ut («april 2023»)",
    }
    for f in files:
        if f.kind == "skjema":
            shape = (
                "XLSX fra `ehelse skjema lag` (Veiledning, Status, skjult skjema_info), utfylt "
                "med syntetiske svar"
            )
        elif f.kind == "messages":
            sep = "tabulator" if f.name.endswith(".tsv") else "`;`"
            shape = (
                f"{sep}-separert; periode, avsender (kommunenummer eller organisasjonsnummer),"
                " meldingstype, versjon (tom når systemet ikke sender versjonsnummer), antall"
            )
        else:
            stem, ext = f.name.rsplit(".", 1)
            shape = shapes[f"{stem.removesuffix(EXTENSION_SUFFIX)}.{ext}"]
        lines.append(f"| `{f.name}` | {f.title.split(': ', 1)[1]} | {shape} |")
    lines += _forms_section(files)
    lines += [
        "",
        "## Meldingstyper og versjoner",
        "",
        "Kommunene går over fra gammel til gjeldende versjon rundt fristen Norsk helsenett satte",
        "for å sende den nye versjonen (Henvisning 2.0 og Epikrise 1.2 fra 31.12.2020, PLO 1.6 fra",
        "1.7.2021, Svarrapport 1.4 fra 31.12.2021; se `src/analysis/metrics/data/meldingsversjoner.csv`),",
        "større og mer modne kommuner tidligere, noen aldri. Helsefaglig dialog 1.1 har ingen datert",
        "frist, og de fleste sendte den allerede i 2020. Noen har system som ikke sender",
        "versjonsnummer (tom versjon), og de fleste av dem blir rettet i løpet av 2023–2024.",
        "",
        f"Fra {MESSAGE_NUMBERING_FROM} bruker meldingsfilene 2024-inndelingens kommunenumre, slik",
        "Norsk helsenetts statistikk gjør (`reference/2024/endringer.csv`); Ålesunds meldinger er",
        "da fordelt på Ålesund og Haram etter befolkningen 1.1.2024. Med `--year 2023` blir de lagt",
        "sammen igjen til 1507 Ålesund; med `--year 2024` avvises Ålesunds rader fra før 2024 som",
        "flertydige (1507 ble delt), fordi meldingene ikke kan fordeles uten å gjette.",
        "",
        "| Meldingstype | Gammel versjon | Gjeldende versjon | Kilde |",
        "|---|---|---|---|",
    ]
    sources = {
        "PLO": "ehelse.no: Standard for elektronisk kommunikasjon med pleie- og omsorgstjenesten"
        " v1.5 (HIS 80704:2009) og v1.6",
        "Helsefaglig dialog": "ehelse.no: Helsefaglig dialog bruker Standard for dialogmelding v1.1"
        " (HIS 80603:2017); v1.0 er KITH-rapport R03/06",
        "Henvisning": "ehelse.no, referansekatalogen: Henvisning v1.1 (HIS 80517:2014); Norsk"
        " helsenett: Henvisning 2.0 skal kunne sendes fra 31.12.2020",
        "Epikrise": "ehelse.no: Epikrise v1.1 (HIS 80226:2006) kan erstattes av v1.2"
        " (HIS 80226:2014)",
        "Rekvisisjon/Svar": "ehelse.no, historiske dokumenter: Svarrapportering v1.3"
        " (HIS 80822:2008) ute av referansekatalogen fra 1.7.2022; Norsk helsenett: Svarrapport"
        " 1.4 skal kunne sendes fra 31.12.2021",
    }
    for mtype, (old, cur) in MESSAGE_VERSIONS.items():
        lines.append(f"| {mtype} | {old} | {cur} | {sources[mtype]} |")
    lines.append("")
    return "\n".join(lines)


def _forms_section(files: Sequence[ExampleFile]) -> list[str]:
    from analysis.example_data.forms import FORM_CREATED, FORM_YEAR

    forms = [f for f in files if f.kind == "skjema"]
    if not forms:
        return []
    return [
        "",
        "## Statusskjemaene",
        "",
        f"`skjema-*.xlsx` er statusskjemaer for rapportåret {FORM_YEAR}, laget som `ehelse skjema",
        f"lag` lager dem {FORM_CREATED.isoformat()} og forhåndsutfylt med eksempelhendelsene kjent",
        "da, og så fylt ut med SYNTETISKE svar slik kommunene i Vestland og Møre og Romsdal kunne ha",
        "svart: de fleste bekrefter, noen retter et trinn eller en dato, noen legger til et planlagt",
        "trinn som eiernes uttrekk ikke har, noen svarer ikke. Noen svar motsier et register med",
        "vilje (en dato gitt etter hukommelsen; Molde om Helseplattformen mot den virkelige",
        "innføringslisten), og én kommune sender sitt eget svar senere med et annet svar, så begge",
        "reglene for motstrid vises (se docs/metode.md). Helseplattformen besvares ellers ikke, så",
        "ingen syntetisk hendelse havner i en virkelig aktivitet. Skjemaene er merket syntetiske i",
        "arket Status, i Veiledning, i det skjulte arket og i katalogen.",
    ]


def example_entries(files: Sequence[ExampleFile], seed: int) -> list[dict[str, object]]:
    """The sources.yaml entries of the data files (not the README)."""
    from analysis.example_data.forms import FORM_YEAR

    out: list[dict[str, object]] = []
    for f in files:
        if f.kind not in ("adoption", "messages", "skjema"):
            continue
        stem = f.name.rsplit(".", 1)[0]
        entry: dict[str, object] = {
            "id": ("skjema_eksempel_" + stem.removeprefix("skjema-").replace("-", "_"))
            if f.kind == "skjema"
            else "eksempel_" + stem,
            "path": f"{EXAMPLE_SUBDIR}/{f.name}",
            "kind": f.kind,
        }
        if f.solution:
            entry["solution"] = f.solution
        entry |= {
            "title": f.title,
            "producer": f"e-helsestatus (syntetisk generator, seed {seed})",
            "url": GENERATOR_URL,
            "date_accessed": f.accessed,
            "license": "CC0 (syntetiske data)",
            "synthetic": True,
            "sha256": f.sha256,
            "seed": seed,
            "note": CATALOGUE_NOTE,
        }
        if f.kind == "skjema":
            entry["form_year"] = FORM_YEAR
            entry["note"] = (
                "SYNTETISKE svar på statusskjemaet, ikke virkelige svar fra kommunene (se "
                "data/raw/example/README.md)"
            )
        out.append(entry)
    return out


def _yaml_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    text = str(value)
    import yaml

    try:
        plain = "\n" not in text and yaml.safe_load(text) == text and text == text.strip()
    except yaml.YAMLError:
        plain = False
    return text if plain else json.dumps(text, ensure_ascii=False)  # JSON is valid YAML


def catalogue_block(entries: Sequence[dict[str, object]]) -> str:
    """The managed block of sources.yaml, between the BEGIN and END marker lines."""
    lines = [CATALOGUE_BEGIN]
    for entry in entries:
        for n, (key, value) in enumerate(entry.items()):
            prefix = "  - " if n == 0 else "    "
            lines.append(f"{prefix}{key}: {_yaml_scalar(value)}")
    lines.append(CATALOGUE_END)
    return "\n".join(lines) + "\n"


def updated_catalogue(text: str, block: str) -> str:
    """sources.yaml with the managed block replaced, or appended to the end of the file."""
    return replace_block(text, block, CATALOGUE_BEGIN, CATALOGUE_END)
