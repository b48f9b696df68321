"""The report's sentences with numbers, built from rows of the edition's frames.

Pure functions of their arguments (rows as dicts, dates, names), so each sentence is
unit-tested; numbers and dates go through analysis.fmt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final

from analysis.fmt import (
    date_text,
    format_amount,
    format_date,
    format_expected,
    format_int,
    format_month,
    format_number,
    format_percent,
    join_names,
)

MESSAGES: Final = "meldinger"
STEP_TEXT: Final = {
    "i_bruk": "tatt i bruk",
    "tilgjengelig": "tilgjengeliggjort",
    "planlagt": "planlagt",
}
# The progress categories as phrases for running text (the category names stay in tables).
CATEGORY_PHRASES: Final = {
    "nådd": "er ambisjonen nådd",
    "på sporet": "er tempoet godt nok til å nå ambisjonen innen fristen (på sporet)",
    "akselerasjon nødvendig": "må tempoet øke (akselerasjon nødvendig)",
    "begrenset fremgang": "går det for sakte (begrenset fremgang)",
    "tilbakegang": "går det tilbake",
    "frist passert, ikke nådd": "er fristen passert uten at ambisjonen er nådd",
    "ikke beregnbar": "kan fremdriften ikke beregnes",
}

# The same categories as what they say about the country, after a semicolon.
CATEGORY_STATES: Final = {
    "nådd": "ambisjonen er nådd",
    "på sporet": "landet er på sporet",
    "akselerasjon nødvendig": "fremdriften må bli raskere",
    "begrenset fremgang": "fremgangen er for liten",
    "tilbakegang": "antallet går ned",
    "frist passert, ikke nådd": "fristen er passert uten at ambisjonen er nådd",
    "ikke beregnbar": "fremdriften kan ikke beregnes",
}


Row = Mapping[str, Any]


def plural(n: int, one: str, many: str) -> str:
    return f"{format_int(n)} {one if n == 1 else many}"


def counted(r: Row, short: str) -> str:
    """What a counted municipality has done: "tatt i bruk DigiHelsestasjon"."""
    if r["losning"] == MESSAGES:
        return "oppfylt kravet om gjeldende meldingsversjoner"
    step = STEP_TEXT.get(r["telles_trinn"], r["telles_trinn"])
    return f"{step} {short}"


def when(r: Row) -> str:
    """The expected date with its interval: "mars 2024 (februar 2024–april 2024)"."""
    return format_expected(
        r["kategori"], r["forventet_dato"], r["forventet_fra"], r["forventet_til"]
    )


def expected_text(r: Row) -> str:
    """The category with the expected date: "nådd i juli 2023", "begrenset fremgang;
    forventet august 2027 (desember 2024–april 2028)"."""
    text = when(r)
    if r["kategori"] == "nådd":
        return text.replace("nådd ", "nådd i ", 1)
    return f"{r['kategori']}; forventet {text}" if r["forventet_dato"] else str(r["kategori"])


def expected_line(r: Row) -> str:
    """ "Nådd juli 2023" or "Forventet: mars 2024 (februar–april 2024)"."""
    text = when(r)
    if r["kategori"] == "nådd":
        return text[0].upper() + text[1:]
    return f"Forventet: {text}"


def pace_text(value: float | None) -> str:
    return "–" if value is None else f"{format_number(value, 1)} kommuner per år"


def deadline_text(frist: date | None, as_of: date) -> str | None:
    """ "Fristen (31.12.2023) er passert." when the status date is after the deadline."""
    if frist is None or frist >= as_of:
        return None
    return f"Fristen ({format_date(frist)}) er passert."


