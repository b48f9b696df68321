"""The `ehelse` command line: one entry point for every job.

Messages are in Norwegian for the analysts who run it. Bad input or arguments end with one
line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from analysis import _io, config
from analysis.errors import EhelseError
from analysis.escape import terminal_text


class _Commands(typer.core.TyperGroup):
    """Every command: a user error (EhelseError) ends as one line and exit 2; bugs propagate."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EhelseError as exc:
            fail(str(exc))


app = typer.Typer(
    cls=_Commands,
    name="ehelse",
    help="Status for kommunenes innføring av nasjonale e-helseløsninger (KS).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

YearOpt = Annotated[
    int | None,
    typer.Option(
        "--year",
        help="Rapportåret; kommuneinndelingen følger av det (standard: report_year i sources.yaml).",
    ),
]
DataOpt = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Mappen med prosesserte data (standard: data/processed/<inndeling> for året).",
    ),
]


def fail(message: str) -> NoReturn:
    """Stop with one line and exit code 2: the input or the arguments cannot be used. The
    message is text (it often quotes data): never read as markup, escape codes shown."""
    err_console.print(
        f"[bold red]Feil:[/] {terminal_text(message)}", highlight=False, soft_wrap=True
    )
    raise typer.Exit(code=2)


def _year(year: int | None) -> int:
    return year if year is not None else config.default_year()


def _data(year: int | None, data: Path | None) -> Path:
    """The processed data for the report year (its division's folder) unless --data says."""
    from analysis.edition.params import EditionError, data_folder

    try:
        return data_folder(_year(year), data)
    except EditionError as exc:
        fail(str(exc))


@app.command()
def kommune(
    query: Annotated[
        str, typer.Argument(help="Kommunenavn, kommunenummer eller organisasjonsnummer.")
    ],
    year: YearOpt = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Dato for statusen (ÅÅÅÅ-MM-DD; standard: slutten av rapportåret)."
        ),
    ] = None,
    data: DataOpt = None,
) -> None:
    """Vis én kommune: nummer, navn, fylke, befolkning og status for hver løsning."""
    from analysis.lookup import NotFoundError, find_municipality
    from analysis.reference import (
        DivisionError,
        division_for,
        load_register,
        population,
    )

    y = _year(year)
    day = _status_date(as_of) if as_of is not None else None
    try:
        res = find_municipality(query, y)
    except (DivisionError, NotFoundError) as exc:
        fail(str(exc))
    assert res.kommunenummer is not None
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
        table.add_row("Funnet som", f"{res.match} {res.note}".strip())
    _kommune_status(table, res.kommunenummer, division_for(y), day, _data(y, data), y)


def _date_text(d: date | None) -> str:
    return "" if d is None else f"{d:%d.%m.%Y}"


def _month_long(d: date | None) -> str:
    return "" if d is None else f"{_MONTHS_SHORT[d.month - 1]} {d.year}"


