"""Ad hoc SQL over the processed tables, for KS e-Komp's quick questions.

The tables are registered in an in-memory DuckDB under their Norwegian names, and then every
file system access is switched off and the configuration locked: a query can read the views and
nothing else, and can write no file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from analysis.load import MissingDataError, data_dir, load_table

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
    "ambisjoner": "porteføljetabellen: aktivitet, ambisjon og publisert status april 2023",
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
    "treff": "hvordan kommunen ble funnet (exact, alias, historical, fuzzy)",
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


class QueryError(ValueError):
    """An SQL error or a refused operation, as one line."""


@dataclass(frozen=True)
class ColumnInfo:
    view: str
    column: str
    dtype: str
    description: str


def connect(processed: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the processed tables as views, file access switched off."""
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
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def run(sql: str, processed: Path | str | None = None) -> pl.DataFrame:
    """Run one query and return its result; errors become one-line QueryError."""
    con = connect(processed)
    try:
        rel = con.sql(sql)
        if rel is None:
            return pl.DataFrame()
        return rel.pl()
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise QueryError(first) from exc
    finally:
        con.close()


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
