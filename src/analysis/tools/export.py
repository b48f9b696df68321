"""`ehelse export`: the status tables as one Excel workbook, for colleagues who work in Excel.

Every number comes from the metric functions (the same as `ehelse status` shows); this module
only picks columns, Norwegian headers and cell formats. Excel shows the number formats with
the reader's own separators, so a Norwegian Excel shows 1 311 and 95,0 %. The file is written
under a temporary name and then moved into place, so a failed export never leaves half a
workbook where a good one was.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import polars as pl

from analysis.edition.provenance import citation_text
from analysis.errors import EhelseError
from analysis.tools import lookup

STATUS = "Status"
MUNICIPALITIES = "Kommuner x løsninger"
COUNTIES = "Fylker"
MESSAGES = "Meldinger"
ABOUT = "Om dataene"
SHEETS = (STATUS, MUNICIPALITIES, COUNTIES, MESSAGES, ABOUT)

EKSEMPELDATA_NOTE = (
    "Eksempeldata: tallene per kommune bygger på SYNTETISKE eksempeldata, ikke virkelige tall. "
    "De nasjonale antallene er kalibrert mot de publiserte tallene, men hvilke kommuner som har "
    "hva, er tilfeldig."
)

LABELS: dict[str, str] = {
    "nr": "Nr",
    "losning": "Løsning (id)",
    "aktivitet": "Aktivitet",
    "telles_trinn": "Telles på trinn",
    "omfang_id": "Omfang",
    "i_omfang": "Kommuner i omfanget",
    "planlagt": "Minst planlagt",
    "tilgjengelig": "Minst tilgjengelig",
    "i_bruk": "I bruk",
    "antall": "Antall som telles",
    "ambisjon": "Ambisjon (nasjonal)",
    "ambisjon_andel": "Ambisjon (andel)",
    "prosent_av_ambisjon": "Prosent av ambisjonen",
    "gjenstar": "Gjenstår",
    "andel_kommuner": "Andel av kommunene",
    "befolkning_omfang": "Innbyggere i omfanget",
    "befolkning_dekket": "Innbyggere dekket",
    "andel_befolkning": "Andel av innbyggerne",
    "tempo": "Tempo per år (12 mnd)",
    "tempo_24m": "Tempo per år (24 mnd)",
    "nodvendig_tempo": "Nødvendig tempo per år",
    "nodvendig_tempo_fremover": "Nødvendig tempo per år fremover",
    "forhold": "Forhold tempo/nødvendig",
    "kategori": "Kategori",
    "modell": "Modell",
    "forventet_dato": "Forventet dato",
    "forventet_fra": "Forventet tidligst",
    "forventet_til": "Forventet senest",
    "frist": "Frist",
    "publisert": "Publisert tall",
    "publisert_dato": "Publisert dato",
    "avvik": "Avvik fra publisert",
    "publisert_kilde": "Publisert kilde",
    "syntetisk": "Eksempeldata",
    "merknad": "Merknad",
    "kommunenummer": "Kommunenummer",
    "kommunenavn": "Kommune",
    "fylkesnummer": "Fylkesnummer",
    "fylkesnavn": "Fylke",
    "befolkning": "Innbyggere",
    "antall_losninger": "Løsninger som telles",
    "mulige_losninger": "Mulige løsninger",
    "rang": "Plass i fylket",
    "meldingsversjoner": "Meldingsversjoner",
    "periode": "Måned",
    "status": "Status",
    "typer": "Meldingstyper vurdert",
    "typer_oppfylt": "Typer oppfylt",
    "typer_ikke_oppfylt": "Typer ikke oppfylt",
    "totalt": "Meldinger",
    "uten_versjon": "Uten versjonsnummer",
    "utdaterte_versjoner": "Utdaterte versjoner",
    "felt": "Felt",
    "verdi": "Verdi",
}


class ExportError(EhelseError, ValueError):
    """The workbook cannot be written (one line)."""


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a frame, its headers and which columns are shares (0-1, shown as %)."""

    name: str
    frame: pl.DataFrame
    labels: dict[str, str] = field(default_factory=dict)
    percent: frozenset[str] = frozenset()
    months: frozenset[str] = frozenset()  # dates shown as month and year

    def header(self, column: str) -> str:
        return self.labels.get(column) or LABELS.get(column) or column


# --- the sheets ---------------------------------------------------------------------------


def _texts(col: str, sep: str = ", ") -> pl.Expr:
    return pl.col(col).list.join(sep)


def status_sheet(t: lookup.Tables, as_of: date, county: tuple[str, str] | None) -> Sheet:
    """The status table exactly as `ehelse status` computes it."""
    from analysis.metrics.overview import status_overview

    df = status_overview(
        t.adopsjon,
        t.kommuner,
        t.ambisjoner,
        as_of,
        meldinger=t.meldinger,
        publisert=t.publisert,
        county=county[0] if county else None,
    )
    return Sheet(STATUS, df, percent=frozenset({"andel_befolkning"}))


