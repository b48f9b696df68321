"""`ehelse liste`: the municipalities of a county at a step of a solution, by name.

Answers "which municipalities in Agder have not started DigiHelse?" from the processed tables
through the composition `ehelse status` counts with (``lookup.municipal_all``: the adoption
events plus message-version compliance, each municipality in the activity's scope), so the
list and the status always agree on the same date. Rows from the synthetic example data carry
``syntetisk``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from analysis.tools import lookup

STEPS = ("ikke_startet", "planlagt", "tilgjengelig", "i_bruk")
COLUMNS = (
    "kommunenummer",
    "kommunenavn",
    "fylkesnummer",
    "fylkesnavn",
    "losning",
    "aktivitet",
    "trinn",
    "trinn_tekst",
    "siden",
    "telles",
    "befolkning",
    "syntetisk",
)


class StepError(lookup.NotFoundError):
    """A --trinn value that is no step (one line with the steps)."""


def parse_steps(value: str | None) -> tuple[str, ...]:
    """``ikke_startet,planlagt`` -> the steps; any case, spaces or hyphens for underscores."""
    if value is None or not value.strip():
        return ()
    out = []
    for part in value.split(","):
        key = part.strip().casefold().replace(" ", "_").replace("-", "_")
        if key not in STEPS:
            raise StepError(f"ukjent trinn {part.strip()!r}; velg blant {', '.join(STEPS)}")
        out.append(key)
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class MunicipalityList:
    """The rows and what they answer (for titles and notes)."""

    frame: pl.DataFrame
    as_of: date
    county: tuple[str, str] | None
    solutions: dict[str, str]  # id -> name of the solutions listed
    steps: tuple[str, ...]
    in_scope: int  # municipalities in the selection before the step filter

    @property
    def synthetic(self) -> bool:
        return bool(self.frame.height and self.frame["syntetisk"].any())


def municipality_list(
    t: lookup.Tables,
    as_of: date,
    county: tuple[str, str] | None = None,
    solutions: Sequence[str] = (),
    steps: Sequence[str] = (),
) -> MunicipalityList:
    """Municipalities (in the activity's scope) per solution with their step on ``as_of``;
    only ``solutions`` and ``steps`` when given, only ``county`` when given."""
    acts = lookup.portfolio(t).select("losning", "nr", pl.col("navn").alias("aktivitet"))
    municipal = lookup.municipal_all(t, as_of).join(acts, on="losning", how="left")
    if solutions:
        municipal = municipal.filter(pl.col("losning").is_in(list(solutions)))
    if county is not None:
        municipal = municipal.filter(pl.col("fylkesnummer") == county[0])
    in_scope = municipal.height
    # "Not started" is a fact of the source too: synthetic when the solution's data are.
    df = municipal.with_columns(syntetisk=lookup.synthetic_expr(t)).with_columns(
        trinn=pl.col("trinn").fill_null("ikke_startet"),
        trinn_tekst=lookup.step_label_expr("trinn", None),
    )
    if steps:
        df = df.filter(pl.col("trinn").is_in(list(steps)))
    df = df.sort("nr", "losning", "fylkesnummer", "kommunenavn", nulls_last=True).select(COLUMNS)
    names = dict(acts.select("losning", "aktivitet").iter_rows())
    listed = list(solutions) or sorted(set(municipal["losning"]), key=lambda s: names.get(s, s))
    return MunicipalityList(
        df, as_of, county, {s: names.get(s) or s for s in listed}, tuple(steps), in_scope
    )


def solution_names(t: lookup.Tables) -> dict[str, str]:
    """Solution id -> name of every portfolio activity, for finding what a person typed."""
    return dict(lookup.portfolio(t).select("losning", "navn").iter_rows())
