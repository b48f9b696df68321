"""Deliberately broken inputs: every row ends in a table or in the rejects, with its reason;
unusable files stop the run with one line (exit 2) and leave the previous output untouched."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.ingest.common import IngestError
from analysis.ingest.pipeline import IngestSummary, run_ingest
from analysis.load import data_dir, load_manifest, load_table

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "broken"
TODAY = dt.date(2025, 1, 1)

ADOPTION_REASONS = {
    4: "flertydig kommunenavn uten fylke: 1515 Herøy (Møre og Romsdal); 1818 Herøy (Nordland)",
    6: "ukjent kommune 'Atlantis'",
    7: "duplikat av rad 2",
    8: "motstridende status for samme kommune, løsning og dato (rad 8 og 9)",
    9: "motstridende status for samme kommune, løsning og dato (rad 8 og 9)",
    10: "ukjent status 'kanskje'",
    11: "dato i fremtiden (2030-01-01)",
    12: "ukjent kommune '<b>Bodø</b><script>alert(1)</script>'",
    13: "motstridende kommune: Kommunenr '4601' er 4601 Bergen, men Kommune 'Oslo' er 0301 Oslo",
    14: "ukjent løsning 'Akson'",
    15: "ikke et trinn: status 'Ikke startet' (ingen hendelse)",
    16: "ugyldig dato '31.02.2023'",
    17: "mangler dato",
    19: "duplikat av rad 18 (samme kommune, løsning, trinn og dato)",
}
MESSAGE_REASONS = {
    4: "duplikat av rad 2",
    6: "negativt antall (-5)",
    7: "ikke et tall: 'mange'",
    8: "ukjent kommune 'Atlantis'",
    9: "dato i fremtiden (2030-01-01)",
    10: "ugyldig periode '2023' (forventet en måned)",
    12: "ukjent kommune '<script>alert(1)</script>'",
    13: "mangler meldingstype",
}
PUBLISHED_REASONS = {
    3: "dato i fremtiden (2030-01-01)",
    4: "negativt antall (-1)",
    5: "duplikat av rad 2",
    7: "ugyldig dato '2023-13-45'",
}


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[IngestSummary, Path]:
    out = tmp_path_factory.mktemp("broken") / "processed"
    return run_ingest(BROKEN, out, today=TODAY), out


def reasons(out: Path, source: str) -> dict[int, str]:
    avvist = load_table("avvist", out).filter(pl.col("kilde_id") == source)
    return dict(zip(avvist["rad"].to_list(), avvist["grunn"].to_list(), strict=True))


def test_every_row_is_accounted_for(broken: tuple[IngestSummary, Path]) -> None:
    summary, out = broken
    manifest = load_manifest(out)
    inputs = {i["id"]: i for i in manifest["inputs"]}
    assert set(inputs) == {"adopsjon_feil", "vkp_cp1252", "meldinger_feil", "publisert_feil"}
    for i in inputs.values():
        assert i["rows_read"] == i["rows_kept"] + i["rows_rejected"], i["id"]
        assert i["rows_read"] > 0
    assert inputs["adopsjon_feil"]["rows_read"] == 19
    assert inputs["meldinger_feil"]["rows_read"] == 12
    avvist = load_table("avvist", out)
    adopsjon = load_table("adopsjon", out)
    for source in ("adopsjon_feil", "vkp_cp1252"):
        kept = set(adopsjon.filter(pl.col("kilde_id") == source)["rad"].to_list())
        rejected = set(reasons(out, source))
        assert not kept & rejected
        lines = len((BROKEN / inputs[source]["path"]).read_bytes().splitlines())
        assert kept | rejected == set(range(2, lines + 1)), source
    assert summary.rows_rejected == avvist.height


def test_adoption_rejects_and_their_reasons(broken: tuple[IngestSummary, Path]) -> None:
    _, out = broken
    assert reasons(out, "adopsjon_feil") == ADOPTION_REASONS
    avvist = load_table("avvist", out).filter(pl.col("kilde_id") == "adopsjon_feil")
    by_row = {r["rad"]: r for r in avvist.iter_rows(named=True)}
    assert by_row[10]["kolonne"] == "Status"
    assert by_row[4]["kolonne"] == "Kommune"
    assert by_row[4]["fil"] == "adopsjon_feil.csv"
    assert json.loads(by_row[10]["verdier"]) == {
        "Kommunenr": None,
        "Kommune": "Stavanger",
        "Fylke": None,
        "Løsning": "DigiHelse",
        "Status": "kanskje",
        "Dato": "01.02.2023",
        "Merknad": None,
    }


def test_adoption_rows_kept(broken: tuple[IngestSummary, Path]) -> None:
    _, out = broken
    ev = load_table("adopsjon", out).filter(pl.col("kilde_id") == "adopsjon_feil").sort("rad")
    rows = ev.select("rad", "losning", "kommunenummer", "trinn", "dato", "dato_presisjon")
    assert rows.rows() == [
        (2, "digihelse", "0301", "i_bruk", dt.date(2023, 3, 1), "dag"),
        (3, "digihelse", "4601", "i_bruk", dt.date(2023, 3, 1), "maaned"),
        (5, "digihelse", "1818", "i_bruk", dt.date(2023, 3, 1), "dag"),  # county column decides
        (18, "digihelsestasjon", "3024", "tilgjengelig", dt.date(2023, 3, 1), "maaned"),
        (20, "digihelse", "1804", "i_bruk", dt.date(2023, 3, 1), "dag"),
    ]
    assert ev["syntetisk"].all()


def test_html_in_a_name_is_kept_verbatim(broken: tuple[IngestSummary, Path]) -> None:
    _, out = broken
    ev = load_table("adopsjon", out)
    assert "1804 <i>Bodø</i>" in ev["kommune_inndata"].to_list()
    avvist = load_table("avvist", out)
    raw = avvist.filter((pl.col("kilde_id") == "adopsjon_feil") & (pl.col("rad") == 12))
    assert json.loads(raw["verdier"][0])["Kommune"] == "<b>Bodø</b><script>alert(1)</script>"


def test_windows_1252_file(broken: tuple[IngestSummary, Path]) -> None:
    _, out = broken
    ev = load_table("adopsjon", out).filter(pl.col("kilde_id") == "vkp_cp1252").sort("rad")
    assert ev.select("kommunenummer", "trinn").rows() == [
        ("1103", "i_bruk"),
        ("3433", "tilgjengelig"),
    ]
    assert reasons(out, "vkp_cp1252") == {3: "ukjent kommune 'Trøndelag-kommunen'"}


def test_message_rejects_and_sums(broken: tuple[IngestSummary, Path]) -> None:
    _, out = broken
    assert reasons(out, "meldinger_feil") == MESSAGE_REASONS
    m = load_table("meldinger", out).sort("periode", "kommunenummer", "versjon", nulls_last=True)
    assert m.select("periode", "kommunenummer", "meldingstype", "versjon", "antall").rows() == [
        # 0301 by code (100) and by organisation number (50) are one municipality; the copy of
        # row 2 (row 4) is not counted twice.
        (dt.date(2023, 1, 1), "0301", "PLO", "1.6", 150),
        (dt.date(2023, 1, 1), "0301", "PLO", None, 7),
        (dt.date(2023, 3, 1), "4601", "PLO", "1.6", 1234),
    ]


def test_published_rejects(broken: tuple[IngestSummary, Path]) -> None:
    _, out = broken
    assert reasons(out, "publisert_feil") == PUBLISHED_REASONS
    pub = load_table("publisert", out)
    assert pub.select("dato_presisjon", "losning", "antall").rows() == [
        ("maaned", "digihelse", 133),
        ("ukjent", None, 185),
    ]


def test_summary_counts_reasons(broken: tuple[IngestSummary, Path]) -> None:
    summary, _ = broken
    by_id = {s.id: s for s in summary.sources}
    assert by_id["adopsjon_feil"].reasons["duplikat av rad"] == 2
    assert by_id["meldinger_feil"].reasons["ukjent kommune"] == 2
    assert summary.synthetic == ["adopsjon_feil", "vkp_cp1252", "meldinger_feil"]


# -- unusable inputs ------------------------------------------------------------------------------

CATALOGUE = """report_year: 2023
sources:
  - id: {id}
    path: {path}
    kind: {kind}
    solution: digihelse
    title: T
    producer: P
    url: https://example.org
    date_accessed: 2024-01-01
    license: CC0
    synthetic: true
{extra}"""


def raw_with(tmp_path: Path, name: str, kind: str = "adoption", extra: str = "") -> Path:
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    src = BROKEN / "unusable" / name
    if src.exists():
        shutil.copy(src, raw / name)
    (raw / "sources.yaml").write_text(
        CATALOGUE.format(id="kilde", path=name, kind=kind, extra=extra), encoding="utf-8"
    )
    return raw


@pytest.mark.parametrize(
    ("name", "kind", "extra", "message"),
    [
        (
            "mangler_status.csv",
            "adoption",
            "",
            r"mangler_status\.csv: mangler kolonnen 'trinn' \(kjente navn: Status, Trinn, Bruk\); "
            r"fant kolonnene: Kommune, Dato \(kilden 'kilde'\)",
        ),
        (
            "mangler_status.csv",
            "messages",
            "",
            r"raw/mangler_status\.csv: mangler kolonnen 'meldingstype' .*fant kolonnene: Kommune, Dato",
        ),
        ("tom.csv", "adoption", "", r"tom\.csv: filen er tom"),
        ("bare_overskrift.csv", "adoption", "", r"bare_overskrift\.csv: filen har ingen datarader"),
        ("ulesbar.xlsx", "adoption", "", r"ulesbar\.xlsx: kan ikke åpnes som Excel-fil"),
        (
            "borte.csv",
            "adoption",
            "",
            r"borte\.csv: filen finnes ikke \(kilden 'kilde' i sources\.yaml\)",
        ),
        (
            "mangler_status.csv",
            "adoption",
            "    sha256: " + "ab" * 32 + "\n",
            r"mangler_status\.csv: sha256 er [0-9a-f]{64}, men katalogen sier (ab){32}",
        ),
        ("mangler_status.csv", "adopsjon", "", r"kilden 'kilde' har ukjent kind 'adopsjon'"),
    ],
)
def test_unusable_inputs_stop_the_run(
    tmp_path: Path, name: str, kind: str, extra: str, message: str
) -> None:
    raw = raw_with(tmp_path, name, kind, extra)
    with pytest.raises(IngestError, match=message) as err:
        run_ingest(raw, tmp_path / "out", today=TODAY)
    assert "\n" not in str(err.value)
    assert not (tmp_path / "out").exists()


def test_cli_exits_2_with_one_line(tmp_path: Path) -> None:
    raw = raw_with(tmp_path, "mangler_status.csv")
    result = CliRunner().invoke(app, ["ingest", "--raw", str(raw), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("Feil: ")
    assert "mangler kolonnen 'trinn'" in lines[0]
    assert "Traceback" not in result.output


def test_cli_completes_with_rejects_and_synthetic_notice(tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = CliRunner().invoke(app, ["ingest", "--raw", str(BROKEN), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "rader ble avvist" in result.stdout
    assert "Merk: 3 kilder er syntetiske eksempeldata" in " ".join(result.stdout.split())
    assert (data_dir(out) / "manifest.json").exists()


def test_a_failing_run_leaves_the_previous_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "processed"
    run_ingest(BROKEN, out, today=TODAY)
    (out / ".gitkeep").write_text("")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # A copy of the broken folder whose last source lacks a required column: the failure comes
    # after the other sources were read.
    raw = tmp_path / "raw"
    shutil.copytree(BROKEN, raw)
    shutil.copy(BROKEN / "unusable" / "mangler_status.csv", raw / "publisert_feil.csv")
    with pytest.raises(IngestError, match="mangler kolonnen 'beskrivelse'"):
        run_ingest(raw, out, today=TODAY)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".processed")] == []