def _kommune_status(
    reference: Table, code: str, division: int, day: date | None, data: Path, year: int
) -> None:
    """The processed part of `ehelse kommune`: every solution with its dates, the message
    versions and the place in the county; the reference part alone when there is no data."""
    import pandera.errors as pa_errors

    from analysis import lookup
    from analysis.load import MissingDataError, processed_dir
    from analysis.reference import translate

    try:
        tables = lookup.load_tables(data)
    except MissingDataError:
        console.print(reference)
        console.print(
            f"Ingen prosesserte data i {processed_dir(data)}: `ehelse ingest` er ikke kjørt, så "
            "status per løsning mangler.",
            highlight=False,
            soft_wrap=True,
        )
        return
    except (pa_errors.SchemaError, pa_errors.SchemaErrors) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        fail(f"{processed_dir(data)}: {first}")
    if tables.division != division:
        moved = translate(code, division, tables.division)
        if len(moved.targets) != 1:
            console.print(reference)
            console.print(
                f"Kommunen finnes ikke som én kommune i dataenes inndeling ({tables.division}); "
                "bruk --year for den inndelingen.",
                highlight=False,
            )
            return
        code = moved.targets[0]
    if code not in set(tables.kommuner["kommunenummer"].to_list()):
        console.print(reference)
        console.print(f"Kommunen {code} finnes ikke i {tables.folder}.", highlight=False)
        return
    when = day if day is not None else lookup.default_as_of(tables, year)
    view = lookup.municipality_view(tables, code, when)
    if view.rank is not None:
        place = view.rank
        reference.add_row(
            "Plass i fylket",
            f"{place.text()}; har {place.antall_losninger} av {place.mulige_losninger} løsninger",
        )
    console.print(reference)

    from rich import box

    steps = Table(
        title=f"Løsninger per {when:%d.%m.%Y}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
    )
    for name, justify, width in (
        ("Løsning", "left", 17),
        ("Trinn", "left", 12),
        ("Planlagt", "right", 0),
        ("Tilgj.", "right", 0),
        ("I bruk", "right", 0),
        ("Teller", "left", 0),
    ):
        steps.add_column(
            name,
            justify=justify,  # type: ignore[arg-type]
            no_wrap=width == 0,
            min_width=width or None,
            max_width=12 if name == "Trinn" and console.width < 100 else None,
        )
    for r in view.solutions.iter_rows(named=True):
        label = terminal_text(r["navn"])
        if r["maal"] == "meldingsversjon":
            state = view.message_status or "ingen data"
            month = _month_long(view.message_period)
            counts = "–" if view.message_status is None else "ja"
            if view.message_status != "oppfylt" and view.message_status is not None:
                counts = "nei"
            steps.add_row(label, f"{state} ({month})" if month else state, "", "", "", counts)
            continue
        counts = "–" if r["telles"] is None else ("ja" if r["telles"] else "nei")
        steps.add_row(
            label,
            lookup.step_label(r["trinn"], r["i_omfanget"]),
            _date_text(r["planlagt_dato"]),
            _date_text(r["tilgjengelig_dato"]),
            _date_text(r["i_bruk_dato"]),
            counts,
        )
    console.print(steps)
    console.print(
        "Datoene: når kommunen nådde trinnet. Teller: om kommunen teller mot ambisjonen "
        "(Kjernejournal: tilgjengeliggjort, ellers i bruk; meldingsversjoner: hver type minst "
        "95 % gjeldende siste hele måned).",
        highlight=False,
    )

    if view.messages is not None and view.message_period is not None:
        title = f"Meldingsversjoner {_month_long(view.message_period)}: {view.message_status}"
        msgs = Table(
            title=title,
            title_justify="left",
            box=box.SIMPLE_HEAD,
            padding=(0, 1),
            pad_edge=False,
            show_edge=False,
            collapse_padding=True,
        )
        for name, justify in (
            ("Meldingstype", "left"),
            ("Gjeldende", "left"),
            ("Antall", "right"),
            ("Andel", "right"),
            ("Oppfylt", "left"),
            ("Utdaterte", "left"),
            ("Uten nr.", "right"),
        ):
            msgs.add_column(
                name,
                justify=justify,  # type: ignore[arg-type]
                min_width=18 if name == "Meldingstype" else None,
                max_width=10 if name == "Utdaterte" else None,
            )
        for m in view.messages.iter_rows(named=True):
            share = m["andel_gjeldende"]
            msgs.add_row(
                terminal_text(m["meldingstype"]),
                terminal_text(lookup.join_texts(m["gjeldende_versjoner"])),
                _num(m["totalt"]),
                "–" if share is None else f"{_num(share * 100, 1)} %",
                "–" if m["oppfylt"] is None else ("ja" if m["oppfylt"] else "[red]nei[/]"),
                terminal_text(lookup.join_texts(m["utdaterte_versjoner"])),
                _num(m["uten_versjon"]),
            )
        console.print(msgs)
        console.print(
            "Andel: typens meldinger sendt i gjeldende versjon. Uten nr.: meldinger uten "
            "versjonsnummer (teller ikke som gjeldende).",
            highlight=False,
        )
    elif view.message_status == lookup.INGEN_MELDINGER:
        console.print(
            f"Ingen meldinger fra kommunen i {_month_long(view.message_period)}.",
            highlight=False,
        )
    if view.synthetic:
        console.print(
            "[bold yellow]Merk:[/] status per løsning bygger på SYNTETISKE eksempeldata "
            "(Eksempeldata), ikke virkelige tall.",
            highlight=False,
        )


def _read_table(path: Path) -> pl.DataFrame:
    from analysis.ingest.readers import ROW, ReadError, read_table

    try:
        return read_table(path).drop(ROW)
    except ReadError as exc:
        fail(str(exc))


