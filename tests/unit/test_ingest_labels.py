"""Status labels, solution names, dates and column aliases as the sources write them."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.ingest.columns import ColumnError, find_columns, missing_column, require
from analysis.ingest.labels import (
    parse_date,
    parse_description,
    parse_solution,
    parse_status,
    remark,
    split_date_status,
)


@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("01.03.2023", dt.date(2023, 3, 1), "dag"),
        ("1.3.2023", dt.date(2023, 3, 1), "dag"),
        ("1/3/2023", dt.date(2023, 3, 1), "dag"),
        ("2023-03-01", dt.date(2023, 3, 1), "dag"),
        ("2023-03-01 00:00:00", dt.date(2023, 3, 1), "dag"),
        ("2023-03-01T12:30:00", dt.date(2023, 3, 1), "dag"),
        ("2023-03", dt.date(2023, 3, 1), "maaned"),
        ("2023M03", dt.date(2023, 3, 1), "maaned"),
        ("03.2023", dt.date(2023, 3, 1), "maaned"),
        ("mars 2023", dt.date(2023, 3, 1), "maaned"),
        ("Mars 2023", dt.date(2023, 3, 1), "maaned"),
        ("mar 2023", dt.date(2023, 3, 1), "maaned"),
        ("mar. 2023", dt.date(2023, 3, 1), "maaned"),
        ("des 2022", dt.date(2022, 12, 1), "maaned"),
        ("1. mars 2023", dt.date(2023, 3, 1), "dag"),
        ("2019", dt.date(2019, 1, 1), "aar"),
        ("44986", dt.date(2023, 3, 1), "dag"),  # Excel serial day
    ],
)
def test_dates_keep_their_precision(text: str, date: dt.date, precision: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert (parsed.dato, parsed.presisjon) == (date, precision)


@pytest.mark.parametrize("text", ["", "  ", "31.02.2023", "2023-13", "kanskje", "mors 2023", "12"])
def test_not_a_date(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("label", "trinn"),
    [
        ("i bruk", "i_bruk"),
        ("I BRUK", "i_bruk"),
        ("Tatt i bruk", "i_bruk"),
        ("i_bruk", "i_bruk"),
        ("tatt i bruk (først ut)", "i_bruk"),
        ("tilgjengeliggjort", "tilgjengelig"),
        ("Tilgjengelig", "tilgjengelig"),
        ("Planlagt", "planlagt"),
        ("planlagt/innføring", "planlagt"),
        ("Ikke startet", "ingen"),
    ],
)
def test_status_labels(label: str, trinn: str) -> None:
    step = parse_status(label)
    assert step is not None
    assert step.trinn == trinn


def test_unknown_status_and_future_rule() -> None:
    assert parse_status("kanskje") is None
    assert parse_status(None) is None
    step = parse_status("innføringsdato på siden (sammen med Helse Møre og Romsdal)")
    assert step is not None and step.trinn == "i_bruk" and step.future_as_planned
    tatt = parse_status("tatt i bruk")
    assert tatt is not None and not tatt.future_as_planned


def test_combined_date_and_status_cells() -> None:
    assert split_date_status("2022-11 tatt i bruk (sammen med St. Olavs hospital)") == (
        "2022-11",
        "tatt i bruk (sammen med St. Olavs hospital)",
    )
    assert split_date_status("2022-05-07 tatt i bruk (først ut)")[0] == "2022-05-07"
    assert split_date_status("I bruk 01.03.2023") == ("01.03.2023", "I bruk")
    assert split_date_status("planlagt") == (None, "planlagt")
    assert split_date_status("") == (None, None)
    assert remark("planlagt (oktober 2025)") == "oktober 2025"
    assert remark("planlagt") is None


@pytest.mark.parametrize(
    ("name", "solution"),
    [
        ("DigiHelse", "digihelse"),
        ("digihelse", "digihelse"),
        ("Digi Helse", "digihelse"),
        ("DigiHelsestasjon", "digihelsestasjon"),
        ("DigiHelsestasjon ungdom", "digihelsestasjon_ungdom"),
        ("Kjernejournal", "kjernejournal"),
        ("Helseplattformen", "helseplattformen"),
        ("Velferdsteknologisk knutepunkt", "vkp"),
        ("VKP", "vkp"),
        ("Skattedata", "skattedata"),
        ("Inntekts- og skattedata", "skattedata"),
        ("Akson", None),
        ("", None),
    ],
)
def test_solution_vocabulary(name: str, solution: str | None) -> None:
    assert parse_solution(name) == solution


def test_published_descriptions() -> None:
    kj = parse_description("Kjernejournal SHT – tilgjengeliggjort")
    assert (kj.losning, kj.trinn) == ("kjernejournal", "tilgjengelig")
    dh = parse_description("DigiHelse – tatt i bruk")
    assert (dh.losning, dh.trinn) == ("digihelse", "i_bruk")
    akson = parse_description("Akson – signert intensjonserklæring (av 291)")
    assert (akson.losning, akson.trinn) == (None, None)
    # Not in the mapping: read as "<solution> – <status>" through the vocabularies.
    new = parse_description("Helseplattformen – tatt i bruk")
    assert (new.losning, new.trinn) == ("helseplattformen", "i_bruk")
    unknown = parse_description("Noe helt annet")
    assert (unknown.losning, unknown.trinn) == (None, None)


def test_column_aliases_ignore_case_spaces_and_dots() -> None:
    cols = ["Kommunenr.", "Kommune navn", "Org.nr", "STATUS", "Dato tatt i bruk", "Løsning"]
    fields = ["kommunenummer", "organisasjonsnummer", "kommune", "losning", "trinn", "dato_i_bruk"]
    found = find_columns(cols, fields)
    assert found == {
        "kommunenummer": "Kommunenr.",
        "organisasjonsnummer": "Org.nr",
        "kommune": "Kommune navn",
        "losning": "Løsning",
        "trinn": "STATUS",
        "dato_i_bruk": "Dato tatt i bruk",
    }
    assert find_columns(["Knr", "Komnr"], ["kommunenummer"]) == {"kommunenummer": "Knr"}
    assert find_columns(["kommune_nr"], ["kommunenummer"]) == {"kommunenummer": "kommune_nr"}


def test_catalogue_columns_override_aliases() -> None:
    found = find_columns(["Navn", "Sted"], ["kommune"], {"kommune": "Sted"})
    assert found == {"kommune": "Sted"}
    with pytest.raises(
        ColumnError, match=r"f\.csv: mangler kolonnen 'Borte'.*fant kolonnene: Navn"
    ):
        find_columns(["Navn"], ["kommune"], {"kommune": "Borte"}, "f.csv")


def test_missing_column_message_names_file_column_and_columns_found() -> None:
    msg = missing_column("data/x.csv", "trinn", ["Kommune", "Dato"])
    assert msg.startswith("data/x.csv: mangler kolonnen 'trinn' (kjente navn: Status, Trinn, Bruk)")
    assert msg.endswith("fant kolonnene: Kommune, Dato")
    with pytest.raises(ColumnError, match="'kommunenummer' eller 'organisasjonsnummer'"):
        require({}, [("kommunenummer", "organisasjonsnummer", "kommune")], ["A"], "x.csv")
