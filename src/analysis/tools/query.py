"""Ad hoc SQL over the processed tables, for KS e-Komp's quick questions.

The tables are registered in an in-memory DuckDB under their Norwegian names, and then every
file system access is switched off and the configuration locked: a query can read the views and
nothing else, and can write no file. Before the lock, the limits are set that the lock then
keeps a query from raising: memory (a quarter of the machine's, or of the container's), the
folder a big sort or join may spill to (``cache/duckdb`` inside the data's own folder, never
the current folder) and its size. A query that runs longer than its time limit is interrupted.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import duckdb
import polars as pl

from analysis._io import first_line
from analysis.errors import EhelseError
from analysis.load import MissingDataError, data_dir, load_table, processed_dir

# View name -> processed table name.
VIEWS: dict[str, str] = {
    "kommuner": "kommuner",
    "adopsjon": "adopsjon",
    "status": "status",
    "meldinger": "meldinger",
    "ambisjoner": "ambisjoner",
    "publisert": "publisert",
    "avvist": "avvist",
}
VIEW_DOCS: dict[str, str] = {
    "kommuner": "kommunene i rapportårets inndeling, med fylke og befolkning",
    "adopsjon": "hendelser: når en kommune nådde et trinn for en løsning, som kildene oppgir",
    "status": "trinnet hver kommune hadde nådd for hver løsning ved hvert månedsskifte",
    "meldinger": "antall meldinger per kommune, måned, meldingstype og versjon",
    "ambisjoner": "porteføljetabellene: aktivitet, ambisjon og publisert status per porteføljeår",
    "publisert": "nasjonale tall slik de er publisert, med kilde",
    "avvist": "inndatarader som ikke ble tatt med, med grunn",
}
COLUMN_DOCS: dict[str, str] = {
    "kommunenummer": "kommunenummer, fire siffer (0301)",
    "kommunenavn": "offisielt navn (samisk først der det er hovednavnet)",
    "kommunenavn_norsk": "norsk navn",
    "parallelle_navn": "samiske og kvenske parallellnavn",
    "fylkesnummer": "fylkesnummer, to siffer",
    "fylkesnavn": "fylkets navn",
    "organisasjonsnummer": "kommunens organisasjonsnummer (ni siffer)",
    "befolkning": "innbyggere 1. januar (SSB 07459)",
    "befolkning_dato": "datoen befolkningstallet gjelder",
    "inndeling": "kommuneinndelingen (året den trådte i kraft)",
    "losning": "løsningens id (digihelse, digihelsestasjon, kjernejournal, ...)",
    "trinn": "planlagt, tilgjengelig eller i_bruk (tom: ikke startet)",
    "dato": "dato",
    "kilde_id": "kildens id i data/raw/sources.yaml",
    "syntetisk": "sann for syntetiske eksempeldata",
    "rad": "radnummer i kildefilen",
    "kommune_inndata": "kommunen slik kilden skrev den",
    "treff": "hvordan kommunen ble funnet (exact, alias, historical, confirmed)",
    "periode": "måned (første dag)",
    "meldingstype": "meldingstype (PLO, Henvisning, ...)",
    "versjon": "meldingsversjon (tom: systemet oppgir ikke versjon)",
    "antall": "antall",
    "ambisjon": "antall kommuner i ambisjonen",
    "status_publisert": "status oppgitt i porteføljen",
    "status_dato": "datoen statusen gjelder",
    "fil": "kildefilen",
    "kolonne": "kolonnen feilen gjelder",
    "verdier": "radens verdier (JSON)",
    "grunn": "hvorfor raden ble avvist",
}


DEFAULT_TIMEOUT_S: Final = 60.0
TEMP_LIMIT_BYTES: Final = 10 * 2**30  # at most 10 GiB of spill, and at most half the free disk
GIB: Final = 2**30


def machine_memory() -> int:
    """Bytes of memory this process may use: the machine's, or the container's (cgroup)
    limit when that is lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit).read_text(encoding="ascii").strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


def default_memory_limit() -> int:
    """A quarter of the memory there is: DuckDB's own default (80 %) leaves too little for
    the rest of the machine."""
    return machine_memory() // 4


def temp_folder(processed: Path | str | None = None) -> Path:
    """Where a query may spill: the data's own cache folder."""
    return processed_dir(processed) / "cache" / "duckdb"


class QueryError(EhelseError, ValueError):
    """An SQL error or a refused operation, as one line."""


@dataclass(frozen=True)
class ColumnInfo:
    view: str
    column: str
    dtype: str
    description: str


