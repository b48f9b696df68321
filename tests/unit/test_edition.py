"""The edition model: one default per parameter, the data checked against the edition, the
chapters free of computation, and the sentences they show."""

from __future__ import annotations

import ast
import json
from datetime import date
from pathlib import Path

import pytest

from analysis import config
from analysis.edition import EditionError, edition
from analysis.edition import sentences as sn
from analysis.edition.params import as_of_for
from analysis.fmt import join_names

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "report"
# Modules a chapter may import: the edition (what it shows) and the present layer (how).
ALLOWED = ("analysis.edition", "analysis.present", "analysis.fmt")


def _manifest(folder: Path, division: int, until: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"parameters": {"division": division}, "sources": []}
    if until:
        data["data_until"] = until
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def chapter_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def chapters() -> list[Path]:
    from analysis.render.project import project_options

    return project_options(REPORT).chapter_paths()


@pytest.mark.parametrize("chapter", chapters(), ids=lambda p: p.name)
def test_chapters_import_only_the_edition_and_the_present_layer(chapter: Path) -> None:
    imports = {m for m in chapter_imports(chapter) if m.startswith("analysis")}
    assert imports, f"{chapter.name} reads nothing from the edition"
    bad = sorted(m for m in imports if not m.startswith(ALLOWED))
    assert not bad, f"{chapter.name} imports {bad}"
    source = chapter.read_text(encoding="utf-8")
    for word in ("pl.col(", "import polars", "status_overview", "load_table"):
        assert word not in source, f"{chapter.name} computes: {word}"


