"""Express municipality codes and data in the division of another year.

The crosswalk is the chain of committed change files (``<division>/endringer.csv``), one per
division, each mapping the previous division's codes to its own. Moving forward a code can be
renumbered, merged (several old codes to one new) or split (one old code to several new ones).
A split is never given to one side: the code is reported with every successor and flagged, and
data for it is not assigned. Moving backward, several codes can fold into one (2024's 1508
Ålesund and 1580 Haram both become 2023's 1507), which sums; a code that was formed by a merger
cannot be taken apart again, and is flagged the same way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Literal

import polars as pl

from analysis.reference.register import division_for, division_years, load_changes, load_register

Kind = Literal["uendret", "nytt_nummer", "sammenslaing", "deling", "sammenslatt_bakover"]


@dataclass(frozen=True)
class Translation:
    """Where one code of one division lands in another division."""

    code: str
    from_division: int
    to_division: int
    targets: tuple[str, ...]
    changed: bool  # the code or the municipality changed on the way

    @property
    def split(self) -> bool:
        """True when the municipality ends up in several target municipalities."""
        return len(self.targets) > 1

    @property
    def target(self) -> str | None:
        return self.targets[0] if len(self.targets) == 1 else None


@cache
def division_edges(division: int) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Forward (old -> new) and backward (new -> old) edges into ``division``."""
    fwd: dict[str, list[str]] = defaultdict(list)
    back: dict[str, list[str]] = defaultdict(list)
    for old, new in load_changes(division).select("gammelt_nummer", "nytt_nummer").iter_rows():
        fwd[old].append(new)
        back[new].append(old)
    return (
        {k: tuple(sorted(set(v))) for k, v in fwd.items()},
        {k: tuple(sorted(set(v))) for k, v in back.items()},
    )


def translate(code: str, from_year: int, to_year: int) -> Translation:
    """Follow one code from the division of ``from_year`` to that of ``to_year``.

    A code that does not exist in the source division gives no targets.
    """
    src, dst = division_for(from_year), division_for(to_year)
    if code not in set(load_register(src)["kommunenummer"]):
        return Translation(code, src, dst, (), False)
    years = division_years()
    current: set[str] = {code}
    changed = False
    if dst > src:
        for div in (y for y in years if src < y <= dst):
            fwd, back = division_edges(div)
            nxt: set[str] = set()
            for c in current:
                targets = fwd.get(c, ())
                nxt.update(targets)
                if targets != (c,) or len(back.get(c, ())) > 1:
                    changed = True
            current = nxt
    elif dst < src:
        for div in sorted((y for y in years if dst < y <= src), reverse=True):
            fwd, back = division_edges(div)
            prev: set[str] = set()
            for c in current:
                sources = back.get(c, ())
                prev.update(sources)
                if sources != (c,) or any(len(fwd.get(s, ())) > 1 for s in sources):
                    changed = True
            current = prev
    return Translation(code, src, dst, tuple(sorted(current)), changed)


@cache
def crosswalk(from_year: int, to_year: int) -> pl.DataFrame:
    """Every code of one division with its target(s) in another.

    Columns: ``fra_nummer``, ``til_nummer`` (null where the municipality was split),
    ``endret`` and ``merknad`` (names the split's successors).
    """
    src, dst = division_for(from_year), division_for(to_year)
    names = dict(load_register(dst).select("kommunenummer", "kommunenavn_norsk").iter_rows())
    rows = []
    for code in load_register(src)["kommunenummer"]:
        t = translate(code, src, dst)
        note = None
        if t.split:
            parts = ", ".join(f"{c} {names.get(c, '?')}" for c in t.targets)
            note = f"delt mellom {parts}"
        rows.append(
            {"fra_nummer": code, "til_nummer": t.target, "endret": t.changed, "merknad": note}
        )
    return pl.DataFrame(
        rows,
        schema={
            "fra_nummer": pl.String,
            "til_nummer": pl.String,
            "endret": pl.Boolean,
            "merknad": pl.String,
        },
    )


def express(
    df: pl.DataFrame,
    from_year: int,
    to_year: int,
    *,
    code_col: str = "kommunenummer",
    sum_cols: list[str] | None = None,
) -> pl.DataFrame:
    """Express a municipality-level frame in another division.

    Rows keep all their columns; ``code_col`` becomes the target code and ``delingsmerknad``
    is added (null, or the split it fell into, in which case ``code_col`` is null). When
    ``sum_cols`` is given the result is aggregated: one row per target code (and per split
    source) with those columns summed, which is how counts and populations fold.
    """
    if code_col not in df.columns:
        raise KeyError(f"Kolonnen {code_col!r} finnes ikke; fant {df.columns}")
    cw = crosswalk(from_year, to_year).select(
        pl.col("fra_nummer").alias(code_col),
        "til_nummer",
        pl.col("merknad").alias("delingsmerknad"),
    )
    unknown = df.join(cw, on=code_col, how="anti")
    if unknown.height:
        bad = unknown[code_col].unique().sort().to_list()[:10]
        raise KeyError(
            f"Kommunenummer {bad} finnes ikke i inndelingen for {division_for(from_year)}"
        )
    out = df.join(cw, on=code_col, how="left")
    # Split rows keep their source code in the note, so they stay apart when summing.
    out = (
        out.with_columns(
            pl.when(pl.col("delingsmerknad").is_not_null())
            .then(pl.format("{}: {}", pl.col(code_col), pl.col("delingsmerknad")))
            .alias("delingsmerknad")
        )
        .with_columns(pl.col("til_nummer").alias(code_col))
        .drop("til_nummer")
    )
    if sum_cols is None:
        return out
    return (
        out.group_by(code_col, "delingsmerknad", maintain_order=True)
        .agg(pl.col(c).sum() for c in sum_cols)
        .sort(code_col, nulls_last=True)
    )