def connect(
    processed: Path | str | None = None, memory_limit: int | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the processed tables as views, its limits set, file access
    switched off and the configuration locked."""
    folder = data_dir(processed)  # one set for every view
    con = duckdb.connect(":memory:")
    found = 0
    for view, table in VIEWS.items():
        try:
            df = load_table(table, folder, validate=False)
        except MissingDataError:
            continue
        con.register(f"_{view}", df.to_arrow())
        con.execute(f'CREATE VIEW "{view}" AS SELECT * FROM "_{view}"')
        found += 1
    if not found:
        raise MissingDataError(f"Ingen tabeller i {folder}: kjør `ehelse ingest` først")
    memory = memory_limit or default_memory_limit()
    con.execute(f"SET memory_limit = '{int(memory)}B'")
    spill = temp_folder(processed)
    try:
        spill.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(spill).free
        con.execute(f"SET temp_directory = '{_sql_text(str(spill))}'")
        con.execute(f"SET max_temp_directory_size = '{min(TEMP_LIMIT_BYTES, free // 2)}B'")
    except OSError:
        con.execute("SET temp_directory = ''")  # a read-only data folder: no spilling at all
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), m)
    for p, m in (
        (r'syntax error at or near "(?P<x>[^"]*)"', "syntaksfeil i spørringen ved «{x}»"),
        (r"syntax error at end of input", "syntaksfeil: spørringen slutter for tidlig"),
        (
            r'Referenced column "(?P<x>[^"]+)" not found',
            "ukjent kolonne «{x}» i spørringen (--schema viser kolonnene)",
        ),
        (
            r"Table with name (?P<x>\S+) does not exist",
            "ukjent tabell «{x}» i spørringen; tabellene er {views}",
        ),
        (
            r"Permission Error",
            "ikke tillatt: spørringer kan bare lese tabellene, ikke filer eller utvidelser",
        ),
        (r'Cannot change configuration option "(?P<x>[^"]+)"', "ikke tillatt: «{x}» er låst"),
        (
            r"Could not convert string '(?P<x>[^']*)' to (?P<y>\w+)",
            "kan ikke gjøre «{x}» om til {y}",
        ),
        (
            r"No function matches the given name and argument types '(?P<x>[^']+)'",
            "ingen funksjon passer til {x}; gjør om typen med CAST",
        ),
        (r"Division by zero", "deling på null"),
    )
)


def bokmal_error(exc: BaseException) -> str:
    """A DuckDB error as one line in bokmål; DuckDB's own first line where we know no better."""
    text = str(exc)
    for pattern, message in _MESSAGES:
        if m := pattern.search(text):
            parts = {k: v for k, v in m.groupdict().items() if v is not None}
            return message.format(**parts, views=", ".join(VIEWS))
    return f"spørringen feilet: {first_line(exc)}"


def referenced_views(sql: str) -> set[str]:
    """The views a query names (parsed, not run; a CTE of the same name counts too). A query
    that does not parse names nothing."""
    con = duckdb.connect(":memory:")
    try:
        text = con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
    finally:
        con.close()
    tree = json.loads(text[0]) if text else {}
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE" and isinstance(node.get("table_name"), str):
                found.add(node["table_name"].casefold())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    return found & set(VIEWS)


@dataclass(frozen=True)
class QueryResult:
    """A query's result and how much of what it read is synthetic example data."""

    frame: pl.DataFrame
    synthetic_views: dict[str, tuple[int, int]]  # view -> (synthetic rows, rows)

    @property
    def synthetic_rows(self) -> int | None:
        """Synthetic rows in the result itself, when it has a boolean ``syntetisk`` column."""
        col = self.frame.schema.get("syntetisk")
        if col != pl.Boolean:
            return None
        return int(self.frame["syntetisk"].sum())

    @property
    def touches_synthetic(self) -> bool:
        rows = self.synthetic_rows
        return bool(rows) if rows is not None else bool(self.synthetic_views)


def run(
    sql: str,
    processed: Path | str | None = None,
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
    memory_limit: int | None = None,
) -> pl.DataFrame:
    """Run one query and return its result; errors, the time limit and the memory limit
    become one-line QueryError."""
    return answer(sql, processed, timeout_s, memory_limit).frame


def answer(
    sql: str,
    processed: Path | str | None = None,
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
    memory_limit: int | None = None,
) -> QueryResult:
    """``run``, and the synthetic rows of the views the query reads."""
    con = connect(processed, memory_limit)
    timer = None
    stopped = threading.Event()
    if timeout_s is not None and timeout_s > 0:

        def stop() -> None:
            stopped.set()
            con.interrupt()

        timer = threading.Timer(timeout_s, stop)
        timer.daemon = True
        timer.start()
    try:
        rel = con.sql(sql)
        frame = pl.DataFrame() if rel is None else rel.pl()
        return QueryResult(frame, _synthetic_views(con, referenced_views(sql)))
    except duckdb.Error as exc:
        if stopped.is_set() or isinstance(exc, duckdb.InterruptException):
            raise QueryError(
                f"Spørringen ble stoppet etter {timeout_s:g} s (tidsgrensen; --timeout endrer den)"
            ) from None
        if isinstance(exc, duckdb.OutOfMemoryException):
            limit = (memory_limit or default_memory_limit()) / GIB
            raise QueryError(
                f"Spørringen trengte mer minne enn grensen på {limit:.1f} GiB (--memory endrer den)"
            ) from None
        raise QueryError(bokmal_error(exc)) from exc
    finally:
        if timer is not None:
            timer.cancel()
        con.close()


def _synthetic_views(con: duckdb.DuckDBPyConnection, views: set[str]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for view in sorted(views):
        try:
            row = con.execute(
                f'SELECT count(*) FILTER (WHERE syntetisk), count(*) FROM "_{view}"'
            ).fetchone()
        except duckdb.BinderException:  # a view without a syntetisk column
            continue
        except duckdb.CatalogException:  # a view this folder does not have
            continue
        if row and row[0]:
            out[view] = (int(row[0]), int(row[1]))
    return out


def schema(processed: Path | str | None = None) -> list[ColumnInfo]:
    """Every view and column with its type and a description."""
    con = connect(processed)
    try:
        rows = con.sql(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY table_name, ordinal_position"
        ).fetchall()
    finally:
        con.close()
    return [ColumnInfo(v, c, t, COLUMN_DOCS.get(c, "")) for v, c, t in rows]
