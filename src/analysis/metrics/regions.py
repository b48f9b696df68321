"""Where in the country the gap lies: per county and per regional network.

Each region gets a proportional share of the national ambition, by its municipalities in the
activity's scope (a county with 10 % of the municipalities "owes" 10 % of the ambition), and
its gap is that share minus the municipalities it has. The regional digitalisation networks are
approximated by counties (``analysis/metrics/data/nettverk.csv``); the three counties split in 2024
count to the network of the county they came from, so the series stays comparable.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from analysis.metrics.params import NETWORKS, PACKAGE_DIR, ParameterError, networks
from analysis.metrics.status import status_table

Level = Literal["fylke", "nettverk"]


def with_network(municipal: pl.DataFrame, network_map: pl.DataFrame | None = None) -> pl.DataFrame:
    """Add nettverk_id and nettverk from the county; a county with no network is an error."""
    nmap = (networks() if network_map is None else network_map).select(
        "fylkesnummer", "nettverk_id", "nettverk"
    )
    out = municipal.join(nmap, on="fylkesnummer", how="left")
    missing = out.filter(pl.col("nettverk_id").is_null())["fylkesnummer"].unique().sort().to_list()
    if missing:
        raise ParameterError(f"{PACKAGE_DIR}/{NETWORKS.file}: mangler nettverk for fylke {missing}")
    return out


def regional_status(
    municipal: pl.DataFrame,
    ambitions: pl.DataFrame,
    level: Level = "fylke",
    network_map: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Counts, shares, proportional share of the ambition, gap and rankings per region.

    ``municipal`` is ``analysis.metrics.status.municipal_status`` (one row per activity and
    municipality in scope); ``ambitions`` has losning and ambisjon. Regions with no
    municipality in an activity's scope are absent for that activity. Rankings are within each
    activity, highest share first; ties share the best rank (1, 2, 2, 4).
    """
    if level == "fylke":
        keys = ["fylkesnummer", "fylkesnavn"]
        data = municipal
    elif level == "nettverk":
        keys = ["nettverk_id", "nettverk"]
        data = with_network(municipal, network_map)
    else:
        raise ValueError(f"Ukjent nivå {level!r}: bruk 'fylke' eller 'nettverk'")
    out = (
        status_table(data, ambitions, by=keys)
        .with_columns(
            gap=pl.col("ambisjon_andel") - pl.col("antall"),
            rangering=pl.col("andel_kommuner")
            .rank("min", descending=True)
            .over("losning")
            .cast(pl.Int64),
            rangering_befolkning=pl.col("andel_befolkning")
            .rank("min", descending=True)
            .over("losning")
            .cast(pl.Int64),
        )
        .sort("losning", "rangering", *keys, nulls_last=True)
    )
    return out
