"""The example as files in the shapes real exports have (CSV, XLSX, Windows-1252)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Sequence

import polars as pl

from analysis.example_data.forms import render_forms
from analysis.example_data.generate import current_status, to_division_2024
from analysis.example_data.messages import month_date
from analysis.example_data.params import (
    DIVISION_YEAR,
    EXTENSION_GENERATED_ON,
    EXTENSION_SUFFIX,
    FIRST_MONTH,
    GENERATED_ON,
    LAST_DAY,
    MESSAGE_NUMBERING_FROM,
    N_MONTHS,
    POPULATION_YEAR,
    Example,
    ExampleFile,
)
from analysis.example_data.readme import render_readme
from analysis.fmt import format_month


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]], delimiter: str, eol: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=eol)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _xlsx(
    sheet: str,
    title: str | None,
    header: Sequence[str],
    rows: Sequence[Sequence[str | dt.date]],
    created: dt.date = GENERATED_ON,
) -> bytes:
    """An XLSX workbook with fixed metadata and zip dates, so the bytes depend on the data only."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    wb.set_properties(
        {
            "title": title or sheet,
            "author": "e-helsestatus (syntetisk generator)",
            "comments": "SYNTETISKE EKSEMPELDATA, ikke virkelige tall",
            "created": dt.datetime.combine(created, dt.time()),
        }
    )
    ws = wb.add_worksheet(sheet)
    bold = wb.add_format({"bold": True})
    datefmt = wb.add_format({"num_format": "dd.mm.yyyy"})
    r = 0
    if title:
        ws.write_string(0, 0, title, bold)
        r = 2
    for c, name in enumerate(header):
        ws.write_string(r, c, name, bold)
    for row in rows:
        r += 1
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), datefmt)
            else:
                ws.write_string(r, c, value)
    ws.set_column(0, len(header) - 1, 16)
    wb.close()
    return buf.getvalue()


def _dmy(d: dt.date) -> str:
    return f"{d.day:02d}.{d.month:02d}.{d.year}"


def _combined_name(row: dict[str, object]) -> str:
    """The name as many registers print it: Norwegian name plus parallel names."""
    parallel = [str(p) for p in (row["parallelle_navn"] or []) if p != row["kommunenavn_norsk"]]  # type: ignore[attr-defined]
    return " - ".join([str(row["kommunenavn_norsk"]), *parallel])


STATUS_LABELS = {
    "digihelse": {"i_bruk": "I bruk", "tilgjengelig": "Tilgjengelig", "planlagt": "Planlagt"},
    "digihelsestasjon": {"i_bruk": "Tatt i bruk"},
    "kjernejournal": {"tilgjengelig": "Tilgjengeliggjort", "i_bruk": "Tatt i bruk"},
    "vkp": {"i_bruk": "I bruk"},
    "skattedata": {"i_bruk": "Tatt i bruk"},
    "digihelsestasjon_ungdom": {"i_bruk": "I bruk"},
}


def example_files(example: Example) -> list[ExampleFile]:
    """The example as files in the shapes real exports have: the exports through LAST_DAY in
    the 2020-2023 numbering, then the owners' exports of EXTENSION_GENERATED_ON in the 2024
    numbering (the current status, so they repeat what the earlier files said), the message
    statistics, the returned status forms and the README."""
    files = _adoption_files(example.adoption, example.municipalities, GENERATED_ON, "", "")
    snapshot = to_division_2024(example.all_adoption())
    current = pl.concat(
        [
            snapshot.filter(pl.col("losning") == "kjernejournal"),  # one row per step
            current_status(snapshot.filter(pl.col("losning") != "kjernejournal")),
        ]
    )
    files += _adoption_files(
        current,
        example.municipalities_2024,
        EXTENSION_GENERATED_ON,
        EXTENSION_SUFFIX,
        f", uttrekk {_dmy(EXTENSION_GENERATED_ON)} (kommunenummer fra 2024)",
    )
    files.extend(_render_messages(example))
    files.extend(render_forms(example, files))
    files.append(
        ExampleFile("README.md", "readme", None, "", render_readme(example, files).encode("utf-8"))
    )
    return files