@app.command()
def resolve(
    input: Annotated[Path, typer.Argument(help="CSV- eller XLSX-fil med kommuner.")],
    column: Annotated[str, typer.Option("--column", help="Kolonnen som holder kommunen.")],
    out: Annotated[Path, typer.Option("--out", help="CSV-filen som skrives.")],
    county_column: Annotated[
        str | None, typer.Option("--county-column", help="Kolonne med fylke (valgfri).")
    ] = None,
    year: YearOpt = None,
) -> None:
    """Finn kommunenummer for hver rad i en liste (navn, nummer eller organisasjonsnummer)."""
    from analysis.reference import DivisionError, resolver

    try:
        _io.check_file(out)  # before the work: a folder or /dev/null/x is a one-line error
    except _io.OutputError as exc:
        fail(str(exc))
    df = _read_table(input)
    for col in (column, county_column):
        if col is not None and col not in df.columns:
            fail(f"{input}: fant ikke kolonnen {col!r}; kolonnene er {', '.join(df.columns)}")
    try:
        r = resolver(_year(year))
    except DivisionError as exc:
        fail(str(exc))
    counties = df[county_column].to_list() if county_column else [None] * df.height
    results = [r.resolve(v, c) for v, c in zip(df[column].to_list(), counties, strict=True)]
    added = pl.DataFrame(
        {
            "kommunenummer": [x.kommunenummer for x in results],
            "kommunenavn": [x.kommunenavn for x in results],
            "match": [x.match for x in results],
            "candidates": [
                x.candidates_text() if not x.resolved or x.match != "exact" else "" for x in results
            ],
        },
        schema={k: pl.String for k in ("kommunenummer", "kommunenavn", "match", "candidates")},
    )
    clash = [c for c in added.columns if c in df.columns]
    if clash:
        df = df.rename({c: f"{c}_inndata" for c in clash})
    result = pl.concat([df, added], how="horizontal")
    try:
        _io.write_file(out, result.write_csv)
    except _io.OutputError as exc:
        fail(str(exc))
    counts = result.group_by("match").len().sort("match")
    summary = ", ".join(f"{m}: {n}" for m, n in counts.iter_rows())
    console.print(
        f"Skrev {result.height} rader til {terminal_text(out)} ({terminal_text(summary)}).",
        highlight=False,
    )
    unresolved = result.filter(pl.col("kommunenummer").is_null()).height
    if unresolved:
        console.print(
            f"[yellow]{unresolved} rader er flertydige eller ukjente: se kolonnene match og candidates.[/]"
        )


@app.command()
def query(
    sql: Annotated[str | None, typer.Argument(help="SQL mot tabellene (se --schema).")] = None,
    show_schema: Annotated[
        bool, typer.Option("--schema", help="Vis tabellene og kolonnene.")
    ] = False,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Skriv svaret til CSV (- : til standard ut).")
    ] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Skriv svaret til Excel.")] = None,
    fmt: Annotated[
        str,
        typer.Option("--format", help="table (standard), csv eller json til standard ut."),
    ] = "table",
    timeout: Annotated[
        float,
        typer.Option("--timeout", help="Stopp spørringen etter så mange sekunder (0: aldri)."),
    ] = 60.0,
    memory: Annotated[
        float | None,
        typer.Option("--memory", help="Minnegrense i GiB (standard: en firedel av minnet)."),
    ] = None,
    data: DataOpt = None,
) -> None:
    """Still spørsmål med SQL (DuckDB) mot de prosesserte tabellene. Bare lesing."""
    from analysis.load import MissingDataError
    from analysis.query import GIB, VIEW_DOCS, QueryError, run, schema

    if fmt not in ("table", "csv", "json"):
        fail(f"--format: {fmt!r} er ukjent; velg table, csv eller json")
    if timeout < 0:
        fail(f"--timeout må være 0 eller mer, fikk {timeout:g}")
    if memory is not None and memory <= 0:
        fail(f"--memory må være mer enn 0 GiB, fikk {memory:g}")
    to_stdout = fmt != "table" or str(csv) == "-"
    try:
        for target in (csv, xlsx):
            if target is not None and str(target) != "-":
                _io.check_file(target)
    except _io.OutputError as exc:
        fail(str(exc))
    try:
        if show_schema:
            cols = schema(data)
            table = Table(title="Tabeller og kolonner")
            for name in ("tabell", "kolonne", "type", "beskrivelse"):
                table.add_column(name)
            last = None
            for c in cols:
                label = f"{c.view}\n[dim]{VIEW_DOCS.get(c.view, '')}[/]" if c.view != last else ""
                table.add_row(label, c.column, c.dtype, c.description)
                last = c.view
            console.print(table)
            return
        if not sql:
            fail("Oppgi en SQL-spørring, eller --schema for å se tabellene.")
        limit = None if memory is None else int(memory * GIB)
        result = run(sql, data, timeout_s=timeout or None, memory_limit=limit)
    except (QueryError, MissingDataError) as exc:
        fail(str(exc))
    # Messages go to stderr when the answer itself goes to stdout.
    note = err_console if to_stdout else console
    if fmt == "json":
        sys.stdout.write(result.write_json() + "\n")
    elif fmt == "csv" or str(csv) == "-":
        sys.stdout.write(result.write_csv(date_format="%Y-%m-%d"))
    try:
        if csv is not None and str(csv) != "-":
            _io.write_file(csv, result.write_csv)
            note.print(f"Skrev {result.height} rader til {terminal_text(csv)}.", highlight=False)
        if xlsx is not None:
            _io.write_file(
                xlsx, lambda tmp: result.write_excel(tmp, autofit=True, freeze_panes=(1, 0))
            )
            note.print(f"Skrev {result.height} rader til {terminal_text(xlsx)}.", highlight=False)
    except _io.OutputError as exc:
        fail(str(exc))
    if csv is None and xlsx is None and fmt == "table":
        _print_frame(result)