def test_the_edition_takes_its_year_from_the_catalogue_and_its_division_from_the_year(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("EHELSE_YEAR", raising=False)
    monkeypatch.delenv("EHELSE_REGION", raising=False)
    monkeypatch.delenv("EHELSE_PROCESSED", raising=False)
    folder = _manifest(tmp_path / "2020", 2020)
    ed = edition(None, None, folder)
    assert (ed.year, ed.division, ed.as_of) == (2023, 2020, date(2023, 12, 31))
    assert ed.stem == "ehelse-status-2023"
    ed = edition(2024, "Vestland", _manifest(tmp_path / "2024", 2024))
    assert (ed.division, ed.region, ed.region_name) == (2024, "46", "Vestland")
    assert ed.previous_division == 2020


def test_the_default_data_folder_is_the_division_s_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EHELSE_PROCESSED", raising=False)
    ed = edition(2025, check=False)
    assert ed.processed == config.PROCESSED_DIR / "2024"
    assert edition(2022, check=False).processed == config.PROCESSED_DIR / "2020"


def test_the_environment_fills_what_the_cell_left_empty(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = _manifest(tmp_path / "p", 2024)
    monkeypatch.setenv("EHELSE_YEAR", "2024")
    monkeypatch.setenv("EHELSE_REGION", "50")
    monkeypatch.setenv("EHELSE_PROCESSED", str(folder))
    ed = edition()
    assert (ed.year, ed.region, ed.processed) == (2024, "50", folder)
    assert edition(2025, "46").year == 2025  # the cell wins


def test_a_division_mismatch_says_which_ingest_to_run(tmp_path: Path) -> None:
    folder = _manifest(tmp_path / "p", 2020)
    with pytest.raises(EditionError, match=r"ehelse ingest --year 2024") as exc:
        edition(2024, None, folder)
    assert "inndelingen fra 2020" in str(exc.value) and "\n" not in str(exc.value)
    with pytest.raises(EditionError, match="ingen innleste data"):
        edition(2024, None, tmp_path / "tom")
    with pytest.raises(EditionError, match="årstall"):
        edition("24", None, folder)


def test_the_status_date_is_the_year_end_unless_the_data_end_before_it() -> None:
    assert as_of_for(2023) == date(2023, 12, 31)
    assert as_of_for(2023, {"data_until": "2026-11-30"}) == date(2023, 12, 31)
    assert as_of_for(2026, {"data_until": "2026-11-30"}) == date(2026, 11, 30)


def test_cli_report_with_mismatched_data_is_one_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from analysis.cli import app

    folder = _manifest(tmp_path / "p", 2020)
    result = CliRunner().invoke(app, ["report", "--year", "2024", "--data", str(folder)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "ehelse ingest --year 2024" in text and "Traceback" not in result.output


ROW = {
    "losning": "digihelse",
    "telles_trinn": "i_bruk",
    "i_omfang": 356,
    "antall": 120,
    "ambisjon": 150,
    "ambisjon_andel": 15.5,
    "prosent_av_ambisjon": 80.0,
    "kategori": "akselerasjon nødvendig",
    "tempo": 30.0,
    "nodvendig_tempo": 45.0,
    "forventet_dato": date(2024, 9, 30),
    "forventet_fra": date(2024, 6, 30),
    "forventet_til": date(2025, 3, 31),
    "merknad": None,
    "andel_kommuner": 120 / 356,
}


def test_status_paragraph_reads_as_prose() -> None:
    text = sn.status_paragraph(ROW, "I hele landet", "DigiHelse", date(2023, 12, 31), False)
    assert text.startswith("I hele landet hadde **120** av 356 kommuner tatt i bruk DigiHelse")
    assert "per 31. desember 2023, mot ambisjonen på 150 (80\u00a0% av ambisjonen)" in text
    assert "så her må tempoet øke (akselerasjon nødvendig)" in text
    assert "30,0 kommuner per år, mot 45,0 kommuner per år" in text
    assert "ventes ambisjonen nådd i september 2024 (juni 2024–mars 2025)" in text
    assert "Fremdriften er akselerasjon" not in text


def test_status_paragraph_for_a_county_and_missing_data() -> None:
    text = sn.status_paragraph(ROW, "I Agder", "DigiHelse", date(2023, 12, 31), True, ROW)
    assert "fylkets forholdsmessige andel av ambisjonen, 15,5 kommuner" in text
    assert "For hele landet er tallet 120 av 356 kommuner (34\u00a0%)" in text
    none = sn.status_paragraph(ROW | {"antall": None}, "I Agder", "VKP", date(2023, 12, 31), True)
    assert "ingen status for VKP" in none and "ikke det samme som null" in none
    out = sn.status_paragraph(ROW | {"i_omfang": 0}, "I Agder", "VKP", date(2023, 12, 31), True)
    assert "gjelder ikke fylket" in out


def test_published_comparison_names_both_figures() -> None:
    when = date(2023, 4, 30)
    row = {"publisert": 10, "antall": 9, "avvik": -1}
    text = sn.published_comparison(row, when)
    assert "publiserte 10 i april 2023" in text and "blir tallet 9, 1 kommune færre" in text
    same = sn.published_comparison({"publisert": 147, "antall": 147, "avvik": 0}, when)
    assert "det samme som tallet beregnet" in same
    none = sn.published_comparison({"publisert": None, "antall": 208, "avvik": None}, when)
    assert none.startswith("Porteføljen oppga ingen status i april 2023.") and "208" in none


def test_summary_points_and_lists() -> None:
    points = sn.summary_points({"nådd": ["A", "B"], "tilbakegang": ["C"]}, 3)
    assert points == [
        "- For 2 av 3 aktiviteter er ambisjonen nådd: A og B.",
        "- For 1 av 3 aktiviteter går det tilbake: C.",
    ]
    assert join_names(["a", "b", "c"]) == "a, b og c"
    assert join_names(("a", "b"), "eller") == "a eller b"
    assert join_names([]) == "" and join_names(["a"]) == "a"
    assert sn.plural(1, "kommune", "kommuner") == "1 kommune"


def test_deadline_and_carried_over_notes() -> None:
    assert sn.deadline_text(date(2023, 12, 31), date(2024, 12, 31)) == (
        "Fristen (31.12.2023) er passert."
    )
    assert sn.deadline_text(date(2023, 12, 31), date(2023, 12, 31)) is None
    note = sn.carried_over(2025, 2023)
    assert note is not None and "videreført fra porteføljen for 2023" in note and "2025" in note
    assert sn.carried_over(2023, 2023) is None


def test_prose_has_dates_in_words_and_categories_as_phrases() -> None:
    assert sn.prose_dates("Forskriftsfestet fra 2022-07-01, frist 2023-11-16.") == (
        "Forskriftsfestet fra 1. juli 2022, frist 16. november 2023."
    )
    assert sn.prose_dates("2023-02-30 er ingen dato") == "2023-02-30 er ingen dato"
    row = {
        "losning": "vkp",
        "telles_trinn": "i_bruk",
        "i_omfang": 43,
        "antall": 5,
        "ambisjon_andel": 6.0,
        "prosent_av_ambisjon": 83.0,
        "kategori": "på sporet",
        "tempo": 3.0,
        "nodvendig_tempo": 2.0,
        "forventet_dato": None,
        "merknad": None,
    }
    national = {
        "antall": 46,
        "i_omfang": 356,
        "andel_kommuner": 0.13,
        "ambisjon": 50,
        "kategori": "akselerasjon nødvendig",
    }
    text = sn.status_paragraph(row, "I Vestland", "VKP", date(2023, 12, 31), True, national)
    assert "fremdriften må bli raskere" in text
    assert "er akselerasjon nødvendig" not in text and "fremdriften er" not in text


def test_status_counts_are_the_same_whatever_the_row_order() -> None:
    """The map's alternative text: most municipalities first, a tie in the legend's order."""
    import polars as pl

    from analysis.edition.activity_charts import status_counts

    steps = ["i_bruk"] * 3 + ["ikke_svart", "planlagt"] * 2 + [None]
    texts = {
        status_counts(
            pl.DataFrame({"trinn": steps}, schema={"trinn": pl.String}).sample(
                fraction=1.0, shuffle=True, seed=s
            )
        )
        for s in range(20)
    }
    assert texts == {"i bruk: 3; planlagt: 2; ikke svart: 2; ingen data: 1"}
