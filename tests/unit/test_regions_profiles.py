"""Regional views, municipality profiles and co-adoption, on the hand-made frames."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from analysis.metrics import coadoption, profiles, regions
from analysis.metrics.params import ParameterError
from analysis.metrics.status import municipal_status
from metric_frames import ACTS, AMBITIONS, AS_OF, EVENTS, KOMMUNER, SCOPES

MUNICIPAL = municipal_status(EVENTS, KOMMUNER, ACTS, SCOPES, AS_OF)


def _row(df: pl.DataFrame, **keys: str) -> dict[str, object]:
    for k, v in keys.items():
        df = df.filter(pl.col(k) == v)
    assert df.height == 1, df
    return df.row(0, named=True)


def test_county_view_shares_gap_and_rank() -> None:
    out = regions.regional_status(MUNICIPAL, AMBITIONS, "fylke")
    west, east = (
        _row(out, losning="a", fylkesnummer="01"),
        _row(out, losning="a", fylkesnummer="02"),
    )
    assert west["andel_kommuner"] == pytest.approx(2 / 3)
    assert west["andel_befolkning"] == pytest.approx(300 / 600)
    assert west["ambisjon_andel"] == pytest.approx(2.0) and west["gap"] == pytest.approx(0.0)
    assert east["antall"] == 0 and east["gap"] == pytest.approx(2.0)
    assert (west["rangering"], east["rangering"]) == (1, 2)


def test_ties_share_the_best_rank() -> None:
    out = regions.regional_status(MUNICIPAL, AMBITIONS, "fylke").filter(pl.col("losning") == "b")
    # b: one of three municipalities in each county (0003 and 0005)
    assert out["rangering"].to_list() == [1, 1]
    # by population 300/600 in the west beats 500/1500 in the east
    ranks = dict(zip(out["fylkesnummer"], out["rangering_befolkning"], strict=True))
    assert ranks == {"01": 1, "02": 2}


def test_network_view_sums_its_counties() -> None:
    nmap = pl.DataFrame(
        {"fylkesnummer": ["01", "02"], "nettverk_id": ["n", "n"], "nettverk": ["Nett", "Nett"]}
    )
    out = regions.regional_status(MUNICIPAL, AMBITIONS, "nettverk", network_map=nmap)
    a = _row(out, losning="a")
    assert (a["nettverk_id"], a["i_omfang"], a["antall"]) == ("n", 6, 2)
    assert a["ambisjon_andel"] == pytest.approx(4.0) and a["gap"] == pytest.approx(2.0)
    with pytest.raises(ParameterError, match="mangler nettverk for fylke"):
        regions.regional_status(MUNICIPAL, AMBITIONS, "nettverk", network_map=nmap.head(1))


def test_committed_network_map_covers_every_county() -> None:
    from analysis.reference import county_names

    mapped = set(regions.networks()["fylkesnummer"])
    for division in (2020, 2024):
        assert set(county_names(division)) <= mapped


def test_step_dates_and_time_on_steps() -> None:
    dates = profiles.step_dates(EVENTS, AS_OF)
    one = _row(dates, losning="a", kommunenummer="0001")
    assert (one["trinn"], one["siden"]) == ("i_bruk", date(2022, 6, 15))
    assert one["planlagt_dato"] == date(2022, 1, 10)
    b6 = _row(dates, losning="b", kommunenummer="0006")
    assert b6["tilgjengelig_dato"] is None and b6["i_bruk_dato"] is None
    times = profiles.time_on_steps(EVENTS, AS_OF).filter(
        (pl.col("losning") == "a") & (pl.col("kommunenummer") == "0001")
    )
    # 2022-01-10 -> 03-01: 50 days; -> 06-15: 106 days; -> 2023-03-31: 289 days
    assert times["dager"].to_list() == [50, 106, 289]
    assert times["naavaerende"].to_list() == [False, False, True]


def test_stalled_more_than_twelve_months() -> None:
    # a/0004 available since 2022-05-01: not yet 12 months on 2023-04-30, over on 2023-06-30
    assert profiles.stalled(EVENTS, date(2023, 4, 30)).height == 0
    out = profiles.stalled(EVENTS, date(2023, 6, 30), kommuner=KOMMUNER)
    assert out.select("losning", "kommunenummer", "dager", "kommunenavn").rows() == [
        ("a", "0004", 425, "Fire")
    ]


def test_adoption_index_counts_in_scope_measured_solutions() -> None:
    idx = profiles.adoption_index(MUNICIPAL)
    got = {
        r["kommunenummer"]: (r["antall_losninger"], r["mulige_losninger"])
        for r in idx.iter_rows(named=True)
    }
    assert got == {
        "0001": (1, 2),
        "0002": (1, 2),
        "0003": (1, 2),
        "0004": (0, 3),
        "0005": (1, 3),
        "0006": (0, 2),
    }
    assert _row(idx, kommunenummer="0005")["losninger"] == ["b"]


def test_coadoption_pairs_within_both_scopes() -> None:
    out = coadoption.coadoption(MUNICIPAL)
    got = {
        (r["losning_a"], r["losning_b"]): (
            r["felles_omfang"],
            r["begge"],
            r["bare_a"],
            r["bare_b"],
            r["ingen"],
        )
        for r in out.iter_rows(named=True)
    }
    assert got == {
        ("a", "b"): (6, 0, 2, 2, 2),
        ("a", "c"): (2, 0, 0, 0, 2),
        ("b", "c"): (2, 0, 1, 0, 1),
    }


def test_profile_of_one_municipality() -> None:
    prof = profiles.profile(MUNICIPAL, EVENTS, "0004", AS_OF)
    assert prof["losning"].to_list() == ["a", "b", "c", "m"]
    assert _row(prof, losning="a")["trinn"] == "tilgjengelig"
    assert _row(prof, losning="c")["trinn"] is None  # goes live the day after