def _print_frame(df: pl.DataFrame, limit: int = 200) -> None:
    """A frame as a rich table, at most ``limit`` rows (the rest counted)."""
    table = Table(show_lines=False)
    for col in df.columns:
        table.add_column(col, overflow="fold")
    for row in df.head(limit).iter_rows():
        # Cells are data: escape rich markup so a name with [brackets] or HTML prints as text.
        table.add_row(*("" if v is None else terminal_text(str(v)) for v in row))
    console.print(table)
    if df.height > limit:
        console.print(f"[dim]... {df.height - limit} rader til (bruk --csv eller --xlsx)[/]")


@app.command("example-data")
def example_data(
    seed: Annotated[
        int,
        typer.Option("--seed", help="Frø for tilfeldighetsgeneratoren (samme frø, samme filer)."),
    ] = 2023,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Mappen filene skrives til (standard: data/raw/example)."),
    ] = None,
    catalogue: Annotated[
        bool,
        typer.Option(
            "--catalogue/--no-catalogue",
            help="Oppdater eksempelblokken i data/raw/sources.yaml (bare for data/raw/example).",
        ),
    ] = True,
) -> None:
    """Lag de SYNTETISKE eksempeldataene (kommunevise lister og meldingsstatistikk)."""
    from analysis.example_data import EXAMPLE_SUBDIR, write_example

    if seed < 0:
        fail(f"--seed må være et ikke-negativt heltall, fikk {seed}")
    default_out = config.RAW_DIR / EXAMPLE_SUBDIR
    target = out if out is not None else default_out
    at_default = target.resolve() == default_out.resolve()
    try:
        written = write_example(
            target, seed, config.CATALOGUE if catalogue and at_default else None
        )
    except (OSError, ValueError) as exc:
        fail(str(exc))
    console.print(
        f"[bold yellow]Merk:[/] dette er SYNTETISKE eksempeldata (seed {seed}), ikke virkelige "
        "tall. De er kalibrert mot de publiserte nasjonale tallene, men hvilke kommuner som har "
        "hva, er tilfeldig. Erstatt dem med egne eksporter.",
        highlight=False,
    )
    files = [p for p in written if p != config.CATALOGUE]
    console.print(f"Skrev {len(files)} filer til {target}.", highlight=False)
    if config.CATALOGUE in written:
        console.print(f"Oppdaterte eksempelblokken i {config.CATALOGUE}.", highlight=False)
    elif catalogue and not at_default:
        console.print(
            "Katalogen ble ikke endret (--out er ikke data/raw/example).", highlight=False
        )


# --- ehelse status ------------------------------------------------------------------------

STATUS_FORMATS = ("table", "csv", "json")
_MONTHS_SHORT = ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des")
_CATEGORY_STYLE = {
    "nådd": "bold green",
    "på sporet": "green",
    "akselerasjon nødvendig": "yellow",
    "begrenset fremgang": "dark_orange",
    "tilbakegang": "red",
    "frist passert, ikke nådd": "magenta",
    "ikke beregnbar": "dim",
}
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


def _status_date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        fail(f"--as-of: {value!r} er ikke en dato (ÅÅÅÅ-MM-DD)")


def _county(value: str, division: int) -> tuple[str, str]:
    """A county number or name (any case) of the division -> (number, name); an unknown one
    ends with the closest counties."""
    from analysis.lookup import NotFoundError, find_county

    try:
        return find_county(value, division)
    except NotFoundError as exc:
        fail(f"--region: {exc}")


