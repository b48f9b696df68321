"""The municipality resolver: every way a municipality arrives in our inputs."""

from __future__ import annotations

import pytest

from analysis.reference.name_keys import folded_key, name_key
from analysis.reference.resolve import Resolver, resolver


@pytest.fixture(scope="module")
def r23() -> Resolver:
    return resolver(2023)


@pytest.fixture(scope="module")
def r24() -> Resolver:
    return resolver(2024)


@pytest.mark.parametrize(
    ("text", "match", "code"),
    [
        ("4601", "exact", "4601"),
        ("Bergen", "exact", "4601"),
        ("  bergen  ", "exact", "4601"),
        ("BERGEN KOMMUNE", "exact", "4601"),
        ("Bergen kommune", "exact", "4601"),
        ("Aurskog Høland", "exact", "3026"),
        ("aurskog-høland", "exact", "3026"),
        ("301", "alias", "0301"),
        ("301.0", "alias", "0301"),
        ("Porsanger - Porsáŋgu - Porsanki", "alias", "5436"),
        ("Porsáŋgu", "alias", "5436"),
        ("Porsangu", "alias", "5436"),
        ("Guovdageaidnu", "exact", "5430"),
        ("Kautokeino", "exact", "5430"),
        ("GUOVDAGEAINNU SUOHKAN/KAUTOKEINO KOMMUNE", "alias", "5430"),
        ("Unjárga - Nesseby", "alias", "5442"),
        ("Herøy (Nordland)", "exact", "1818"),
        ("Herøy (Møre og Romsdal)", "exact", "1515"),
        ("Våler i Innlandet", "exact", "3419"),
        ("Våler (Østfold)", "exact", "3018"),  # Østfold was Våler's county before and after Viken
        ("Våler, Viken", "exact", "3018"),
        ("964338531", "alias", "4601"),  # Bergen's organisation number
        ("964 338 531", "alias", "4601"),
        ("1201", "historical", "4601"),  # Bergen before 2020
        ("0101", "historical", "3001"),
        ("Haram", "historical", "1507"),  # merged into Ålesund in 2020
        ("1508", "historical", "1507"),  # 2024 codes fold back into 2023's Ålesund
        ("1580", "historical", "1507"),
        ("4601 Bergen", "exact", "4601"),
    ],
)
def test_resolves_2023(r23: Resolver, text: str, match: str, code: str) -> None:
    res = r23.resolve(text)
    assert (res.match, res.kommunenummer) == (match, code), res


@pytest.mark.parametrize(
    ("text", "match", "code"),
    [
        ("Bergen", "exact", "4601"),
        ("3018", "historical", "3114"),
        ("Våler (Østfold)", "exact", "3114"),
        ("Halden", "exact", "3101"),
        ("3001", "historical", "3101"),
        ("Ålesund", "exact", "1508"),
        ("Haram", "exact", "1580"),
        ("Porsanger - Porsáŋgu - Porsanki", "alias", "5622"),
        ("5436", "historical", "5622"),
        ("959411735", "alias", "5622"),  # organisation numbers survive renumbering
        ("Tromsø", "exact", "5501"),
    ],
)
def test_resolves_2024(r24: Resolver, text: str, match: str, code: str) -> None:
    res = r24.resolve(text)
    assert (res.match, res.kommunenummer) == (match, code), res


@pytest.mark.parametrize(
    ("text", "expected"), [("Herøy", {"1515", "1818"}), ("Våler", {"3018", "3419"})]
)
def test_same_name_in_two_counties_is_ambiguous_never_guessed(
    r23: Resolver, text: str, expected: set[str]
) -> None:
    res = r23.resolve(text)
    assert res.match == "ambiguous"
    assert res.kommunenummer is None
    assert {c.kommunenummer for c in res.candidates} == expected


def test_county_column_settles_the_ambiguity(r23: Resolver) -> None:
    assert r23.resolve("Herøy", "Møre og Romsdal").kommunenummer == "1515"
    assert r23.resolve("Herøy", "18").kommunenummer == "1818"
    assert r23.resolve("Sande", "Møre og Romsdal").kommunenummer == "1514"


def test_split_municipality_is_ambiguous_with_its_successors(r24: Resolver, r23: Resolver) -> None:
    res = r24.resolve("1507")
    assert res.match == "ambiguous" and res.kommunenummer is None
    assert [c.kommunenummer for c in res.candidates] == ["1508", "1580"]
    assert "delt" in res.note
    tysfjord = r23.resolve("Tysfjord")
    assert tysfjord.match == "ambiguous"
    assert {c.kommunenummer for c in tysfjord.candidates} == {"1806", "1875"}


def test_unknown_lists_the_closest_names(r23: Resolver) -> None:
    res = r23.resolve("Trondhjemm by")
    assert res.match in {"fuzzy", "unknown"}
    nonsense = r23.resolve("Qwxyzzz")
    assert nonsense.match == "unknown" and nonsense.kommunenummer is None
    assert len(nonsense.candidates) == 3
    assert r23.resolve("").match == "unknown"
    assert r23.resolve("9999").match == "unknown"
    assert r23.resolve("123456789").match == "unknown"


def test_a_misspelling_between_two_names_is_not_guessed(r23: Resolver) -> None:
    res = r23.resolve("Kristiansnd")  # as close to Kristiansand as to Kristiansund
    assert res.kommunenummer is None
    assert {"1505", "4204"} <= {c.kommunenummer for c in res.candidates}


def test_html_in_a_name_is_just_unknown_text(r23: Resolver) -> None:
    res = r23.resolve("<script>alert(1)</script>")
    assert res.match == "unknown"
    assert res.input == "<script>alert(1)</script>"


