"""`ehelse kommune`: one municipality, its reference facts and its status per solution."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from analysis.cli.console import console, messages_table, month_long, solutions_table
from analysis.cli.options import AsOfOpt, DataOpt, YearOpt, as_of_date, data_folder, report_year

_MATCH_LABELS = {
    "alias": "annen skrivemåte",
    "historical": "tidligere inndeling",
    "confirmed": "bekreftet stedsnavn",
}


def kommune(
    query: Annotated[
        str, typer.Argument(help="Kommunenavn, kommunenummer eller organisasjonsnummer.")
    ],
    year: YearOpt = None,
    as_of: AsOfOpt = None,
    data: DataOpt = None,
) -> None:
    """Vis én kommune: nummer, navn, fylke, befolkning og status for hver løsning."""
    from analysis.reference import division_for, load_register, population
    from analysis.tools.lookup import find_municipality

    y = report_year(year)
    day = as_of_date(as_of)
    res = find_municipality(query, y)
    assert res.kommunenummer is not None
    import polars as pl

    reg = load_register(y).filter(pl.col("kommunenummer") == res.kommunenummer).row(0, named=True)
    pop = population(y).filter(pl.col("kommunenummer") == res.kommunenummer)
    table = Table(title=f"{reg['kommunenummer']} {reg['kommunenavn_norsk']}", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Kommunenummer", reg["kommunenummer"])
    table.add_row("Navn", reg["kommunenavn_norsk"])
    names = [
        n for n in [reg["kommunenavn"], *reg["parallelle_navn"]] if n != reg["kommunenavn_norsk"]
    ]
    if names:
        table.add_row("Parallelle navn", ", ".join(dict.fromkeys(names)))
    table.add_row("Fylke", f"{reg['fylkesnummer']} {reg['fylkesnavn']}")
    if reg["organisasjonsnummer"]:
        table.add_row("Organisasjonsnummer", reg["organisasjonsnummer"])
    if pop.height:
        row = pop.row(0, named=True)
        table.add_row(
            "Befolkning",
            f"{row['befolkning']:,}".replace(",", "\u00a0")
            + f" (1.1.{row['befolkning_dato'].year}, SSB 07459)",
        )
    table.add_row("Inndeling", f"kommuneinndelingen fra {division_for(y)}")
    if res.match != "exact":
        how = "utgått navn" if res.former else _MATCH_LABELS.get(res.match, res.match)
        table.add_row("Funnet som", f"{how}: {res.note}" if res.note else how)
    _status(table, res.kommunenummer, division_for(y), day, data_folder(y, data), y)


def _status(
    reference: Table, code: str, division: int, day: date | None, data: Path, year: int
) -> None:
    """The processed part: every solution with its dates, the message versions and the place
    in the county; the reference part alone when there is no data."""
    from analysis.load import MissingDataError, processed_dir
    from analysis.metrics.rules import counted_steps_short, message_count_short
    from analysis.reference import translate
    from analysis.tools import lookup

    try:
        tables = lookup.load_tables(data)
    except MissingDataError:  # no data yet: the reference facts are still worth showing
        console().print(reference)
        console().print(
            f"Ingen prosesserte data i {processed_dir(data)}: `ehelse ingest` er ikke kjørt, så "
            "status per løsning mangler.",
            highlight=False,
            soft_wrap=True,
        )
        return
    if tables.division != division:
        moved = translate(code, division, tables.division)
        if len(moved.targets) != 1:
            console().print(reference)
            console().print(
                f"Kommunen finnes ikke som én kommune i dataenes inndeling ({tables.division}); "
                "bruk --year for den inndelingen.",
                highlight=False,
            )
            return
        code = moved.targets[0]
    if code not in set(tables.kommuner["kommunenummer"].to_list()):
        console().print(reference)
        console().print(f"Kommunen {code} finnes ikke i {tables.folder}.", highlight=False)
        return
    when = day if day is not None else lookup.default_as_of(tables, year)
    view = lookup.municipality_view(tables, code, when)
    if view.rank is not None:
        place = view.rank
        reference.add_row(
            "Plass i fylket",
            f"{place.text()}; har {place.antall_losninger} av {place.mulige_losninger} løsninger",
        )
    console().print(reference)
    console().print(solutions_table(view, when))
    console().print(
        "Datoene: når kommunen nådde trinnet. Teller: om kommunen teller mot ambisjonen "
        f"({counted_steps_short(sep=': ')}; meldingsversjoner: {message_count_short()}).",
        highlight=False,
    )
    if view.messages is not None and view.message_period is not None:
        console().print(messages_table(view))
        console().print(
            "Andel: typens meldinger sendt i gjeldende versjon. Uten nr.: meldinger uten "
            "versjonsnummer (teller ikke som gjeldende).",
            highlight=False,
        )
    elif view.message_status == lookup.INGEN_MELDINGER:
        console().print(
            f"Ingen meldinger fra kommunen i {month_long(view.message_period)}.",
            highlight=False,
        )
    if view.synthetic:
        console().print(
            "[bold yellow]Merk:[/] status per løsning bygger på SYNTETISKE eksempeldata "
            "(Eksempeldata), ikke virkelige tall.",
            highlight=False,
        )
