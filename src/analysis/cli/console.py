"""The terminal side of the CLI: the consoles, the one-line failure and the rich tables.

Every cell that comes from data goes through ``analysis.escape.terminal_text``, so a name with
[brackets] or an escape code prints as text, never as markup or a terminal command.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from analysis.escape import terminal_text
from analysis.fmt import format_date, format_int

if TYPE_CHECKING:
    import polars as pl

    from analysis.ingest.pipeline import IngestSummary


def console() -> Console:
    """Standard output, made per use so that the width follows this call's terminal
    (``COLUMNS``), not the one the process started with."""
    return Console()


def err_console() -> Console:
    """Standard error, made per use like ``console``."""
    return Console(stderr=True)


STATUS_WIDE = 140  # narrower terminals get the compact table (csv and json have every column)
MONTHS_SHORT = ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des")
_CATEGORY_STYLE = {
    "nådd": "bold green",
    "på sporet": "green",
    "akselerasjon nødvendig": "yellow",
    "begrenset fremgang": "dark_orange",
    "tilbakegang": "red",
    "frist passert, ikke nådd": "magenta",
    "ikke beregnbar": "dim",
}


def fail(message: str) -> NoReturn:
    """Stop with one line and exit code 2: the input or the arguments cannot be used. The
    message is text (it often quotes data): never read as markup, escape codes shown."""
    err_console().print(
        f"[bold red]Feil:[/] {terminal_text(message)}", highlight=False, soft_wrap=True
    )
    raise typer.Exit(code=2)


def rows_text(n: int) -> str:
    """ "1 rad", "12 rader": a count of rows in bokmål."""
    return f"{format_int(n)} {'rad' if n == 1 else 'rader'}"


def month_long(d: date | None) -> str:
    return "" if d is None else f"{MONTHS_SHORT[d.month - 1]} {d.year}"


def month_short(d: date | None) -> str:
    return "" if d is None else f"{MONTHS_SHORT[d.month - 1]} {d.year % 100:02d}"


def num(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")


def plain_table(title: str) -> Table:
    """The compact table style of the status views: a rule under the header, no frame."""
    return _plain(title)


def _plain(title: str) -> Table:
    """The compact table style of the status views: a rule under the header, no frame."""
    return Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
    )


def solutions_table(view: Any, when: date) -> Table:
    """`ehelse kommune`: every solution with the date the municipality reached each step and
    whether it counts (analysis.tools.lookup.MunicipalityView)."""
    from analysis.tools import lookup

    steps = _plain(f"Løsninger per {when:%d.%m.%Y}")
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
            max_width=12 if name == "Trinn" and console().width < 100 else None,
        )
    for r in view.solutions.iter_rows(named=True):
        label = terminal_text(r["navn"])
        if r["maal"] == "meldingsversjon":
            state = view.message_status or "ingen data"
            month = month_long(view.message_period)
            counts = "–" if view.message_status is None else "ja"
            if view.message_status != "oppfylt" and view.message_status is not None:
                counts = "nei"
            steps.add_row(label, f"{state} ({month})" if month else state, "", "", "", counts)
            continue
        counts = "–" if r["telles"] is None else ("ja" if r["telles"] else "nei")
        steps.add_row(
            label,
            lookup.step_label(r["trinn"], r["i_omfanget"]),
            format_date(r["planlagt_dato"]),
            format_date(r["tilgjengelig_dato"]),
            format_date(r["i_bruk_dato"]),
            counts,
        )
    return steps


def messages_table(view: Any) -> Table:
    """`ehelse kommune`: the month's messages per type, in current and outdated versions."""
    from analysis.tools import lookup

    msgs = _plain(f"Meldingsversjoner {month_long(view.message_period)}: {view.message_status}")
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
            num(m["totalt"]),
            "–" if share is None else f"{num(share * 100, 1)} %",
            "–" if m["oppfylt"] is None else ("ja" if m["oppfylt"] else "[red]nei[/]"),
            terminal_text(lookup.join_texts(m["utdaterte_versjoner"])),
            num(m["uten_versjon"]),
        )
    return msgs