def municipalities_sheet(
    t: lookup.Tables, municipal: pl.DataFrame, as_of: date, county: tuple[str, str] | None
) -> Sheet:
    """One row per municipality: the step of every solution and the date it was reached, the
    message-version status, and the adoption index with the place in the county."""
    acts = lookup.portfolio(t).filter(pl.col("maal") == "adopsjon")
    base = t.kommuner.select(
        "kommunenummer", "kommunenavn", "fylkesnummer", "fylkesnavn", "befolkning"
    )
    labels: dict[str, str] = {}
    for losning, navn in acts.select("losning", "navn").iter_rows():
        rows = municipal.filter(pl.col("losning") == losning).select(
            "kommunenummer",
            pl.col("trinn").alias(f"{losning}_trinn"),
            pl.col("siden").alias(f"{losning}_dato"),
            pl.lit(True).alias("_i"),
        )
        base = (
            base.join(rows, on="kommunenummer", how="left")
            .with_columns(
                lookup.step_label_expr(f"{losning}_trinn", "_i").alias(f"{losning}_trinn")
            )
            .drop("_i")
        )
        labels[f"{losning}_trinn"] = f"{navn}: trinn"
        labels[f"{losning}_dato"] = f"{navn}: nådd"
    comp = _compliance_latest(t, as_of)
    if comp is not None:
        base = base.join(
            comp.select("kommunenummer", pl.col("status").alias("meldingsversjoner")),
            on="kommunenummer",
            how="left",
        ).with_columns(pl.col("meldingsversjoner").fill_null(lookup.INGEN_MELDINGER))
        month = comp["periode"].max()
        if isinstance(month, date):
            labels["meldingsversjoner"] = f"Meldingsversjoner ({month:%m.%Y})"
    ranks = lookup.county_ranks(municipal).select(
        "kommunenummer", "antall_losninger", "mulige_losninger", "rang"
    )
    base = base.join(ranks, on="kommunenummer", how="left")
    if t.synthetic:  # which rows rest on the synthetic example data, in a column of its own
        marks = (
            municipal.filter(pl.col("losning").is_in(acts["losning"].to_list()))
            .group_by("kommunenummer")
            .agg(lookup.synthetic_expr(t).any().alias("syntetisk"))
        )
        base = base.join(marks, on="kommunenummer", how="left").with_columns(
            pl.col("syntetisk").fill_null(False)
        )
    if county is not None:
        base = base.filter(pl.col("fylkesnummer") == county[0])
    return Sheet(MUNICIPALITIES, base.sort("kommunenummer"), labels)


def counties_sheet(
    t: lookup.Tables, municipal: pl.DataFrame, county: tuple[str, str] | None
) -> Sheet:
    """``status.status_by_county``: every county's counts and its share of the ambition."""
    from analysis.metrics.status import status_by_county

    acts = lookup.portfolio(t).select("losning", "nr", pl.col("navn").alias("aktivitet"))
    df = (
        status_by_county(municipal, t.ambisjoner)
        .join(acts, on="losning", how="left")
        .drop("telles_trinn")
    )
    if county is not None:
        df = df.filter(pl.col("fylkesnummer") == county[0])
    front = ["fylkesnummer", "fylkesnavn", "nr", "losning", "aktivitet"]
    rest = [c for c in df.columns if c not in (*front, "syntetisk")]
    df = df.select(*front, *rest, "syntetisk").sort(
        "fylkesnummer", "nr", "losning", nulls_last=True
    )
    return Sheet(COUNTIES, df, percent=frozenset({"andel_kommuner", "andel_befolkning"}))


def _compliance_latest(t: lookup.Tables, as_of: date) -> pl.DataFrame | None:
    from analysis.metrics import messages as msg

    if t.meldinger is None or not t.meldinger.height:
        return None
    month = msg.latest_period(t.meldinger, as_of)
    if month is None:
        return None
    data = t.meldinger.filter(pl.col("periode") == month)
    return msg.compliance(data, msg.current_versions())