def status_paragraph(
    r: Row,
    where: str,
    short: str,
    as_of: date,
    regional: bool,
    national: Row | None = None,
) -> str:
    """What the status table says about one activity, in a few sentences."""
    if not r["i_omfang"]:
        return (
            f"{where} er ingen kommuner i omfanget for {short}, så aktiviteten gjelder ikke fylket."
        )
    if r["antall"] is None:
        return (
            f"{where} finnes det ingen status for {short} per {date_text(as_of)}: kildene har "
            "ingen data om aktiviteten, og manglende data er ikke det samme som null kommuner."
        )
    target = r["ambisjon_andel"] if regional else r["ambisjon"]
    target_text = (
        f"fylkets forholdsmessige andel av ambisjonen, {format_amount(target)} kommuner"
        if regional
        else f"ambisjonen på {format_amount(target)}"
    )
    share = (r["prosent_av_ambisjon"] or 0) / 100
    out = [
        f"{where} hadde **{format_int(r['antall'])}** av {format_int(r['i_omfang'])} kommuner "
        f"{counted(r, short)} per {date_text(as_of)}, mot {target_text} "
        f"({format_percent(share)} av {'andelen' if regional else 'ambisjonen'})."
    ]
    kat = r["kategori"]
    if kat == "nådd":
        out.append(f"Ambisjonen ble **nådd** i {format_month(r['forventet_dato'])}.")
    else:
        phrase = CATEGORY_PHRASES.get(kat, kat)
        pace = f"Tempoet de siste 12 månedene var {pace_text(r['tempo'])}"
        if r.get("nodvendig_tempo") is not None:
            pace += (
                f", mot {pace_text(r['nodvendig_tempo'])} som trengtes for å nå ambisjonen "
                "innen fristen"
            )
        out.append(f"{pace}, så her {phrase}.")
        if r["forventet_dato"] is not None:
            out.append(f"Med dagens utvikling ventes ambisjonen nådd i {when(r)}.")
        elif r.get("merknad"):
            out.append(f"Når ambisjonen nås, kan ikke anslås: {r['merknad']}.")
    if national is not None and national["antall"] is not None:
        out.append(
            f"For hele landet er tallet {format_int(national['antall'])} av "
            f"{format_int(national['i_omfang'])} kommuner "
            f"({format_percent(national['andel_kommuner'])}), "
            f"mot ambisjonen på {format_amount(national['ambisjon'])}; "
            f"{CATEGORY_STATES.get(national['kategori'], national['kategori'])}."
        )
    return " ".join(out)


def published_comparison(pr: Row, published_date: date) -> str:
    """The portfolio's own figure beside the one computed for the same date."""
    month = format_month(published_date)
    if pr["publisert"] is None:
        text = f"Porteføljen oppga ingen status i {month}."
        if pr["antall"] is not None:
            text += (
                f" Beregnet fra dataene i denne rapporten var tallet {format_int(pr['antall'])} "
                f"per {date_text(published_date)}."
            )
        return text
    if pr["antall"] is not None and pr["avvik"]:
        n = abs(pr["avvik"])
        return (
            f"Porteføljen publiserte {format_int(pr['publisert'])} i {month}. Beregnet fra "
            f"de kommunevise dataene per {date_text(published_date)} blir tallet "
            f"{format_int(pr['antall'])}, {plural(n, 'kommune', 'kommuner')} "
            f"{'færre' if pr['avvik'] < 0 else 'flere'}. Kildene er uenige, og begge tallene "
            "vises."
        )
    return (
        f"Porteføljen publiserte {format_int(pr['publisert'])} i {month}, det samme som "
        f"tallet beregnet fra de kommunevise dataene per {date_text(published_date)}."
    )


def latest_published(r: Row) -> str | None:
    """The newest published national figure before the status date, beside the computed one."""
    if r.get("publisert") is None or r.get("publisert_dato") is None:
        return None
    same = r["publisert"] == r["antall"]
    return (
        f"Nyeste publiserte tall før statusdatoen er {format_int(r['publisert'])} per "
        f"{date_text(r['publisert_dato'])}"
        + (", det samme som det beregnede." if same else f" (avvik {r['avvik']:+d}).")
    )


def summary_points(groups: Mapping[str, Sequence[str]], measured: int) -> list[str]:
    """One bullet per progress category with the activities in it."""
    points = []
    for kategori, label in CATEGORY_PHRASES.items():
        names = list(groups.get(kategori, []))
        if names:
            points.append(
                f"- For {len(names)} av {measured} aktiviteter {label}: {join_names(names)}."
            )
    return points


def carried_over(year: int, portfolio_year: int | None) -> str | None:
    """The note for an edition whose ambitions come from an earlier portfolio."""
    if portfolio_year is None or portfolio_year >= year:
        return None
    return (
        f"Ambisjonene og fristene er videreført fra porteføljen for {portfolio_year}, fordi "
        f"ingen nyere portefølje er lagt inn. Tallene for {year} måles mot dem."
    )


def prose_dates(text: str) -> str:
    """ISO dates in a text from the data («2022-07-01») as prose dates («1. juli 2022»)."""
    import re

    def one(m: re.Match[str]) -> str:
        try:
            return date_text(date.fromisoformat(m.group(0)))
        except ValueError:
            return m.group(0)

    return re.sub(r"\b\d{4}-\d{2}-\d{2}\b", one, text)