def _adoption_files(
    ev: pl.DataFrame,
    municipalities: pl.DataFrame,
    accessed: dt.date,
    suffix: str,
    title_suffix: str,
) -> list[ExampleFile]:
    """The six owners' exports of ``ev`` (one shape per owner); ``suffix`` goes into the file
    names, ``title_suffix`` into the catalogue titles."""
    muni = {r["kommunenummer"]: r for r in municipalities.iter_rows(named=True)}
    stamp = _dmy(accessed)
    files: list[ExampleFile] = []

    def events(solution: str) -> list[dict[str, object]]:
        return ev.filter(pl.col("losning") == solution).sort("kommunenummer", "dato").to_dicts()

    # DigiHelse: XLSX with a title row; code, official name, county, current status, date.
    rows_x: list[list[str | dt.date]] = []
    for e in events("digihelse"):
        m = muni[e["kommunenummer"]]
        label = STATUS_LABELS["digihelse"][str(e["trinn"])]
        rows_x.append([m["kommunenummer"], m["kommunenavn"], m["fylkesnavn"], label, e["dato"]])  # type: ignore[list-item]
    title = f"DigiHelse – status per kommune, uttrekk {stamp} (SYNTETISKE EKSEMPELDATA)"
    files.append(
        ExampleFile(
            f"digihelse{suffix}.xlsx",
            "adoption",
            "digihelse",
            "Eksempeldata (syntetisk): DigiHelse per kommune" + title_suffix,
            _xlsx(
                "DigiHelse",
                title,
                ["Kommunenr", "Kommune", "Fylke", "Status", "Dato"],
                rows_x,
                accessed,
            ),
            accessed,
        )
    )

    # DigiHelsestasjon: CSV ';' UTF-8 with BOM; names only, with the county; dd.mm.yyyy.
    rows_c: list[list[str]] = []
    for e in events("digihelsestasjon"):
        m = muni[e["kommunenummer"]]
        rows_c.append(
            [_combined_name(m), m["fylkesnavn"], "Tatt i bruk", _dmy(e["dato"])]  # type: ignore[arg-type]
        )
    text = _csv(["Kommunenavn", "Fylke", "Status", "Dato"], rows_c, ";", "\r\n")
    files.append(
        ExampleFile(
            f"digihelsestasjon{suffix}.csv",
            "adoption",
            "digihelsestasjon",
            "Eksempeldata (syntetisk): DigiHelsestasjon per kommune" + title_suffix,
            b"\xef\xbb\xbf" + text.encode("utf-8"),
            accessed,
        )
    )

    # Kjernejournal: Windows-1252 CSV ';' with organisation numbers, one row per step.
    rows_c = []
    for e in events("kjernejournal"):
        m = muni[e["kommunenummer"]]
        label = STATUS_LABELS["kjernejournal"][str(e["trinn"])]
        rows_c.append(
            [m["organisasjonsnummer"], m["kommunenavn_norsk"], label, _dmy(e["dato"])]  # type: ignore[arg-type]
        )
    text = _csv(["Orgnr", "Kommune", "Trinn", "Dato"], rows_c, ";", "\r\n")
    files.append(
        ExampleFile(
            f"kjernejournal{suffix}.csv",
            "adoption",
            "kjernejournal",
            "Eksempeldata (syntetisk): Kjernejournal i sykehjem og hjemmetjeneste per kommune"
            + title_suffix,
            text.encode("cp1252"),
            accessed,
        )
    )

    # VKP: CSV ',' with codes that lost their leading zero and month dates.
    rows_c = []
    for e in events("vkp"):
        m = muni[e["kommunenummer"]]
        d: dt.date = e["dato"]  # type: ignore[assignment]
        rows_c.append(
            [str(int(m["kommunenummer"])), m["kommunenavn_norsk"], "I bruk", f"{d:%Y-%m}"]
        )
    text = _csv(["Knr", "Kommune", "Status", "Måned"], rows_c, ",", "\n")
    files.append(
        ExampleFile(
            f"vkp{suffix}.csv",
            "adoption",
            "vkp",
            "Eksempeldata (syntetisk): kommuner koblet på velferdsteknologisk knutepunkt"
            + title_suffix,
            text.encode("utf-8"),
            accessed,
        )
    )

    # Skattedata: a plain XLSX list, header in the first row.
    rows_x = []
    for e in events("skattedata"):
        m = muni[e["kommunenummer"]]
        rows_x.append([m["kommunenummer"], m["kommunenavn_norsk"], "Tatt i bruk", e["dato"]])  # type: ignore[list-item]
    files.append(
        ExampleFile(
            f"skattedata{suffix}.xlsx",
            "adoption",
            "skattedata",
            "Eksempeldata (syntetisk): tilgang til inntekts- og skattedata per kommune"
            + title_suffix,
            _xlsx(
                "Skattedata",
                None,
                ["Kommunenummer", "Kommunenavn", "Status", "Dato tatt i bruk"],
                rows_x,
                accessed,
            ),
            accessed,
        )
    )

    # The youth solution: names with the county, month written out ("april 2023").
    rows_c = []
    for e in events("digihelsestasjon_ungdom"):
        m = muni[e["kommunenummer"]]
        d = e["dato"]  # type: ignore[assignment]
        rows_c.append(
            [
                m["kommunenavn_norsk"],
                m["fylkesnavn"],
                "I bruk",
                format_month(d),
            ]
        )
    text = _csv(["Kommune", "Fylke", "Status", "Fra dato"], rows_c, ";", "\n")
    files.append(
        ExampleFile(
            f"digihelsestasjon_ungdom{suffix}.csv",
            "adoption",
            "digihelsestasjon_ungdom",
            "Eksempeldata (syntetisk): DigiHelsestasjon ungdomsløsningen per kommune"
            + title_suffix,
            text.encode("utf-8"),
            accessed,
        )
    )

    return files