def messages_sheet(t: lookup.Tables, as_of: date, county: tuple[str, str] | None) -> Sheet:
    """Message-version compliance per municipality in the latest complete month: the status,
    the share current for each message type, and the outdated versions still sent."""
    from analysis.metrics import messages as msg

    base = t.kommuner.select("kommunenummer", "kommunenavn", "fylkesnummer", "fylkesnavn")
    if county is not None:
        base = base.filter(pl.col("fylkesnummer") == county[0])
    month = msg.latest_period(t.meldinger, as_of) if t.meldinger is not None else None
    if t.meldinger is None or month is None:
        empty = base.with_columns(status=pl.lit("ingen data"))
        return Sheet(MESSAGES, empty)
    data = t.meldinger.filter(pl.col("periode") == month)
    versions = msg.current_versions()
    comp = msg.compliance(data, versions)
    shares = msg.version_shares(data, versions)
    types = versions["meldingstype"].to_list()
    wide = (
        shares.filter(pl.col("meldingstype").is_in(types))
        .pivot(on="meldingstype", index="kommunenummer", values="andel_gjeldende")
        .rename({ty: f"andel_{ty}" for ty in types}, strict=False)
    )
    totals = shares.group_by("kommunenummer").agg(
        pl.col("totalt").sum(),
        pl.col("uten_versjon").sum(),
        pl.concat_str(
            pl.col("meldingstype"), pl.col("utdaterte_versjoner").list.join("/"), separator=" "
        )
        .filter(pl.col("utdaterte_versjoner").list.len() > 0)
        .sort()
        .alias("utdaterte_versjoner"),
    )
    df = (
        base.join(comp.drop("oppfylt"), on="kommunenummer", how="left")
        .join(totals, on="kommunenummer", how="left")
        .join(wide, on="kommunenummer", how="left")
        .with_columns(
            periode=pl.lit(month, pl.Date),
            status=pl.col("status").fill_null(lookup.INGEN_MELDINGER),
            typer_ikke_oppfylt=_texts("typer_ikke_oppfylt"),
            utdaterte_versjoner=_texts("utdaterte_versjoner", "; "),
        )
    )
    synthetic = bool(data["syntetisk"].any())
    if synthetic:  # a municipality without rows that month is "ingen meldinger" by that source
        marks = data.group_by("kommunenummer").agg(pl.col("syntetisk").any())
        df = df.join(marks, on="kommunenummer", how="left").with_columns(
            pl.col("syntetisk").fill_null(True)
        )
    share_cols = [f"andel_{ty}" for ty in types if f"andel_{ty}" in df.columns]
    df = df.select(
        "kommunenummer",
        "kommunenavn",
        "fylkesnummer",
        "fylkesnavn",
        "periode",
        "status",
        "typer",
        "typer_oppfylt",
        "typer_ikke_oppfylt",
        *share_cols,
        "totalt",
        "uten_versjon",
        "utdaterte_versjoner",
        *(["syntetisk"] if synthetic else []),
    ).sort("kommunenummer")
    labels = {f"andel_{ty}": f"{ty}: andel gjeldende" for ty in types}
    return Sheet(MESSAGES, df, labels, percent=frozenset(share_cols), months=frozenset({"periode"}))


def about_sheet(
    t: lookup.Tables,
    as_of: date,
    county: tuple[str, str] | None,
    manifest: dict[str, Any] | None,
    generated: datetime,
    sheets: Sequence[Sheet],
) -> Sheet:
    """What the workbook holds and where the data come from (the ingest manifest)."""
    n = (
        t.kommuner.filter(pl.col("fylkesnummer") == county[0]).height
        if county
        else t.kommuner.height
    )
    where = f"{county[0]} {county[1]} ({n} kommuner)" if county else f"Hele landet ({n} kommuner)"
    rows: list[tuple[str, str]] = [
        ("Innhold", "Status for kommunenes innføring av nasjonale e-helseløsninger (KS)"),
        ("Utvalg", where),
        ("Status per", f"{as_of:%d.%m.%Y}"),
        ("Kommuneinndeling", f"inndelingen fra {t.division}"),
        ("Laget", f"{generated:%d.%m.%Y %H:%M} med `ehelse export`"),
        ("Data", str(t.folder)),
    ]
    synthetic = t.synthetic
    if manifest:
        rows.append(("Data bygget", str(manifest.get("created", ""))))
        commit = (manifest.get("code_version") or {}).get("git_commit")
        if commit:
            rows.append(("Kodeversjon", str(commit)))
        synthetic = synthetic or any(
            s.get("synthetic") for s in manifest.get("sources", []) if isinstance(s, dict)
        )
    if synthetic:
        rows.insert(1, ("Merk", EKSEMPELDATA_NOTE))
    rows.append(("Ark", ", ".join(s.name for s in sheets)))
    rows.append(
        (
            "Tallformat",
            "Andeler vises i prosent; datoer som dd.mm.åååå. Tallene er de samme som "
            "`ehelse status` viser for samme dato og utvalg.",
        )
    )
    for s in (manifest or {}).get("sources", []):
        if not isinstance(s, dict):
            continue
        text = citation_text(s)  # the same reference as the report's «Om statistikken»
        if s.get("synthetic"):
            text += " Eksempeldata (syntetisk)."
        rows.append((f"Kilde: {s.get('id', '')}", text))
    df = pl.DataFrame(rows, schema={"felt": pl.String, "verdi": pl.String}, orient="row")
    return Sheet(ABOUT, df)


