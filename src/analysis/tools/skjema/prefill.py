"""What goes into the forms: the regions, their municipalities, the activities in scope and
what the tool already knows about each (the highest step, its date and its source)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from analysis.steps import TRINN
from analysis.tools.skjema.write import FormRow


@dataclass(frozen=True)
class Region:
    regiontype: str  # fylke | nettverk
    code: str
    name: str
    municipalities: tuple[str, ...]


def form_activities() -> pl.DataFrame:
    """The activities a form asks about: those measured by adoption (not message
    statistics), in the portfolio's order, with their scope and display name."""
    from analysis.metrics.params import activities

    acts = activities().filter(pl.col("maal") == "adopsjon")
    return acts.select("losning", "omfang_id", "telles_trinn", "navn")


def regions(kommuner: pl.DataFrame, per: str = "fylke") -> list[Region]:
    """Every county (or regional network) of the division with its municipalities."""
    if per == "nettverk":
        from analysis.metrics.regions import with_network

        df = with_network(kommuner.select("kommunenummer", "fylkesnummer"))
        groups = df.group_by("nettverk_id", "nettverk").agg(pl.col("kommunenummer").sort())
        return sorted(
            (Region("nettverk", i, n, tuple(k)) for i, n, k in groups.iter_rows()),
            key=lambda r: r.code,
        )
    groups = kommuner.group_by("fylkesnummer", "fylkesnavn").agg(pl.col("kommunenummer").sort())
    return sorted(
        (Region("fylke", c, n, tuple(k)) for c, n, k in groups.iter_rows()), key=lambda r: r.code
    )


def known_steps(events: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """Per solution and municipality: the highest step reached on ``on``, the first date at
    it and the source of that event (losning, kommunenummer, trinn, dato, kilde_id)."""
    schema = {
        "losning": pl.String,
        "kommunenummer": pl.String,
        "trinn": pl.String,
        "dato": pl.Date,
        "kilde_id": pl.String,
    }
    if events.is_empty():
        return pl.DataFrame(schema=schema)
    rank = {t: i for i, t in enumerate(TRINN)}
    ev = events.filter(pl.col("dato") <= on).with_columns(
        rang=pl.col("trinn").replace_strict(rank, return_dtype=pl.Int8)
    )
    top = ev.sort("rang", "dato", "kilde_id", descending=[True, False, False])
    return (
        top.group_by("losning", "kommunenummer", maintain_order=True)
        .first()
        .select(list(schema))
        .sort("losning", "kommunenummer")
    )


def form_rows(
    kommuner: pl.DataFrame,
    municipalities: Sequence[str],
    known: pl.DataFrame,
    titles: Mapping[str, str],
    acts: pl.DataFrame | None = None,
    members: pl.DataFrame | None = None,
) -> list[FormRow]:
    """One row per municipality and activity in scope, pre-filled with what is known
    (``members``: metrics.status.scope_members of ``kommuner``, when already at hand)."""
    from analysis.metrics.status import scope_members

    acts = form_activities() if acts is None else acts
    members = scope_members(kommuner) if members is None else members
    in_scope = {(o, k) for o, k in members.select("omfang_id", "kommunenummer").iter_rows()}
    names = dict(kommuner.select("kommunenummer", "kommunenavn").iter_rows())
    facts = {
        (s, k): (t, d, i)
        for s, k, t, d, i in known.select(
            "losning", "kommunenummer", "trinn", "dato", "kilde_id"
        ).iter_rows()
    }
    rows: list[FormRow] = []
    for knr in municipalities:
        for losning, omfang, navn in acts.select("losning", "omfang_id", "navn").iter_rows():
            if (omfang, knr) not in in_scope:
                continue
            step, when, source = facts.get((losning, knr), (None, None, None))
            rows.append(
                FormRow(
                    knr,
                    names[knr],
                    losning,
                    navn,
                    step,
                    when,
                    source,
                    titles.get(source, source) if source else None,
                )
            )
    return rows
