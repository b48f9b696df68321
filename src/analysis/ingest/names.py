"""Confirmed place names (data/raw/navnetillegg.csv): names an analyst has checked once.

A file that names a place that is not a municipality (a town, a village, an old spelling) gets
its rows rejected with the closest names as suggestions. When an analyst has found out which
municipality the place belongs to, one row here (name, municipality code, and the source or
reason) makes every later file with that name resolve to it, as the match ``confirmed``.

The file is a parameter, not data: any row it cannot use stops the run with one line naming
the row and column. A name the register already resolves is refused, so the file never
overrides the register.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis.ingest.catalogue import Source
from analysis.ingest.columns import ColumnError, missing_column
from analysis.ingest.common import IngestError, SourceResult
from analysis.ingest.readers import ROW
from analysis.reference.name_keys import control_characters, name_key
from analysis.reference.resolution import Confirmed
from analysis.reference.resolve import Resolver

COLUMNS = ("navn", "kommunenummer", "begrunnelse")


def confirmed_names(
    source: Source, df: pl.DataFrame, resolver: Resolver, where: Path
) -> tuple[dict[str, Confirmed], SourceResult]:
    """The confirmed names of one file (name -> municipality in the resolver's division)."""
    columns = [c for c in df.columns if c != ROW]
    for c in COLUMNS:
        if c not in columns:
            raise ColumnError(missing_column(where, c, columns))
    name_col, code_col, why_col = COLUMNS
    out: dict[str, Confirmed] = {}
    first_row: dict[str, int] = {}
    for row in df.iter_rows(named=True):
        at = f"{where}, rad {row[ROW]}"
        name, code, reason = row[name_col], row[code_col], row[why_col]
        if not name:
            raise IngestError(f"{at}, kolonne {name_col!r}: mangler navn")
        if control_characters(name):
            raise IngestError(f"{at}, kolonne {name_col!r}: navnet {name!r} har kontrolltegn")
        if not reason:
            raise IngestError(
                f"{at}, kolonne {why_col!r}: mangler begrunnelse (kilden eller grunnen til at "
                f"{name!r} hører til kommunen)"
            )
        if not code:
            raise IngestError(f"{at}, kolonne {code_col!r}: mangler kommunenummer")
        res = resolver.resolve(code)
        if not res.resolved or res.kommunenummer is None:
            raise IngestError(
                f"{at}, kolonne {code_col!r}: {code!r} er ikke en kommune i inndelingen for "
                f"{resolver.division} ({res.note or res.match})"
            )
        itself = resolver.resolve(name)
        if itself.match in ("exact", "alias", "historical", "ambiguous"):
            what = (
                f"er allerede {itself.kommunenummer} {itself.kommunenavn}"
                if itself.resolved
                else f"er et kommunenavn flere steder ({itself.candidates_text()}); bruk "
                "fylkeskolonnen eller county_hint i stedet"
            )
            raise IngestError(f"{at}, kolonne {name_col!r}: navnet {name!r} {what}; fjern raden")
        key = name_key(name)
        if key in first_row:
            raise IngestError(
                f"{at}, kolonne {name_col!r}: navnet {name!r} står allerede på rad {first_row[key]}"
            )
        first_row[key] = row[ROW]
        out[name] = Confirmed(res.kommunenummer, reason)
    result = SourceResult(source, "", df.height, kept_rows=df[ROW])
    return out, result
