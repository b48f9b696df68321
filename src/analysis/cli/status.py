"""`ehelse status`: the status against the ambitions per activity, as a table, csv or json."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    import polars as pl

from analysis.cli.console import STATUS_WIDE, terminal_status_table
from analysis.cli.options import (
    AsOfOpt,
    DataOpt,
    RegionOpt,
    TableFormatOpt,
    YearOpt,
    as_of_date,
    county,
    data_folder,
    table_format,
)

_ROUND = {
    "ambisjon_andel": 1,
    "prosent_av_ambisjon": 1,
    "gjenstar": 1,
    "andel_befolkning": 3,
    "tempo": 1,
    "tempo_24m": 1,
    "nodvendig_tempo": 1,
    "nodvendig_tempo_fremover": 1,
    "forhold": 2,
}


def status(
    as_of: AsOfOpt = None,
    region: RegionOpt = None,
    fmt: TableFormatOpt = "table",
    year: YearOpt = None,
    data: DataOpt = None,
) -> None:
    """Status mot ambisjonene: antall, tempo, kategori og forventet dato per aktivitet."""
    from analysis.metrics.overview import status_overview
    from analysis.metrics.rules import counted_steps_short
    from analysis.tools.lookup import default_as_of, load_tables

    table_format(fmt)
    day = as_of_date(as_of)
    t = load_tables(data_folder(year, data))
    kommuner = t.kommuner
    division = t.division
    chosen = county(region, division)
    when = day if day is not None else default_as_of(t, year)
    df = status_overview(
        t.adopsjon,
        kommuner,
        t.ambisjoner,
        when,
        meldinger=t.meldinger,
        publisert=t.publisert,
        county=chosen[0] if chosen else None,
    )
    import polars as pl

    df = df.with_columns(pl.col(c).round(d) for c, d in _ROUND.items())
    if chosen is None:
        df = _whole_to_int(df)
    if fmt == "csv":
        sys.stdout.write(df.write_csv(date_format="%Y-%m-%d"))
        return
    if fmt == "json":
        records = df.to_dicts()
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    n = kommuner.filter(pl.col("fylkesnummer") == chosen[0]).height if chosen else kommuner.height
    where = f"{chosen[1]} ({n} kommuner)" if chosen else f"hele landet ({n} kommuner)"
    title = f"Status per {when:%d.%m.%Y} – {where}, kommuneinndelingen fra {division}"
    # A console made now, so the width follows this call's terminal (COLUMNS), not import time.
    out = Console()
    wide = out.width >= STATUS_WIDE
    notes = [
        f"Antallet som telles mot ambisjonen: {counted_steps_short()}"
        + (" (uthevet)." if wide else "."),
        "Forventet: når ambisjonen nås med dagens kurve, med intervall under (se docs/metode.md).",
    ]
    if wide:
        notes.insert(
            1,
            "Tempo/år: kommuner per år siste 12 måneder. Behov/år: tempoet de samme 12 månedene "
            "måtte ha for å nå ambisjonen innen fristen (Eurostats regel).",
        )
    else:
        notes.append("Smalt vindu: tempo, publiserte tall og mer med --format csv eller json.")
    if chosen:
        notes.append("Ambisjon: fylkets forholdsmessige andel av den nasjonale ambisjonen.")
    elif wide:
        notes.append("Publ. og avvik: det publiserte nasjonale tallet, der det avviker.")
    if df["syntetisk"].any():
        notes.append("[bold yellow]Bygger på SYNTETISKE eksempeldata, ikke virkelige tall.[/]")
    out.print(terminal_status_table(df, title, "\n".join(notes), wide))


def _whole_to_int(df: pl.DataFrame) -> pl.DataFrame:
    import polars as pl

    """Float columns whose values are all whole numbers become integers (national figures)."""
    casts = []
    for col in ("ambisjon_andel", "gjenstar"):
        s = df[col].drop_nulls()
        if s.len() == 0 or (s == s.round(0)).all():
            casts.append(pl.col(col).round(0).cast(pl.Int64))
    return df.with_columns(casts) if casts else df
