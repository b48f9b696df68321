"""The embedded registers, the crosswalk between divisions, and population."""

from __future__ import annotations

import polars as pl
import pytest

from analysis.reference import (
    DivisionError,
    crosswalk,
    division_for,
    division_years,
    express,
    load_register,
    population,
    translate,
)

NATIONAL_2024 = 5_550_203  # SSB 07459, 1.1.2024, as population_kommuner.source.md records it


def test_division_years_and_mapping() -> None:
    assert division_years()[:3] == (2019, 2020, 2024)
    assert division_for(2019) == 2019
    assert division_for(2021) == 2020
    assert division_for(2023) == 2020
    assert division_for(2024) == 2024
    assert division_for(2026) == max(y for y in division_years() if y <= 2026)
    with pytest.raises(DivisionError):
        division_for(2015)


@pytest.mark.parametrize(
    ("year", "count", "counties"), [(2019, 422, 18), (2023, 356, 11), (2024, 357, 15)]
)
def test_register_sizes(year: int, count: int, counties: int) -> None:
    reg = load_register(year)
    assert reg.height == count
    assert reg["kommunenummer"].str.contains(r"^\d{4}$").all()
    assert reg["kommunenummer"].n_unique() == count
    assert reg["fylkesnummer"].n_unique() == counties
    assert reg["fylkesnavn"].null_count() == 0


def test_register_2023_names_and_org_numbers() -> None:
    reg = load_register(2023)
    porsanger = reg.filter(pl.col("kommunenummer") == "5436").row(0, named=True)
    assert porsanger["kommunenavn_norsk"] == "Porsanger"
    assert set(porsanger["parallelle_navn"]) == {"Porsáŋgu", "Porsanki"}
    kautokeino = reg.filter(pl.col("kommunenummer") == "5430").row(0, named=True)
    assert kautokeino["kommunenavn"] == "Guovdageaidnu"
    assert kautokeino["kommunenavn_norsk"] == "Kautokeino"
    # Every 2023 municipality has its 9-digit organisation number (KLASS correspondence 1236).
    assert reg["organisasjonsnummer"].str.contains(r"^\d{9}$").all()
    assert reg.filter(pl.col("kommunenummer") == "4601")["fylkesnavn"].item() == "Vestland"


def test_register_2024_counties_after_the_split() -> None:
    reg = load_register(2024)
    by_code = dict(reg.select("kommunenummer", "fylkesnavn").iter_rows())
    assert by_code["3101"] == "Østfold"
    assert by_code["3201"] == "Akershus"
    assert by_code["5501"] == "Troms"
    assert by_code["5601"] == "Finnmark"
    assert {"1508", "1580"} <= set(by_code)
    assert "1507" not in by_code


def test_2024_register_agrees_with_2023_by_name() -> None:
    """Every 2024 municipality is a 2023 one renumbered, except the Ålesund/Haram split."""
    cw = crosswalk(2023, 2024)
    moved = cw.filter(pl.col("til_nummer").is_not_null())
    n23 = dict(load_register(2023).select("kommunenummer", "kommunenavn_norsk").iter_rows())
    n24 = dict(load_register(2024).select("kommunenummer", "kommunenavn_norsk").iter_rows())
    assert moved.height == 355
    for old, new in moved.select("fra_nummer", "til_nummer").iter_rows():
        assert n23[old] == n24[new], (old, new)


def test_translate_forward_and_backward() -> None:
    assert translate("1201", 2019, 2023).targets == ("4601",)
    assert translate("0101", 2019, 2024).targets == ("3101",)
    assert translate("3018", 2023, 2024).targets == ("3114",)
    assert translate("4601", 2023, 2024).targets == ("4601",)
    assert not translate("4601", 2023, 2024).changed
    split = translate("1507", 2023, 2024)
    assert split.split and split.targets == ("1508", "1580") and split.target is None
    assert translate("1850", 2019, 2023).targets == ("1806", "1875")
    assert translate("1508", 2024, 2023).targets == ("1507",)
    assert translate("1580", 2024, 2023).targets == ("1507",)
    assert translate("9999", 2023, 2024).targets == ()


def test_crosswalk_round_trip_2023_2024_2023() -> None:
    """Every 2023 code that was not split comes back to itself."""
    there = crosswalk(2023, 2024).filter(pl.col("til_nummer").is_not_null())
    back = crosswalk(2024, 2023)
    joined = there.join(back, left_on="til_nummer", right_on="fra_nummer", suffix="_tilbake")
    assert joined.height == 355
    assert (joined["fra_nummer"] == joined["til_nummer_tilbake"]).all()
    # and every 2024 code lands on exactly one 2023 code
    assert back["til_nummer"].null_count() == 0


def test_crosswalk_2019_2023_covers_every_old_code() -> None:
    cw = crosswalk(2019, 2023)
    assert cw.height == 422
    assert set(cw["til_nummer"].drop_nulls()) <= set(load_register(2023)["kommunenummer"])
    splits = cw.filter(pl.col("til_nummer").is_null())
    assert sorted(splits["fra_nummer"]) == ["1850", "5012"]
    assert "1806 Narvik" in splits.filter(pl.col("fra_nummer") == "1850")["merknad"].item()


def test_express_sums_folded_and_flags_split() -> None:
    data24 = pl.DataFrame({"kommunenummer": ["1508", "1580", "4601"], "n": [3, 2, 7]})
    in23 = express(data24, 2024, 2023, sum_cols=["n"])
    assert dict(in23.select("kommunenummer", "n").iter_rows()) == {"1507": 5, "4601": 7}
    assert in23["delingsmerknad"].null_count() == in23.height

    data23 = pl.DataFrame({"kommunenummer": ["1507", "3018"], "n": [5, 1]})
    in24 = express(data23, 2023, 2024, sum_cols=["n"])
    flagged = in24.filter(pl.col("kommunenummer").is_null())
    assert flagged.height == 1 and flagged["n"].item() == 5
    assert "1508" in flagged["delingsmerknad"].item() and "1580" in flagged["delingsmerknad"].item()
    assert in24.filter(pl.col("kommunenummer") == "3114")["n"].item() == 1
    with pytest.raises(KeyError):
        express(pl.DataFrame({"kommunenummer": ["0000"], "n": [1]}), 2023, 2024)


@pytest.mark.parametrize("year", [2020, 2023, 2024])
def test_population_totals_in_both_divisions(year: int) -> None:
    pop = population(year)
    assert pop["befolkning"].sum() == NATIONAL_2024
    assert pop.height == load_register(year).height
    assert pop["kommunenummer"].n_unique() == pop.height


def test_population_of_alesund_in_2023_is_the_sum() -> None:
    p24 = dict(population(2024).select("kommunenummer", "befolkning").iter_rows())
    p23 = dict(population(2023).select("kommunenummer", "befolkning").iter_rows())
    assert p23["1507"] == p24["1508"] + p24["1580"]
    assert p23["3018"] == p24["3114"]


def test_population_refuses_a_division_it_cannot_split_into() -> None:
    with pytest.raises(DivisionError):
        population(2019)  # 2020 mergers cannot be taken apart