def terminal_status_table(df: pl.DataFrame, title: str, caption: str, wide: bool) -> Table:
    """`ehelse status`: one row per activity; a narrow terminal gets the compact columns."""
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
            text = num(value)
            return f"[bold]{text}[/]" if step == counted and value is not None else text

        expected = "–"
        if r["forventet_dato"] is not None:
            expected = month_short(r["forventet_dato"])
            lo, hi = r["forventet_fra"], r["forventet_til"]
            if (lo and lo != r["forventet_dato"]) or hi != r["forventet_dato"]:
                span = f"{month_short(lo) or '?'}–{month_short(hi) or 'åpen'}"
                expected += f"\n[dim]{span}[/]"
        differs = r["avvik"] is not None and r["avvik"] != 0
        style = _CATEGORY_STYLE.get(r["kategori"] or "", "")
        kategori = terminal_text(r["kategori"] or "") if r["antall"] is not None else "ingen status"
        amb = r["ambisjon_andel"]
        values = {
            "Aktivitet": terminal_text(r["aktivitet"] or r["losning"]),
            "I bruk": cell("i_bruk", r["i_bruk"]),
            "Tilgj.": cell("tilgjengelig", r["tilgjengelig"]),
            "Antall": num(r["antall"]),
            "Ambisjon": num(amb, 0 if amb is None or float(amb).is_integer() else 1),
            "%": num(r["prosent_av_ambisjon"], 1),
            "Gjenstår": num(r["gjenstar"], 0 if float(r["gjenstar"] or 0).is_integer() else 1),
            "Tempo/år": num(r["tempo"], 1),
            "Behov/år": num(r["nodvendig_tempo"], 1),
            "Kategori": f"[{style}]{kategori}[/]" if style else kategori,
            "Forventet": expected,
            "Publ.": num(r["publisert"]) if differs else "",
            "Avvik": f"{r['avvik']:+d}" if differs else "",
        }
        table.add_row(*(values[name] for name, _, _ in shown))
    return table


INGEST_WIDE = 120  # narrower terminals get the reasons as a list under the table


def ingest_table(summary: IngestSummary, width: int = INGEST_WIDE) -> Table:
    """`ehelse ingest`: rows read, kept and rejected per source; the reasons in a column when
    the terminal is wide enough, else listed under the table (``ingest_reasons``), so no
    source id or word is broken in the middle."""
    wide = width >= INGEST_WIDE
    table = Table(
        title=f"Innlest til {terminal_text(str(summary.out))} (inndeling {summary.division})",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    table.add_column("Kilde", no_wrap=True)
    if wide:
        table.add_column("Type", no_wrap=True)
    table.add_column("Syntetisk" if wide else "Synt.", no_wrap=True)
    table.add_column("Lest", justify="right", no_wrap=True)
    table.add_column("Beholdt", justify="right", no_wrap=True)
    table.add_column("Avvist", justify="right", no_wrap=True)
    if wide:
        table.add_column("Grunner", ratio=1)
    for s in summary.sources:
        if s.rows_read is None:
            continue
        rejected = f"[red]{s.rows_rejected}[/]" if s.rows_rejected else "0"
        cells = [terminal_text(s.id)]
        if wide:
            cells.append(s.kind)
        cells += [
            "[yellow]ja[/]" if s.synthetic else "",
            str(s.rows_read),
            str(s.rows_kept),
            rejected,
        ]
        if wide:
            reasons = "; ".join(f"{terminal_text(r)}: {n}" for r, n in sorted(s.reasons.items()))
            cells.append(reasons or "[dim]-[/]")
        table.add_row(*cells)
    return table


def ingest_reasons(summary: IngestSummary) -> list[str]:
    """The rejection reasons per source, one line each, for a narrow terminal."""
    lines = []
    for s in summary.sources:
        for reason, n in sorted(s.reasons.items()):
            lines.append(f"  {terminal_text(s.id)}: {terminal_text(reason)} ({n})")
    return lines


def schema_table(columns: Any, docs: dict[str, str]) -> Table:
    """`ehelse query --schema`: every view with its columns, types and descriptions."""
    table = Table(title="Tabeller og kolonner")
    for name in ("tabell", "kolonne", "type", "beskrivelse"):
        table.add_column(name)
    last = None
    for c in columns:
        label = f"{c.view}\n[dim]{docs.get(c.view, '')}[/]" if c.view != last else ""
        table.add_row(label, c.column, c.dtype, c.description)
        last = c.view
    return table


def print_frame(df: pl.DataFrame, limit: int = 200) -> None:
    """A frame as a rich table, at most ``limit`` rows (the rest counted)."""
    table = Table(show_lines=False)
    for col in df.columns:
        table.add_column(col, overflow="fold")
    for row in df.head(limit).iter_rows():
        # Cells are data: escape rich markup so a name with [brackets] or HTML prints as text.
        table.add_row(*("" if v is None else terminal_text(str(v)) for v in row))
    console().print(table)
    if df.height > limit:
        console().print(f"[dim]... {df.height - limit} rader til (bruk --csv eller --xlsx)[/]")