def test_keys() -> None:
    assert name_key(" Aurskog-Høland kommune ") == name_key("AURSKOG HØLAND")
    assert folded_key("Porsáŋgu") == "porsangu"
    assert folded_key("Våler") == "våler"  # å is a letter of its own, not a diacritic
    assert folded_key("Våler") != folded_key("Valer")


def test_every_register_name_resolves_to_itself(r23: Resolver, r24: Resolver) -> None:
    """No municipality is unreachable by its own name (with its county when shared)."""
    for r in (r23, r24):
        for code, name, county in r._reg_rows():
            res = r.resolve(name, county)
            assert res.kommunenummer == code, (name, county, res)


@pytest.mark.parametrize("place", ["Sandvika", "Jessheim", "Mosjøen", "Finnsnes", "Ålgård"])
def test_a_place_containing_a_municipality_name_is_not_that_municipality(
    r23: Resolver, place: str
) -> None:
    res = r23.resolve(place)
    assert (res.match, res.kommunenummer) == ("unknown", None), res


def test_invented_names_around_a_short_name_are_not_guessed(r23: Resolver) -> None:
    assert {r23.resolve(f"Sted{i}vik").match for i in range(50)} == {"unknown"}


@pytest.mark.parametrize(
    ("text", "shown"),
    [("Os\x1b[31mlo", "U+001B"), ("Ber\u202egen", "U+202E"), ("Os\nlo", "U+000A")],
)
def test_a_name_with_control_characters_is_never_resolved(
    r23: Resolver, text: str, shown: str
) -> None:
    res = r23.resolve(text)
    assert res.match == "unknown" and res.kommunenummer is None
    assert shown in res.note
    assert res.candidates  # the cleaned name is offered as a suggestion
    assert "\x1b" not in res.note and "\u202e" not in res.note


def test_a_leading_byte_order_mark_is_not_a_control_character(r23: Resolver) -> None:
    assert r23.resolve("\ufeffBergen").kommunenummer == "4601"


def test_confirmed_names_resolve_only_where_nothing_else_does(r23: Resolver) -> None:
    from analysis.reference.resolution import Confirmed

    r = r23.with_confirmed({"Sandvika": Confirmed("3024", "administrasjonssenteret i Bærum")})
    res = r.resolve("sandvika")
    assert (res.match, res.kommunenummer) == ("confirmed", "3024")
    assert "administrasjonssenteret" in res.note
    assert r.resolve("Sandvika (Viken)").kommunenummer == "3024"
    assert r.resolve("Sandvika (Vestland)").kommunenummer is None  # not in that county
    assert r23.resolve("Sandvika").kommunenummer is None  # the shared resolver is untouched
    with pytest.raises(ValueError, match="9999"):
        r23.with_confirmed({"X": Confirmed("9999", "nei")})


@pytest.mark.parametrize(("text", "suggested"), [("Bergn", "4601"), ("Lilestrøm", "3030")])
def test_a_fuzzy_match_is_a_suggestion_never_a_number(
    r23: Resolver, text: str, suggested: str
) -> None:
    res = r23.resolve(text)
    assert res.match == "fuzzy" and res.status == "usikker"
    assert res.kommunenummer is None and res.kommunenavn is None and not res.resolved
    assert res.candidates[0].kommunenummer == suggested  # the closest name first


def test_stokke_is_not_tokke(r23: Resolver) -> None:
    """Stokke was merged into Sandefjord in 2017; edit distance would say Tokke (0.91)."""
    res = r23.resolve("Stokke")
    assert (res.status, res.kommunenummer, res.kommunenavn) == ("utgått", "3804", "Sandefjord")
    assert res.former == "Stokke"
    assert "2017" in res.note and "Sandefjord" in res.note


@pytest.mark.parametrize(
    ("text", "county", "code_2023", "code_2024"),
    [
        ("Stokke", None, "3804", "3907"),
        ("Andebu", None, "3804", "3907"),
        ("Tjøme", None, "3811", "3911"),
        ("Nøtterøy", None, "3811", "3911"),
        ("Hof", None, "3802", "3903"),
        ("Lardal", None, "3805", "3909"),
        ("Frei", None, "1505", "1505"),
        ("Mosvik", None, "5053", "5053"),  # 2012 into Inderøy, renumbered in 2018
        ("Rissa", None, "5054", "5054"),
        ("0720", None, "3804", "3907"),  # Stokke's code
        ("Sande", "Vestfold", "3802", "3903"),  # merged into Holmestrand in 2020
        ("Sande (Vestfold)", None, "3802", "3903"),
        ("Rygge", None, "3002", "3103"),  # merged into Moss in 2020
    ],
)
def test_merged_away_names_resolve_to_the_successor_as_expired(
    r23: Resolver, r24: Resolver, text: str, county: str | None, code_2023: str, code_2024: str
) -> None:
    for r, code in ((r23, code_2023), (r24, code_2024)):
        res = r.resolve(text, county)
        assert (res.status, res.kommunenummer) == ("utgått", code), res
        assert res.former is not None and res.kommunenavn in res.note


def test_a_renumbered_municipality_is_found_not_expired(r23: Resolver) -> None:
    res = r23.resolve("1601")  # Trondheim before the Trøndelag renumbering of 2018
    assert (res.status, res.match, res.kommunenummer) == ("funnet", "historical", "5001")
    assert r23.resolve("Sande", "Møre og Romsdal").kommunenummer == "1514"


def test_history_chains_end_in_the_first_division() -> None:
    from analysis.reference import history, load_register

    first = set(load_register(2019)["kommunenummer"])
    olds = history.former_municipalities()
    assert len(olds) == 68
    assert {o.code_2019 for o in olds.values()} <= first
    assert not set(olds) & first  # no old code is reused by the 2019 division
    assert olds["1723"].code_2019 == "5053" and olds["1723"].changed.year == 2012