def _status_tables(data: Path) -> Any:
    """The processed tables the status needs (analysis.lookup.Tables), or one line saying what
    is wrong with them."""
    import pandera.errors as pa_errors

    from analysis.load import MissingDataError
    from analysis.lookup import load_tables

    try:
        return load_tables(data)
    except MissingDataError as exc:
        fail(str(exc))
    except (pa_errors.SchemaError, pa_errors.SchemaErrors) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        fail(f"Tabellene i {data} følger ikke skjemaet: {first}")


def _whole_to_int(df: pl.DataFrame) -> pl.DataFrame:
    """Float columns whose values are all whole numbers become integers (national figures)."""
    casts = []
    for col in ("ambisjon_andel", "gjenstar"):
        s = df[col].drop_nulls()
        if s.len() == 0 or (s == s.round(0)).all():
            casts.append(pl.col(col).round(0).cast(pl.Int64))
    return df.with_columns(casts) if casts else df


def _month_text(d: date | None) -> str:
    return "" if d is None else f"{_MONTHS_SHORT[d.month - 1]} {d.year % 100:02d}"


def _num(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")
    return text


STATUS_WIDE = 140  # narrower terminals get the compact table (csv and json have every column)


def _status_rich(df: pl.DataFrame, title: str, caption: str, wide: bool) -> Table:
    from rich import box

    table = Table(
        title=title, caption=caption, caption_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1)
    )
    columns = [
        ("Aktivitet", "left", 17, True),
        ("I bruk", "right", 0, wide),
        ("Tilgj.", "right", 0, wide),
        ("Antall", "right", 0, not wide),
        ("Ambisjon", "right", 0, True),
        ("%", "right", 0, True),
        ("Gjenstår", "right", 0, wide),
        ("Tempo/år", "right", 0, wide),
        ("Behov/år", "right", 0, wide),
        ("Kategori", "left", 12, True),
        ("Forventet", "left", 13, True),
        ("Publ.", "right", 0, wide),
        ("Avvik", "right", 0, wide),
    ]
    shown = [(name, justify, width) for name, justify, width, show in columns if show]
    for name, justify, width in shown:
        table.add_column(
            name,
            justify=justify,  # type: ignore[arg-type]
            no_wrap=width == 0,
            min_width=width or None,
        )
    for r in df.iter_rows(named=True):
        counted = r["telles_trinn"]

        def cell(step: str, value: int | None, counted: str = counted) -> str:
            text = _num(value)
            return f"[bold]{text}[/]" if step == counted and value is not None else text

        expected = "–"
        if r["forventet_dato"] is not None:
            expected = _month_text(r["forventet_dato"])
            lo, hi = r["forventet_fra"], r["forventet_til"]
            if (lo and lo != r["forventet_dato"]) or hi != r["forventet_dato"]:
                span = f"{_month_text(lo) or '?'}–{_month_text(hi) or 'åpen'}"
                expected += f"\n[dim]{span}[/]"
        differs = r["avvik"] is not None and r["avvik"] != 0
        style = _CATEGORY_STYLE.get(r["kategori"] or "", "")
        kategori = terminal_text(r["kategori"] or "") if r["antall"] is not None else "ingen status"
        amb = r["ambisjon_andel"]
        values = {
            "Aktivitet": terminal_text(r["aktivitet"] or r["losning"]),
            "I bruk": cell("i_bruk", r["i_bruk"]),
            "Tilgj.": cell("tilgjengelig", r["tilgjengelig"]),
            "Antall": _num(r["antall"]),
            "Ambisjon": _num(amb, 0 if amb is None or float(amb).is_integer() else 1),
            "%": _num(r["prosent_av_ambisjon"], 1),
            "Gjenstår": _num(r["gjenstar"], 0 if float(r["gjenstar"] or 0).is_integer() else 1),
            "Tempo/år": _num(r["tempo"], 1),
            "Behov/år": _num(r["nodvendig_tempo"], 1),
            "Kategori": f"[{style}]{kategori}[/]" if style else kategori,
            "Forventet": expected,
            "Publ.": _num(r["publisert"]) if differs else "",
            "Avvik": f"{r['avvik']:+d}" if differs else "",
        }
        table.add_row(*(values[name] for name, _, _ in shown))
    return table