def _senders_2024(muni: pl.DataFrame) -> dict[str, list[tuple[str, str | None, float]]]:
    """2023 code -> its 2024 municipalities as (code, organisation number, population share):
    renumbered codes have one, Ålesund has Ålesund and Haram (split by population 1.1.2024)."""
    from analysis.reference import load_register, population, translate

    reg = load_register(2024)
    orgnr = dict(zip(reg["kommunenummer"], reg["organisasjonsnummer"], strict=True))
    pop = dict(population(2024, POPULATION_YEAR).select("kommunenummer", "befolkning").iter_rows())
    out: dict[str, list[tuple[str, str | None, float]]] = {}
    for code in muni["kommunenummer"].to_list():
        targets = translate(code, DIVISION_YEAR, 2024).targets
        total = sum(pop[c] for c in targets)
        out[code] = [(c, orgnr[c], pop[c] / total) for c in targets]
    return out


def _split(count: int, shares: Sequence[float]) -> list[int]:
    """A count split by shares, whole numbers that sum to it (largest remainders first)."""
    raw = [count * s for s in shares]
    parts = [math.floor(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda k: (-(raw[k] - parts[k]), k))
    for k in by_remainder[: count - sum(parts)]:
        parts[k] += 1
    return parts


def _render_messages(example: Example) -> list[ExampleFile]:
    """One file per year in NHN's Meldingsteller shape; the sender is a code or an org. no.,
    in the 2024 division's numbering from ``MESSAGE_NUMBERING_FROM``."""
    codes = example.municipalities["kommunenummer"].to_list()
    orgnr = dict(zip(codes, example.municipalities["organisasjonsnummer"].to_list(), strict=True))
    # Fixed per municipality, from the code's digits: which identifier its export uses.
    by_orgnr = {c: (int(c) * 7 + 3) % 5 < 2 for c in codes}
    later = _senders_2024(example.municipalities)
    out: list[ExampleFile] = []
    msgs = example.messages.with_columns(year=pl.col("periode").dt.year())
    for year in range(FIRST_MONTH.year, month_date(N_MONTHS - 1).year + 1):
        part = msgs.filter(pl.col("year") == year)
        tab = year < 2023
        rows: list[list[str]] = []
        for p, c, t, v, a in part.select(
            "periode", "kommunenummer", "meldingstype", "versjon", "antall"
        ).iter_rows():
            if year < MESSAGE_NUMBERING_FROM:
                rows.append([f"{p:%Y-%m}", str(orgnr[c]) if by_orgnr[c] else c, t, v or "", str(a)])
                continue
            senders = later[c]
            for (code, org, _), n in zip(
                senders, _split(a, [share for _, _, share in senders]), strict=True
            ):
                if n:
                    sender = org if by_orgnr[c] and org else code
                    rows.append([f"{p:%Y-%m}", sender, t, v or "", str(n)])
        if tab:
            header = ["Periode", "Avsender", "Meldingstype", "Versjon", "Antall"]
            text = _csv(header, rows, "\t", "\n")
            name = f"meldinger_{year}.tsv"
        else:
            header = ["Måned", "Avsender", "Type", "Meldingsversjon", "Antall meldinger"]
            text = _csv(header, rows, ";", "\n")
            name = f"meldinger_{year}.csv"
        out.append(
            ExampleFile(
                name,
                "messages",
                None,
                f"Eksempeldata (syntetisk): meldingsstatistikk per kommune og måned {year}"
                + (" (2024-inndelingens kommunenumre)" if year >= MESSAGE_NUMBERING_FROM else ""),
                text.encode("utf-8"),
                # a year after the first extract comes from the later one
                accessed=GENERATED_ON if year <= LAST_DAY.year else EXTENSION_GENERATED_ON,
            )
        )
    return out
