"""`ehelse export --xlsx`: the workbook on the embedded data, nationally and for one county."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from analysis.cli import app
from analysis.reference import load_register
from analysis.tools.export import SHEETS

runner = CliRunner()
AS_OF = "2023-12-31"


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("embedded") / "processed"
    result = runner.invoke(app, ["ingest", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def national(embedded: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "status.xlsx"
    result = runner.invoke(
        app, ["export", "--xlsx", str(path), "--as-of", AS_OF, "--data", str(embedded)]
    )
    assert result.exit_code == 0, result.output
    assert "Eksempeldata" in result.stdout
    return path


def _frame(ws: Worksheet) -> pl.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return pl.DataFrame(
        [list(r) for r in rows[1:]], schema=header, orient="row", infer_schema_length=None
    )


def _status_csv(embedded: Path, *extra: str) -> pl.DataFrame:
    result = runner.invoke(
        app,
        ["status", "--as-of", AS_OF, "--format", "csv", "--data", str(embedded), *extra],
    )
    assert result.exit_code == 0, result.output
    return pl.read_csv(io.StringIO(result.stdout))


@pytest.mark.slow
def test_sheets_headers_and_frozen_panes(national: Path) -> None:
    wb = load_workbook(national)
    assert tuple(wb.sheetnames) == SHEETS
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws["A1"].font.bold, ws.title
        assert ws["A1"].fill.fgColor.rgb not in (None, "00000000"), ws.title
        assert ws.column_dimensions["A"].width >= 6
    about = "\n".join(str(c.value) for row in wb[SHEETS[-1]].iter_rows() for c in row)
    assert "Eksempeldata" in about and "SYNTETISKE" in about
    assert "portefolje_2023_aktiviteter" in about  # sources from the manifest


@pytest.mark.slow
def test_national_rows_and_numbers_match_ehelse_status(national: Path, embedded: Path) -> None:
    wb = load_workbook(national)
    municipalities = _frame(wb["Kommuner x løsninger"])
    assert municipalities.height == 356 == load_register(2023).height
    assert municipalities["Kommunenummer"].str.len_chars().eq(4).all()  # kept as text
    assert _frame(wb["Meldinger"]).height == 356
    status = _frame(wb["Status"])
    expected = _status_csv(embedded)
    got = dict(zip(status["Løsning (id)"], status["Antall som telles"], strict=True))
    assert got == dict(zip(expected["losning"], expected["antall"], strict=True))
    # The pivot per municipality adds up to the status counts.
    in_use = dict(zip(status["Aktivitet"], status["I bruk"], strict=True))
    for name in ("DigiHelse", "DigiHelsestasjon", "VKP", "Skattedata"):
        assert (municipalities[f"{name}: trinn"] == "i bruk").sum() == in_use[name], name
    compliant = (_frame(wb["Meldinger"])["Status"] == "oppfylt").sum()
    assert compliant == dict(zip(expected["losning"], expected["antall"], strict=True))["meldinger"]
    # Norwegian formats: dates day.month.year, shares as percent, integers grouped.
    ws = wb["Kommuner x løsninger"]
    header = [c.value for c in ws[1]]
    date_col = header.index("DigiHelse: nådd") + 1
    dated = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, date_col).value is not None)
    assert ws.cell(dated, date_col).number_format == "dd.mm.yyyy"
    assert ws.cell(2, header.index("Innbyggere") + 1).number_format == "#,##0"
    mws = wb["Meldinger"]
    share_col = [c.value for c in mws[1]].index("PLO: andel gjeldende") + 1
    assert mws.cell(2, share_col).number_format == "0.0%"


@pytest.mark.slow
def test_region_filters_every_sheet_to_the_county(embedded: Path, tmp_path: Path) -> None:
    path = tmp_path / "vestland.xlsx"
    result = runner.invoke(
        app,
        [
            "export",
            "--xlsx",
            str(path),
            "--region",
            "46",
            "--as-of",
            AS_OF,
            "--data",
            str(embedded),
        ],
    )
    assert result.exit_code == 0, result.output
    wb = load_workbook(path)
    vestland = load_register(2023).filter(pl.col("fylkesnummer") == "46").height
    assert vestland == 43
    municipalities = _frame(wb["Kommuner x løsninger"])
    assert municipalities.height == 43 and set(municipalities["Fylke"]) == {"Vestland"}
    assert _frame(wb["Meldinger"]).height == 43
    assert set(_frame(wb["Fylker"])["Fylkesnummer"]) == {"46"}
    status = _frame(wb["Status"])
    expected = _status_csv(embedded, "--region", "Vestland")
    got = dict(zip(status["Løsning (id)"], status["Antall som telles"], strict=True))
    assert got == dict(zip(expected["losning"], expected["antall"], strict=True))
    assert set(status["Kommuner i omfanget"].drop_nulls()) <= {0, 43}
    assert [p.name for p in tmp_path.iterdir()] == ["vestland.xlsx"]  # no temporary file left


@pytest.mark.slow
def test_a_failed_export_keeps_the_old_file(
    embedded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xlsxwriter

    path = tmp_path / "status.xlsx"
    path.write_bytes(b"old")

    def full_disk(self: xlsxwriter.Workbook) -> None:
        Path(self.filename).write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", full_disk)
    bad = runner.invoke(
        app, ["export", "--xlsx", str(path), "--as-of", AS_OF, "--data", str(embedded)]
    )
    assert bad.exit_code == 2 and "No space left" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["status.xlsx"]


@pytest.mark.parametrize(
    ("name", "message"),
    [("ut.csv", ".xlsx"), ("mangler/ut.xlsx", "finnes ikke")],
)
def test_bad_target_is_one_line(tmp_path: Path, name: str, message: str) -> None:
    result = runner.invoke(app, ["export", "--xlsx", str(tmp_path / name)])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_missing_data_says_run_ingest(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["export", "--xlsx", str(tmp_path / "ut.xlsx"), "--data", str(tmp_path)]
    )
    assert result.exit_code == 2 and "ehelse ingest" in result.stderr
    assert not (tmp_path / "ut.xlsx").exists()


@pytest.mark.slow
def test_every_sheet_on_example_data_is_marked(national: Path) -> None:
    """The embedded data are synthetic: every data sheet has an Eksempeldata column with the
    rows marked, and «Om dataene» says it in words."""
    wb = load_workbook(national)
    for name in SHEETS[:-1]:
        df = _frame(wb[name])
        assert "Eksempeldata" in df.columns, name
        assert set(df["Eksempeldata"].drop_nulls()) <= {"ja", "nei"}, name
        assert (df["Eksempeldata"] == "ja").any(), name
    municipalities = _frame(wb["Kommuner x løsninger"])
    assert (municipalities["Eksempeldata"] == "ja").all()  # every municipality's steps


def test_about_sheet_cites_sources_as_the_report_does(national: Path, embedded: Path) -> None:
    """«Om dataene» lists each source of the manifest with the report's reference form."""
    from analysis.edition.params import read_manifest
    from analysis.edition.provenance import citation_text

    about = dict(load_workbook(national)["Om dataene"].iter_rows(values_only=True))
    manifest = read_manifest(embedded)
    assert manifest and manifest["sources"]
    for source in manifest["sources"]:
        text = about[f"Kilde: {source['id']}"]
        assert text.startswith(citation_text(source)), (text, source)
        assert "(u.å.)" in text
