"""Status against ambition at any date (analysis.metrics.status), on hand-made frames."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from analysis import dates
from analysis.metrics import ladder, params
from analysis.metrics import status as st
from analysis.reference import load_register
from metric_frames import ACTS, AMBITIONS, AS_OF, EVENTS, KOMMUNER, SCOPES


def _municipal(as_of: date = AS_OF) -> pl.DataFrame:
    return st.municipal_status(EVENTS, KOMMUNER, ACTS, SCOPES, as_of)


def _row(df: pl.DataFrame, **keys: str) -> dict[str, object]:
    for k, v in keys.items():
        df = df.filter(pl.col(k) == v)
    assert df.height == 1, df
    return df.row(0, named=True)


def test_steps_at_takes_the_highest_step_on_or_before_the_date() -> None:
    early = ladder.steps_at(EVENTS, date(2022, 4, 1))
    assert _row(early, losning="a", kommunenummer="0001")["trinn"] == "tilgjengelig"
    assert _row(early, losning="a", kommunenummer="0001")["siden"] == date(2022, 3, 1)
    late = ladder.steps_at(EVENTS, AS_OF)
    assert _row(late, losning="a", kommunenummer="0001")["trinn"] == "i_bruk"
    assert _row(late, losning="a", kommunenummer="0001")["siden"] == date(2022, 6, 15)
    # c/0004 goes live the day after the date: not there yet
    assert late.filter((pl.col("losning") == "c") & (pl.col("kommunenummer") == "0004")).height == 0


def test_ladder_dates_fill_lower_steps_from_a_higher_one() -> None:
    dates = ladder.ladder_dates(EVENTS, AS_OF).filter(
        (pl.col("losning") == "a") & (pl.col("kommunenummer") == "0002")
    )
    assert dict(zip(dates["trinn"], dates["dato"], strict=True)) == {
        "planlagt": date(2023, 2, 1),
        "tilgjengelig": date(2023, 2, 1),
        "i_bruk": date(2023, 2, 1),
    }


def test_status_table_counts_steps_ambition_and_population() -> None:
    table = st.status_table(_municipal(), AMBITIONS)
    a = _row(table, losning="a")
    # 0001 and 0002 in use, 0004 available; 0007 is not a municipality of the division
    assert (a["i_omfang"], a["planlagt"], a["tilgjengelig"], a["i_bruk"], a["antall"]) == (
        6,
        3,
        3,
        2,
        2,
    )
    assert a["ambisjon"] == 4 and a["prosent_av_ambisjon"] == pytest.approx(50.0)
    assert a["gjenstar"] == pytest.approx(2.0)
    assert a["andel_befolkning"] == pytest.approx(300 / 2100)
    b = _row(table, losning="b")  # counts tilgjengelig: 0003 (available) and 0005 (in use)
    assert (b["planlagt"], b["tilgjengelig"], b["i_bruk"], b["antall"]) == (3, 2, 1, 2)
    assert b["prosent_av_ambisjon"] == pytest.approx(200 / 3)
    assert b["befolkning_dekket"] == 800
    c = _row(table, losning="c")  # scope {0004, 0005}; 0001's event is outside it
    assert (c["i_omfang"], c["antall"], c["gjenstar"]) == (2, 0, pytest.approx(1.0))
    m = _row(table, losning="m")  # no message data: no status, not zero
    assert m["antall"] is None and m["i_bruk"] is None and m["prosent_av_ambisjon"] is None


def test_status_at_a_later_date_counts_the_new_event() -> None:
    c = _row(st.status_table(_municipal(date(2023, 4, 1)), AMBITIONS), losning="c")
    assert c["antall"] == 1 and c["prosent_av_ambisjon"] == pytest.approx(100.0)
    assert c["gjenstar"] == pytest.approx(0.0)


def test_status_by_county_gives_each_county_its_share_of_the_ambition() -> None:
    table = st.status_by_county(_municipal(), AMBITIONS)
    west = _row(table, losning="a", fylkesnummer="01")
    east = _row(table, losning="a", fylkesnummer="02")
    assert (west["antall"], west["i_omfang"]) == (2, 3)
    assert west["ambisjon_andel"] == pytest.approx(2.0)  # 4 * 3/6
    assert west["prosent_av_ambisjon"] == pytest.approx(100.0)
    assert east["antall"] == 0 and east["gjenstar"] == pytest.approx(2.0)
    # c's scope lies in county 02 only, so that county carries the whole ambition
    assert table.filter(pl.col("losning") == "c")["fylkesnummer"].to_list() == ["02"]
    assert _row(table, losning="c", fylkesnummer="02")["ambisjon_andel"] == pytest.approx(1.0)


def test_ladder_counts_exact_and_at_least() -> None:
    counts = ladder.ladder_counts(_municipal()).filter(pl.col("losning") == "a")
    assert dict(zip(counts["trinn"], counts["paa_trinnet"], strict=True)) == {
        "ikke_startet": 3,
        "planlagt": 0,
        "tilgjengelig": 1,
        "i_bruk": 2,
    }
    assert dict(zip(counts["trinn"], counts["minst"], strict=True)) == {
        "ikke_startet": 6,
        "planlagt": 3,
        "tilgjengelig": 3,
        "i_bruk": 2,
    }


def test_count_series_by_month_end() -> None:
    series = st.count_series(EVENTS, _municipal(), AS_OF).filter(pl.col("losning") == "a")
    by_date = dict(zip(series["dato"], series["antall"], strict=True))
    # a's counted step (i_bruk): 0001 on 2022-06-15, 0002 on 2023-02-01
    assert by_date[date(2022, 5, 31)] == 0
    assert by_date[date(2022, 6, 30)] == 1
    assert by_date[date(2023, 1, 31)] == 1
    assert by_date[date(2023, 2, 28)] == 2
    assert max(by_date) == AS_OF
    assert min(by_date) <= date(2021, 3, 31)  # at least 24 months before the date
    assert "m" not in series["losning"].to_list()


def test_month_ends_and_shift_months() -> None:
    assert dates.month_ends(date(2023, 1, 15), date(2023, 3, 20)) == [
        date(2023, 1, 31),
        date(2023, 2, 28),
        date(2023, 3, 20),
    ]
    assert dates.shift_months(date(2024, 2, 29), -12) == date(2023, 2, 28)
    assert dates.shift_months(date(2023, 5, 31), -3) == date(2023, 2, 28)
    assert dates.shift_months(date(2023, 1, 31), 13) == date(2024, 2, 29)


def test_activities_are_committed_data_with_the_portfolio_choices() -> None:
    acts = params.activities()
    step = dict(zip(acts["losning"], acts["telles_trinn"], strict=True))
    assert step["kjernejournal"] == "tilgjengelig"
    assert {s for k, s in step.items() if k != "kjernejournal"} == {"i_bruk"}
    deadline = dict(zip(acts["losning"], acts["frist"], strict=True))
    assert deadline["skattedata"] == date(2023, 11, 16)
    assert deadline["digihelse"] == date(2023, 12, 31)
    scope = dict(zip(acts["losning"], acts["omfang_id"], strict=True))
    assert scope["helseplattformen"] == "helse_midt_norge"


def test_bad_parameter_file_names_file_row_and_column() -> None:
    rows = [
        {
            "losning": "x",
            "navn": "X",
            "telles_trinn": "i_bruk",
            "omfang_id": "alle",
            "frist": "2023-12-31",
            "maal": "adopsjon",
            "merknad": "",
        },
        {
            "losning": "y",
            "navn": "Y",
            "telles_trinn": "i bruk",
            "omfang_id": "alle",
            "frist": "2023-12-31",
            "maal": "adopsjon",
            "merknad": "",
        },
    ]
    with pytest.raises(
        params.ParameterError, match=r"aktiviteter\.csv, rad 3, kolonne telles_trinn"
    ):
        params.parse_rows(params.ACTIVITIES, list(enumerate(rows, start=2)))
    rows[1]["telles_trinn"] = "i_bruk"
    rows[1]["frist"] = "31.12.2023"
    with pytest.raises(params.ParameterError, match=r"rad 3, kolonne frist"):
        params.parse_rows(params.ACTIVITIES, list(enumerate(rows, start=2)))


@pytest.mark.parametrize(("year", "expected"), [(2023, 66), (2024, 67)])
def test_helse_midt_norge_scope_follows_the_division(year: int, expected: int) -> None:
    register = load_register(year).with_columns(inndeling=pl.lit(year))
    members = st.scope_members(register, division=year)
    hmn = members.filter(pl.col("omfang_id") == "helse_midt_norge")["kommunenummer"].to_list()
    assert len(hmn) == expected
    assert "1811" in hmn and "3430" in hmn  # Bindal and Os
    if year == 2024:
        assert {"1508", "1580"} <= set(hmn)  # Ålesund and Haram, split from 2020's 1507
    else:
        assert "1507" in hmn
    everyone = members.filter(pl.col("omfang_id") == "alle").height
    assert everyone == register.height


def test_published_figures_pick_the_newest_at_the_counted_step() -> None:
    acts = pl.DataFrame({"losning": ["kj", "hp"], "telles_trinn": ["tilgjengelig", "i_bruk"]})
    ambitions = pl.DataFrame(
        {
            "losning": ["kj", "hp"],
            "status_publisert": [215, 10],
            "status_dato": [date(2023, 4, 30), date(2023, 4, 30)],
            "kilde": ["portefølje", "portefølje"],
        }
    )
    publisert = pl.DataFrame(
        {
            "dato": [date(2023, 2, 11), date(2023, 4, 20), date(2023, 4, 25)],
            "losning": ["hp", "kj", "kj"],
            "trinn": ["i_bruk", "i_bruk", "tilgjengelig"],
            "antall": [9, 150, 214],
            "kilde": ["bølgeliste", "annen", "kap. 2.2"],
        }
    )
    pub = st.published_figures(publisert, ambitions, acts, date(2023, 4, 30))
    got = dict(zip(pub["losning"], pub["publisert"], strict=True))
    assert got == {"hp": 10, "kj": 215}
    # Before the portfolio date: the newest figure at the counted step within 31 days
    pub = st.published_figures(publisert, ambitions, acts, date(2023, 4, 26))
    assert dict(zip(pub["losning"], pub["publisert"], strict=True)) == {"kj": 214}
