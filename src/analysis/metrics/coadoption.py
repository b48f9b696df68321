"""Co-adoption: for each pair of solutions, how many municipalities have both, one or neither.

It shows whether the solutions travel together (a municipality with DigiHelse tends to have
DigiHelsestasjon) and so where one solution could carry another. Only municipalities in both
scopes are compared, so Helseplattformen pairs cover Helse Midt-Norge alone.
"""

from __future__ import annotations

from itertools import combinations

import polars as pl


def coadoption(municipal: pl.DataFrame) -> pl.DataFrame:
    """Pairs of measured solutions (losning_a < losning_b) with begge, bare_a, bare_b, ingen
    and felles_omfang (municipalities in both scopes)."""
    data = municipal.filter(pl.col("maalt")).select(
        "losning", "kommunenummer", pl.col("telles").fill_null(False)
    )
    has: dict[str, dict[str, bool]] = {}
    for losning, kommune, counted in data.iter_rows():
        has.setdefault(losning, {})[kommune] = bool(counted)
    rows = []
    for a, b in combinations(sorted(has), 2):
        common = has[a].keys() & has[b].keys()
        both = sum(1 for k in common if has[a][k] and has[b][k])
        only_a = sum(1 for k in common if has[a][k] and not has[b][k])
        only_b = sum(1 for k in common if has[b][k] and not has[a][k])
        rows.append(
            {
                "losning_a": a,
                "losning_b": b,
                "felles_omfang": len(common),
                "begge": both,
                "bare_a": only_a,
                "bare_b": only_b,
                "ingen": len(common) - both - only_a - only_b,
            }
        )
    schema = {
        "losning_a": pl.String,
        "losning_b": pl.String,
        "felles_omfang": pl.Int64,
        "begge": pl.Int64,
        "bare_a": pl.Int64,
        "bare_b": pl.Int64,
        "ingen": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema)
