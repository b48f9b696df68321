"""`ehelse skjema lag|inn|status`: status forms out to the municipalities, the returned forms
into the catalogue, and the answers tracked with their conflicts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from analysis.cli.console import console, err_console, fail
from analysis.cli.options import (
    DataOpt,
    TableFormatOpt,
    YearOpt,
    data_folder,
    option_date,
    report_year,
    table_format,
)
from analysis.escape import terminal_text
from analysis.fmt import format_date, format_percent

if TYPE_CHECKING:
    import polars as pl

app = typer.Typer(
    help="Statusskjemaer: lag skjemaer til kommunene, katalogiser svarene og følg med på dem.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command("lag")
def lag(
    region: Annotated[
        str,
        typer.Option("--region", help="Ett fylke (nummer eller navn), ett nettverk, eller all."),
    ] = "all",
    year: YearOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Mappen skjemaene skrives til (standard: data/skjema/<år>)."),
    ] = None,
    per: Annotated[
        str,
        typer.Option(
            "--per", help="fylke (standard) eller nettverk: ett skjema per hva.", show_default=False
        ),
    ] = "fylke",
    created: Annotated[
        str | None,
        typer.Option(
            "--dato", help="Datoen skjemaet lages (dd.mm.åååå eller åååå-mm-dd; standard: i dag)."
        ),
    ] = None,
    deadline: Annotated[
        str | None,
        typer.Option(
            "--frist",
            help="Svarfristen (dd.mm.åååå eller åååå-mm-dd; standard: fire uker etter --dato).",
        ),
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option("--kontakt", help="Hvem kommunene kan spørre (står i veiledningen)."),
    ] = None,
    data: DataOpt = None,
) -> None:
    """Lag ett Excel-skjema per fylke (eller nettverk), forhåndsutfylt med det som er kjent."""
    from analysis.tools.skjema.make import make_forms

    run = make_forms(
        report_year(year),
        region,
        out,
        per,
        option_date(created, "--dato"),
        option_date(deadline, "--frist"),
        contact,
        data_folder(year, data) if data is not None else None,
    )
    table = Table(title=f"Skjemaer skrevet til {terminal_text(str(run.sent.parent))}")
    for name in ("Fil", "Region", "Kommuner", "Rader", "Forhåndsutfylt", "Svarfrist"):
        numeric = name in ("Kommuner", "Rader", "Forhåndsutfylt")
        table.add_column(name, justify="right" if numeric else "left", overflow="fold")
    for m in run.made:
        table.add_row(
            terminal_text(m.path.name),
            terminal_text(f"{m.spec.region} {m.spec.regionnavn}"),
            str(m.counts["kommuner"]),
            str(m.counts["rader"]),
            str(m.counts["forhandsutfylt"]),
            format_date(m.spec.deadline),
        )
    console().print(table)
    console().print(
        f"Registeret over utsendte skjemaer: {terminal_text(str(run.sent))}", highlight=False
    )
    for w in run.warnings:
        err_console().print(f"[bold yellow]Merk:[/] {terminal_text(w)}", highlight=False)


@app.command("inn")
def inn(
    files: Annotated[list[Path], typer.Argument(help="Returnerte skjemaer (.xlsx eller .csv).")],
    received: Annotated[
        str | None,
        typer.Option(
            "--mottatt",
            help="Datoen skjemaene kom inn (dd.mm.åååå eller åååå-mm-dd; standard: i dag).",
        ),
    ] = None,
    raw: Annotated[
        Path | None,
        typer.Option("--raw", help="Rådatamappen med sources.yaml (standard: data/raw)."),
    ] = None,
) -> None:
    """Katalogiser returnerte skjemaer i sources.yaml (kopieres til data/raw/skjema/)."""
    from analysis.tools.skjema.register import register_forms

    done = register_forms(files, raw, option_date(received, "--mottatt"))
    for r in done:
        region = (r.form.meta or {}).get("regionnavn") or r.entry["title"]
        console().print(
            f"Katalogisert {terminal_text(r.id)}: {terminal_text(str(r.path))} "
            f"({terminal_text(region)}, {len(r.form.rows)} rader)",
            highlight=False,
        )
        for w in r.form.warnings:
            err_console().print(f"[bold yellow]Merk:[/] {terminal_text(w)}", highlight=False)
    console().print("Kjør `ehelse ingest` for å lese svarene inn.", highlight=False)


@app.command("status")
def form_status(
    konflikter: Annotated[
        bool,
        typer.Option(
            "--konflikter", help="Vis svarene som motsier et annet skjema eller et register."
        ),
    ] = False,
    sent_dir: Annotated[
        Path | None,
        typer.Option("--utsendt", help="Mappen med utsendt.csv (standard: data/skjema/<år>)."),
    ] = None,
    fmt: TableFormatOpt = "table",
    year: YearOpt = None,
    data: DataOpt = None,
) -> None:
    """Svar per fylke: skjemaer sendt og returnert, kommuner som har svart, svarprosent."""
    from analysis.load import MissingDataError, data_dir, load_table
    from analysis.tools.skjema import status as st
    from analysis.tools.skjema.make import default_out, sent_register

    table_format(fmt)
    y = report_year(year)
    folder = data_folder(year, data)
    try:
        kommuner = load_table("kommuner", data_dir(folder))
    except MissingDataError as exc:
        fail(str(exc))
    t = st.tables(folder)
    df = (
        st.conflicts(t, kommuner)
        if konflikter
        else st.responses(t, kommuner, sent_register(sent_dir or default_out(y)))
    )
    if fmt != "table":
        _write(df, fmt)
        return
    if konflikter:
        _print_conflicts(df)
    else:
        _print_responses(df)
    if df.height and bool(df["syntetisk"].any()):
        console().print(
            "[bold yellow]Merk:[/] svarene er SYNTETISKE eksempeldata, ikke virkelige svar.",
            highlight=False,
        )


def _write(df: pl.DataFrame, fmt: str) -> None:
    if fmt == "csv":
        sys.stdout.write(df.write_csv(date_format="%Y-%m-%d"))
    else:
        sys.stdout.write(
            json.dumps(df.to_dicts(), ensure_ascii=False, indent=2, default=str) + "\n"
        )


def _print_responses(df: pl.DataFrame) -> None:
    if df.height == 0:
        console().print("Ingen skjemaer er sendt eller lest inn ennå.", highlight=False)
        return
    table = Table(title="Svar på statusskjemaene per region")
    for name in (
        "Region",
        "Sendt",
        "Returnert",
        "Kommuner",
        "Har svart",
        "Svarprosent",
        "Ikke svart",
    ):
        table.add_column(
            name, justify="left" if name in ("Region", "Ikke svart") else "right", overflow="fold"
        )
    for r in df.iter_rows(named=True):
        table.add_row(
            terminal_text(f"{r['region'] or ''} {r['regionnavn'] or ''}".strip()),
            str(r["sendt"]),
            str(r["returnert"]),
            str(r["kommuner"]),
            str(r["svart"]),
            format_percent(r["andel"]),
            terminal_text(r["apne"] or ""),
        )
    console().print(table)


def _print_conflicts(df: pl.DataFrame) -> None:
    if df.height == 0:
        console().print("Ingen svar motsier et annet skjema eller et register.", highlight=False)
        return
    table = Table(title=f"Motstridende opplysninger ({df.height})")
    from analysis.edition.skjema import CONFLICT_LABELS

    for name in CONFLICT_LABELS.values():
        table.add_column(name, overflow="fold")
    for r in df.iter_rows(named=True):
        table.add_row(*(terminal_text("" if r[k] is None else str(r[k])) for k in CONFLICT_LABELS))
    console().print(table)
    console().print(
        "Regel: det siste svaret gjelder mellom to skjemaer; et register går foran et svar for "
        "trinnet det fører (docs/metode.md).",
        highlight=False,
    )