@app.command()
def status(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Dato for statusen (ÅÅÅÅ-MM-DD; standard: slutten av rapportåret)."
        ),
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="Fylkesnummer eller fylkesnavn.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv eller json.")] = "table",
    year: YearOpt = None,
    data: DataOpt = None,
) -> None:
    """Status mot ambisjonene: antall, tempo, kategori og forventet dato per aktivitet."""
    from analysis.status import ParameterError
    from analysis.trajectory import status_overview

    if fmt not in STATUS_FORMATS:
        fail(f"--format: {fmt!r} er ukjent; velg {', '.join(STATUS_FORMATS)}")
    from analysis.lookup import default_as_of

    day = _status_date(as_of) if as_of is not None else None
    t = _status_tables(_data(year, data))
    kommuner = t.kommuner
    division = t.division
    county = _county(region, division) if region is not None else None
    when = day if day is not None else default_as_of(t, year)
    try:
        df = status_overview(
            t.adopsjon,
            kommuner,
            t.ambisjoner,
            when,
            meldinger=t.meldinger,
            publisert=t.publisert,
            county=county[0] if county else None,
        )
    except (ParameterError, ValueError, KeyError) as exc:
        fail(str(exc).strip("'\""))
    df = df.with_columns(pl.col(c).round(d) for c, d in _ROUND.items())
    if county is None:
        df = _whole_to_int(df)
    if fmt == "csv":
        sys.stdout.write(df.write_csv(date_format="%Y-%m-%d"))
        return
    if fmt == "json":
        records = df.to_dicts()
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    n = kommuner.filter(pl.col("fylkesnummer") == county[0]).height if county else kommuner.height
    where = f"{county[1]} ({n} kommuner)" if county else f"hele landet ({n} kommuner)"
    title = f"Status per {when:%d.%m.%Y} – {where}, kommuneinndelingen fra {division}"
    # A console made now, so the width follows this call's terminal (COLUMNS), not import time.
    out = Console()
    wide = out.width >= STATUS_WIDE
    notes = [
        "Antallet som telles mot ambisjonen: Kjernejournal tilgjengeliggjort, ellers i bruk"
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
    if county:
        notes.append("Ambisjon: fylkets forholdsmessige andel av den nasjonale ambisjonen.")
    else:
        if wide:
            notes.append("Publ. og avvik: det publiserte nasjonale tallet, der det avviker.")
    if df["syntetisk"].any():
        notes.append("[bold yellow]Bygger på SYNTETISKE eksempeldata, ikke virkelige tall.[/]")
    out.print(_status_rich(df, title, "\n".join(notes), wide))


@app.command()
def ingest(
    raw: Annotated[
        Path | None,
        typer.Option("--raw", help="Rådatamappen med sources.yaml (standard: data/raw)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Mappen tabellene skrives til (standard: data/processed/<inndeling>).",
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="Rapportåret; dataene leses inn på inndelingen som gjelder da "
            "(standard: report_year i sources.yaml).",
        ),
    ] = None,
) -> None:
    """Les alle kildene i katalogen, finn kommunene og skriv de bearbeidede tabellene."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from analysis.errors import EhelseError
    from analysis.ingest.common import IngestError
    from analysis.ingest.pipeline import run

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task("Leser kildene", total=None)

        def report(message: str, done: int, total: int) -> None:
            bar.update(
                task, description=f"Leser {terminal_text(message)}", completed=done, total=total
            )

        try:
            summary = run(raw, out, year, progress=report)
        except (IngestError, EhelseError) as exc:
            bar.stop()
            fail(str(exc))

    table = Table(
        title=f"Innlest til {terminal_text(str(summary.out))} (inndeling {summary.division})"
    )
    table.add_column("Kilde", overflow="fold")
    table.add_column("Type")
    table.add_column("Syntetisk")
    table.add_column("Lest", justify="right")
    table.add_column("Beholdt", justify="right")
    table.add_column("Avvist", justify="right")
    table.add_column("Grunner")
    for s in summary.sources:
        if s.rows_read is None:
            continue
        reasons = "; ".join(f"{terminal_text(r)}: {n}" for r, n in sorted(s.reasons.items()))
        rejected = f"[red]{s.rows_rejected}[/]" if s.rows_rejected else "0"
        table.add_row(
            terminal_text(s.id),
            s.kind,
            "[yellow]ja[/]" if s.synthetic else "",
            str(s.rows_read),
            str(s.rows_kept),
            rejected,
            reasons or "[dim]-[/]",
        )
    console.print(table)
    counts = ", ".join(f"{name} {n}" for name, n in summary.tables.items())
    console.print(f"Tabeller: {counts}.", highlight=False)
    if summary.rows_rejected:
        console.print(
            f"[yellow]{summary.rows_rejected} rader ble avvist;[/] se avvist.parquet for rad, "
            "kolonne, verdier og grunn.",
            highlight=False,
        )
    if summary.synthetic:
        names = ", ".join(terminal_text(s) for s in summary.synthetic)
        n = len(summary.synthetic)
        console.print(
            f"[bold yellow]Merk:[/] {n} {'kilde er' if n == 1 else 'kilder er'} syntetiske "
            f"eksempeldata ({names}); tallene fra dem er ikke virkelige.",
            highlight=False,
        )


@app.command("refresh-reference")
def refresh_reference_command(
    year: Annotated[
        int, typer.Option("--year", help="Året kommuneinndelingen gjelder fra (1. januar).")
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Hent året på nytt selv om mappen finnes.")
    ] = False,
    skip_population: Annotated[
        bool,
        typer.Option("--skip-population", help="Ikke hent befolkning (før SSB har publisert)."),
    ] = False,
    skip_boundaries: Annotated[
        bool,
        typer.Option("--skip-boundaries", help="Ikke hent kommunegrenser fra Kartverket."),
    ] = False,
    boundary_file: Annotated[
        Path | None,
        typer.Option(
            "--boundaries",
            help="Importer kommunegrenser fra en nedlastet GeoJSON-fil (Kartverket) for en "
            "inndeling som finnes; henter ingenting fra nettet.",
        ),
    ] = None,
    county_file: Annotated[
        Path | None,
        typer.Option(
            "--county-boundaries",
            help="Fylkesgrenser (GeoJSON) til --boundaries; uten den slås kommunene sammen.",
        ),
    ] = None,
    attribution: Annotated[
        str | None,
        typer.Option(
            "--attribution",
            help="Kildetekst til kartene for --boundaries (standard: © Kartverket, CC BY 4.0).",
        ),
    ] = None,
) -> None:
    """Hent kommuneinndeling, befolkning og kommunegrenser for et nytt år fra SSB og Kartverket."""
    from analysis.reference.refresh import refresh_reference
    from analysis.reference.sources_api import RefreshError

    if boundary_file is not None:
        from analysis.reference.boundary_import import import_boundaries

        try:
            imported = import_boundaries(year, boundary_file, county_file, attribution=attribution)
        except RefreshError as exc:
            fail(str(exc))
        console.print(imported.summary(), highlight=False, soft_wrap=True)
        return
    if county_file is not None or attribution is not None:
        fail("--county-boundaries og --attribution hører til --boundaries FIL.")
    try:
        result = refresh_reference(
            year,
            force=force,
            population=not skip_population,
            boundaries=not skip_boundaries,
            progress=lambda message: err_console.print(message, highlight=False),
        )
    except RefreshError as exc:
        fail(str(exc))
    console.print(result.summary(), highlight=False, soft_wrap=True)


def _ingest_if_stale(year: int) -> None:
    """Read the raw data into the report year's division folder when that folder is missing or
    older than the raw data or the ingest code, so `ehelse report --year 2024` just works."""
    from analysis.edition.params import ENV_PROCESSED, EditionError, data_folder
    from analysis.ingest.common import IngestError
    from analysis.ingest.pipeline import run

    if os.environ.get(ENV_PROCESSED):
        return
    try:
        folder = data_folder(year)
    except EditionError as exc:
        fail(str(exc))
    pointer = folder / "current"  # switched last by every ingest (analysis._io)
    if pointer.is_file():
        built = pointer.stat().st_mtime_ns
        roots = [config.RAW_DIR, Path(__file__).resolve().parent / "ingest"]
        if not any(
            f.stat().st_mtime_ns > built for r in roots for f in r.rglob("*") if f.is_file()
        ):
            return
    console.print(f"Leser inn dataene for {year} til {folder} ...", highlight=False)
    try:
        run(out=folder, year=year)
    except IngestError as exc:
        fail(str(exc))


@app.command()
def report(
    year: Annotated[
        int | None,
        typer.Option("--year", help="Rapportåret (standard: report_year i sources.yaml)."),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="Regional utgave for ett fylke: nummer (46) eller navn."),
    ] = None,
    formats: Annotated[
        str, typer.Option("--format", help="html, pdf eller html,pdf (standard: begge).")
    ] = "html,pdf",
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help="Mappen med de bearbeidede tabellene (standard: data/processed)."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Mappen rapporten skrives til (standard: report/_output)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Bygg på nytt selv om ingenting er endret.")
    ] = False,
) -> None:
    """Bygg statusrapporten som HTML og PDF (med Quarto hvis det er installert).

    En rapport som allerede er bygd av de samme dataene, kapitlene og den samme koden, bygges
    ikke på nytt (bruk --force)."""
    from analysis.errors import EhelseError
    from analysis.figures import FigureError
    from analysis.load import MissingDataError
    from analysis.publish import LAST_RUN, RenderError, render

    if data is not None and not data.is_dir():
        fail(f"{data}: mappen finnes ikke")
    if data is None:
        _ingest_if_stale(_year(year))
    try:
        paths = render(
            year=year,
            region=region,
            formats=formats.split(","),
            processed_dir=data,
            output_dir=out,
            force=force,
            progress=lambda msg: console.print(msg, highlight=False),
        )
    except (RenderError, MissingDataError, FigureError, EhelseError) as exc:
        fail(str(exc))
    skipped = LAST_RUN.get("skipped") or []
    if len(skipped) == len(paths):
        names = ", ".join(str(p) for p in paths)
        console.print(f"Rapporten er oppdatert ({names}); --force bygger på nytt.", highlight=False)
        return
    for path in paths:
        size = path.stat().st_size / 1e6
        extra = f", {LAST_RUN['pdf_pages']} sider" if path.suffix == ".pdf" else ""
        console.print(f"Skrev {path} ({size:.1f} MB{extra}).", highlight=False)
    steps = [
        ("kjøring", LAST_RUN.get("execute_s")),
        ("HTML", LAST_RUN.get("html_s")),
        ("PDF", LAST_RUN.get("pdf_s")),
        ("Quarto", LAST_RUN.get("quarto_s")),
    ]
    timing = ", ".join(f"{name} {s:.1f} s" for name, s in steps if s is not None)
    if timing:
        console.print(f"Tid: {timing}.", highlight=False)


# --- ehelse export ------------------------------------------------------------------------


@app.command()
def export(
    xlsx: Annotated[Path, typer.Option("--xlsx", help="Excel-filen som skrives (.xlsx).")],
    region: Annotated[
        str | None, typer.Option("--region", help="Bare ett fylke: nummer (46) eller navn.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Dato for statusen (ÅÅÅÅ-MM-DD; standard: slutten av rapportåret)."
        ),
    ] = None,
    year: YearOpt = None,
    data: DataOpt = None,
) -> None:
    """Skriv statusen til én Excel-fil: status, kommuner x løsninger, fylker og meldinger."""
    import pandera.errors as pa_errors

    from analysis import lookup
    from analysis.export import ExportError, build_sheets, write_workbook
    from analysis.load import MissingDataError, load_manifest, processed_dir
    from analysis.status import ParameterError

    if xlsx.suffix.lower() != ".xlsx":
        fail(f"--xlsx: {xlsx} må slutte på .xlsx")
    if not xlsx.parent.is_dir():
        fail(f"--xlsx: mappen {xlsx.parent} finnes ikke")
    day = _status_date(as_of) if as_of is not None else None
    data = _data(year, data)
    try:
        tables = lookup.load_tables(data)
    except MissingDataError as exc:
        fail(str(exc))
    except (pa_errors.SchemaError, pa_errors.SchemaErrors) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        fail(f"{processed_dir(data)}: {first}")
    county = _county(region, tables.division) if region is not None else None
    when = day if day is not None else lookup.default_as_of(tables, year)
    try:
        manifest: dict[str, object] | None = load_manifest(data)
    except MissingDataError:
        manifest = None
    try:
        sheets = build_sheets(tables, when, county, manifest)
        write_workbook(xlsx, sheets)
    except (ParameterError, ExportError, ValueError, KeyError) as exc:
        fail(str(exc).strip("'\""))
    counts = ", ".join(f"{s.name} {s.frame.height}" for s in sheets[:-1])
    where = f"{county[0]} {county[1]}" if county else "hele landet"
    console.print(
        f"Skrev {xlsx} ({where}, status per {when:%d.%m.%Y}): {counts} rader.", highlight=False
    )
    if tables.synthetic:
        console.print(
            "[bold yellow]Merk:[/] tallene per kommune er SYNTETISKE eksempeldata (Eksempeldata), "
            "ikke virkelige tall; arket «Om dataene» sier det samme.",
            highlight=False,
        )


def main() -> None:  # pragma: no cover - the console script calls app() directly
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
