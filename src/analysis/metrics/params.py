"""The one loader of the committed parameter tables in ``analysis/metrics/data``.

Each table is declared once (``ParamTable``): its columns with type, whether a value is
required, the values allowed, and the keys that must not repeat. ``load`` checks every row
against the declaration and returns a polars frame typed from it; a bad cell stops with one
line naming file, row (the header is row 1) and column. A new portfolio year changes rows
here, not code.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import polars as pl

from analysis.errors import EhelseError
from analysis.fmt import join_names
from analysis.steps import TRINN

PACKAGE_DIR = "src/analysis/metrics/data"
MEASURES = ("adopsjon", "meldingsversjon")
KRAV = ("sende", "motta")
BREAK = "|"  # marks where a narrow heading may break (orddeling); becomes a soft hyphen
SOFT_HYPHEN = "\u00ad"

Kind = Literal["text", "date", "int", "year", "lines"]
Row = dict[str, Any]


class ParameterError(EhelseError, ValueError):
    """A committed parameter file that cannot be used; the message names file, row, column."""


@dataclass(frozen=True)
class Column:
    """One column of a parameter table: its type, whether it needs a value, what it allows.

    ``digits`` asks for exactly that many digits (a county or municipality number, kept as
    text); ``optional`` lets the header lack the column (every row then has no value).
    """

    name: str
    kind: Kind = "text"
    required: bool = False
    allowed: tuple[str, ...] = ()
    digits: int | None = None
    optional: bool = False


@dataclass(frozen=True)
class ParamTable:
    """A parameter table: file name, columns, keys that must be unique, and a rule across the
    columns of one row (``check``), or across rows (``check_all``), each returning an error
    text (column, reason) or None."""

    file: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()  # one column: no value twice; several: no key twice
    key_name: str = "rad"  # "samme <key_name> som rad N" for a repeated key of several columns
    check: Callable[[Row], tuple[str | None, str] | None] | None = None
    check_all: Callable[[list[Row]], tuple[int, str | None, str] | None] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def schema(self) -> dict[str, pl.DataType]:
        """The polars dtypes of the loaded frame, from the declared kinds."""
        types: dict[Kind, pl.DataType] = {
            "text": pl.String(),
            "date": pl.Date(),
            "int": pl.Int64(),
            "year": pl.Int64(),
            "lines": pl.List(pl.Int64()),
        }
        return {c.name: types[c.kind] for c in self.columns}


def _param_cell(col: Column, text: str) -> tuple[Any, str | None]:
    """The typed value of one cell, or the reason it is unusable."""
    if not text:
        return (([] if col.kind == "lines" else None), "mangler verdi" if col.required else None)
    if col.allowed and text not in col.allowed:
        return None, f"{text!r} er ikke {join_names(col.allowed, 'eller')}"
    if col.digits is not None and not (len(text) == col.digits and text.isdigit()):
        words = {2: "to", 4: "fire"}
        return None, f"{text!r} er ikke {words.get(col.digits, col.digits)} siffer"
    if col.kind == "date":
        try:
            return date.fromisoformat(text), None
        except ValueError:
            return None, f"{text!r} er ikke en dato (ÅÅÅÅ-MM-DD)"
    if col.kind in ("int", "year"):
        if not text.isdigit():
            return None, f"{text!r} er ikke {'et år' if col.kind == 'year' else 'et heltall'}"
        return int(text), None
    if col.kind == "lines":
        parts = [p.strip() for p in text.split("|") if p.strip()]
        if not all(p.isdigit() for p in parts):
            return None, f"{text!r} er ikke linjenumre skilt med |"
        return [int(p) for p in parts], None
    return text, None


def parse(table: ParamTable, text: str, path: str | None = None) -> pl.DataFrame:
    """The rows of ``text`` (CSV with a header) checked against ``table``, as a typed frame."""
    where = path or table.file
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    missing = [c.name for c in table.columns if c.name not in header and not c.optional]
    if missing:
        raise ParameterError(f"{where}, rad 1: mangler kolonne(r) {missing}; fant {header}")
    records = []
    for i, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise ParameterError(
                f"{where}, rad {i}: har {len(values)} felt, overskriften har {len(header)}"
            )
        records.append((i, dict(zip(header, (v.strip() for v in values), strict=True))))
    return parse_rows(table, records, where)


def parse_rows(
    table: ParamTable, records: list[tuple[int, dict[str, str]]], where: str | None = None
) -> pl.DataFrame:
    """Rows given as (row number, cells by column) checked against ``table``."""
    where = where or table.file
    out: list[Row] = []
    first: dict[tuple[Any, ...], int] = {}
    for i, cells in records:
        row: Row = {}
        for col in table.columns:
            value, problem = _param_cell(col, (cells.get(col.name) or "").strip())
            if problem:
                raise ParameterError(f"{where}, rad {i}, kolonne {col.name}: {problem}")
            row[col.name] = value
        if table.check is not None and (found := table.check(row)) is not None:
            column, reason = found
            at = f", kolonne {column}" if column else ""
            raise ParameterError(f"{where}, rad {i}{at}: {reason}")
        if table.unique:
            key = tuple(str(row[c]) for c in table.unique)
            if key in first:
                if len(table.unique) == 1:
                    raise ParameterError(
                        f"{where}, rad {i}, kolonne {table.unique[0]}: {key[0]!r} står også "
                        f"i rad {first[key]}"
                    )
                raise ParameterError(
                    f"{where}, rad {i}: samme {table.key_name} som rad {first[key]}"
                )
            first[key] = i
        out.append(row)
    if table.check_all is not None and (found_all := table.check_all(out)) is not None:
        index, column, reason = found_all
        at = f", kolonne {column}" if column else ""
        raise ParameterError(f"{where}, rad {records[index][0]}{at}: {reason}")
    return pl.DataFrame(out, schema=table.schema(), orient="row")


def load(table: ParamTable, folder: Path | None = None) -> pl.DataFrame:
    """A parameter table from the package (default) or from ``folder`` (a copy to try out a
    changed row), checked row by row."""
    if folder is None:
        return _packaged(table)
    path = Path(folder) / table.file
    return parse(table, path.read_text(encoding="utf-8-sig"), str(path))


@cache
def _packaged(table: ParamTable) -> pl.DataFrame:
    text = files("analysis.metrics").joinpath("data", table.file).read_text(encoding="utf-8")
    return parse(table, text, f"{PACKAGE_DIR}/{table.file}")


# --- the tables ---------------------------------------------------------------------------


def _check_heading(row: Row) -> tuple[str | None, str] | None:
    cut = row["orddeling"]
    if cut is not None and cut.replace(BREAK, "") != row["navn"]:
        return "orddeling", f"{cut!r} uten {BREAK} er ikke navnet {row['navn']!r}"
    return None


ACTIVITIES = ParamTable(
    "aktiviteter.csv",
    (
        Column("losning", required=True),
        Column("navn", required=True),
        Column("telles_trinn", required=True, allowed=TRINN),
        Column("omfang_id", required=True),
        Column("frist", "date", required=True),
        Column("maal", required=True, allowed=MEASURES),
        Column("orddeling", optional=True),
        Column("merknad"),
    ),
    unique=("losning",),
    check=_check_heading,
)


def _check_scope(row: Row) -> tuple[str | None, str] | None:
    if row["fylkesnummer"] and row["kommunenummer"]:
        return "kommunenummer", "en rad gir enten fylke eller kommune"
    return None


def _check_scope_names(rows: list[Row]) -> tuple[int, str | None, str] | None:
    names: dict[str, str] = {}
    for i, row in enumerate(rows):
        if names.setdefault(row["omfang_id"], row["navn"]) != row["navn"]:
            return (
                i,
                "navn",
                f"{row['omfang_id']} heter {names[row['omfang_id']]!r} i en tidligere rad",
            )
    return None


SCOPES = ParamTable(
    "omfang.csv",
    (
        Column("omfang_id", required=True),
        Column("navn", required=True),
        Column("fylkesnummer", digits=2),
        Column("kommunenummer", digits=4),
        Column("inndeling", "year"),
        Column("merknad"),
    ),
    check=_check_scope,
    check_all=_check_scope_names,
)

NETWORKS = ParamTable(
    "nettverk.csv",
    (
        Column("fylkesnummer", required=True, digits=2),
        Column("nettverk_id", required=True),
        Column("nettverk", required=True),
        Column("merknad"),
    ),
    unique=("fylkesnummer",),
)


def _check_rule(row: Row) -> tuple[str | None, str] | None:
    if row["gjelder_fra"] is None and row["krav"] != "sende":
        return "gjelder_fra", f"et krav om å {row['krav']} må ha en dato"
    return None


def _check_rule_names(rows: list[Row]) -> tuple[int, str | None, str] | None:
    names: dict[str, str] = {}
    for i, row in enumerate(rows):
        mtype = row["meldingstype"]
        if names.setdefault(mtype, row["navn"]) != row["navn"]:
            return i, "navn", f"{mtype} heter {names[mtype]!r} i en tidligere rad"
    return None


VERSION_RULES = ParamTable(
    "meldingsversjoner.csv",
    (
        Column("meldingstype", required=True),
        Column("navn", required=True),
        Column("versjon", required=True),
        Column("krav", required=True, allowed=KRAV),
        Column("gjelder_fra", "date"),
        Column("utgiver", required=True),
        Column("kilde", required=True),
        Column("frister_linjer", "lines"),
        Column("merknad"),
    ),
    unique=("meldingstype", "versjon", "krav", "gjelder_fra"),
    key_name="regel",
    check=_check_rule,
    check_all=_check_rule_names,
)

MESSAGE_STANDARDS = ParamTable(
    "meldingsstandarder.csv",
    (
        Column("linje", "int", required=True),
        Column("standard", required=True),
        Column("meldingstype"),
        Column("bruk", required=True, allowed=("regel", "ikke brukt")),
        Column("grunn", required=True),
    ),
    unique=("linje",),
)

TABLES = (ACTIVITIES, SCOPES, NETWORKS, VERSION_RULES, MESSAGE_STANDARDS)


def activities(folder: Path | None = None) -> pl.DataFrame:
    """The portfolio activities: display name, counted step, scope, deadline and measure, with
    their source; ``overskrift`` is the name for a narrow heading (soft hyphens where
    ``orddeling`` allows a break)."""
    df = load(ACTIVITIES, folder)
    heading = pl.col("orddeling").str.replace_all(BREAK, SOFT_HYPHEN, literal=True)
    return df.with_columns(overskrift=heading.fill_null(pl.col("navn"))).drop("orddeling")


def display_names(folder: Path | None = None) -> dict[str, str]:
    """Solution id -> the name tables, charts and the CLI show (aktiviteter.csv, navn)."""
    return dict(activities(folder).select("losning", "navn").iter_rows())


def scope_definitions(folder: Path | None = None) -> pl.DataFrame:
    """Scope definitions: a row with neither county nor municipality means every municipality."""
    return load(SCOPES, folder)


def scope_names(folder: Path | None = None) -> dict[str, str]:
    """Scope id -> its name in running text ("Helse Midt-Norges område")."""
    return dict(scope_definitions(folder).select("omfang_id", "navn").unique().iter_rows())


def networks(folder: Path | None = None) -> pl.DataFrame:
    """County number to regional network (counties as the stated approximation)."""
    return load(NETWORKS, folder)


def version_rules(folder: Path | None = None) -> pl.DataFrame:
    """The dated rule of current message versions: one row per type, version, requirement
    (sende | motta) and date; an empty date is the version in use before the type's first
    dated requirement (or always, for a type without one)."""
    return load(VERSION_RULES, folder)


def message_standards(folder: Path | None = None) -> pl.DataFrame:
    """Each line of Norsk helsenett's deadline file and how the rule uses it (regel | ikke
    brukt), with the reason."""
    return load(MESSAGE_STANDARDS, folder)