def build_sheets(
    t: lookup.Tables,
    as_of: date,
    county: tuple[str, str] | None = None,
    manifest: dict[str, Any] | None = None,
    generated: datetime | None = None,
) -> list[Sheet]:
    """Every sheet of the workbook, in order, for the whole country or one county."""
    municipal = lookup.municipal_all(t, as_of)
    sheets = [
        status_sheet(t, as_of, county),
        municipalities_sheet(t, municipal, as_of, county),
        counties_sheet(t, municipal, county),
        messages_sheet(t, as_of, county),
    ]
    when = generated if generated is not None else datetime.now().replace(microsecond=0)
    about = about_sheet(t, as_of, county, manifest, when, [*sheets, Sheet(ABOUT, pl.DataFrame())])
    return [*sheets, about]


# --- writing ------------------------------------------------------------------------------

MIN_WIDTH, MAX_WIDTH = 6, 60


def _kind(sheet: Sheet, column: str, dtype: pl.DataType) -> str:
    if column in sheet.percent:
        return "pct"
    if column in sheet.months:
        return "month"
    if dtype == pl.Date or dtype == pl.Datetime:
        return "date"
    if dtype == pl.Boolean:
        return "bool"
    if dtype.is_integer():
        return "int"
    if dtype.is_float():
        return "dec"
    return "text"


def _cell_display(value: Any, kind: str) -> str:
    """Roughly what Excel shows, to size the column."""
    if value is None:
        return ""
    if kind == "date":
        return "00.00.0000"
    if kind == "month":
        return "sep 0000"
    if kind == "pct":
        return "100,0 %"
    if kind == "dec":
        return f"{value:,.1f}"
    if kind == "int":
        return f"{value:,}"
    if kind == "bool":
        return "nei"
    return str(value)


def write_workbook(path: Path, sheets: Sequence[Sheet]) -> None:
    """Write the sheets with bold, filled headers, a frozen header row, a filter, column widths
    and number formats; atomically (a temporary file moved into place)."""
    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError

    path = Path(path)
    if not path.parent.is_dir():
        raise ExportError(f"{path.parent}: mappen finnes ikke")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False})
        header = wb.add_format(
            {"bold": True, "bg_color": "#DCE6F1", "bottom": 1, "valign": "top", "text_wrap": True}
        )
        formats = {
            "int": wb.add_format({"num_format": "#,##0"}),
            "dec": wb.add_format({"num_format": "#,##0.0"}),
            "pct": wb.add_format({"num_format": "0.0%"}),
            "date": wb.add_format({"num_format": "dd.mm.yyyy"}),
            "month": wb.add_format({"num_format": "mmm yyyy", "align": "left"}),
            "text": wb.add_format({"valign": "top"}),
            "bool": wb.add_format({"align": "left"}),
        }
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        for sheet in sheets:
            ws = wb.add_worksheet(sheet.name)
            df = sheet.frame
            kinds = [_kind(sheet, c, t) for c, t in df.schema.items()]
            for c, name in enumerate(df.columns):
                ws.write_string(0, c, sheet.header(name), header)
            widths = [min(len(sheet.header(n)), 30) for n in df.columns]
            for r, row in enumerate(df.iter_rows(), start=1):
                for c, value in enumerate(row):
                    kind = kinds[c]
                    widths[c] = max(widths[c], len(_cell_display(value, kind)))
                    if (
                        value is None
                        or value == ""
                        or (isinstance(value, float) and value != value)
                    ):
                        continue
                    if kind in ("date", "month"):
                        when = (
                            value
                            if isinstance(value, datetime)
                            else datetime.combine(value, time())
                        )
                        ws.write_datetime(r, c, when, formats[kind])
                    elif kind in ("int", "dec", "pct"):
                        ws.write_number(r, c, value, formats[kind])
                    elif kind == "bool":
                        ws.write_string(r, c, "ja" if value else "nei", formats["bool"])
                    elif isinstance(value, list):
                        ws.write_string(r, c, ", ".join(str(v) for v in value), formats["text"])
                    else:
                        ws.write_string(r, c, str(value), formats["text"])
            for c, width in enumerate(widths):
                w = max(MIN_WIDTH, min(MAX_WIDTH, width + 2))
                ws.set_column(c, c, w, wrap if width + 2 > MAX_WIDTH else None)
            ws.freeze_panes(1, 0)
            if df.height and df.width:
                ws.autofilter(0, 0, df.height, df.width - 1)
        wb.close()
        tmp.replace(path)
    except FileCreateError as exc:
        raise ExportError(f"{path}: kan ikke skrive filen ({exc})") from exc
    except OSError as exc:
        raise ExportError(f"{path}: {exc.strerror or exc}") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
