"""Status forms, the whole way: `ehelse skjema lag` writes a county's form from ingested data,
people fill copies of it in with openpyxl (dropdown values, typed dates and steps, a changed
pre-fill, a blank, comments, a sorted sheet, a deleted hidden sheet, one copy saved as CSV),
`ehelse skjema inn` catalogues them, `ehelse ingest` reads them, and every answer is
accounted for, counted or listed as a conflict, in the CLI and in the report's blocks.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from analysis import config
from analysis.cli import app
from analysis.edition import edition
from analysis.edition import skjema as sk
from analysis.edition.activity_charts import status_frame
from analysis.edition.blocks import TableBlock
from analysis.edition.data import edition_data
from analysis.ingest.common import IngestError
from analysis.ingest.pipeline import run_ingest as run
from analysis.load import data_dir, load_table
from analysis.metrics.params import display_names
from analysis.tools.skjema.write import FormRow, FormSpec, write_form

pytestmark = pytest.mark.slow
runner = CliRunner()
TODAY = dt.date(2024, 2, 1)
CREATED = dt.date(2024, 1, 8)
REGISTRIES = ("eksempel_vkp", "eksempel_kjernejournal", "eksempel_skattedata")
HOSTILE_TITLE = '=HYPERLINK("http://example.invalid","VKP")'
NAMES = display_names()  # the forms name activities as the report does
VKP, KJ, DHS, SKATT = (NAMES[k] for k in ("vkp", "kjernejournal", "digihelsestasjon", "skattedata"))
FIRST_ROW = 5  # title, information, blank, header


def _raw(tmp: Path) -> Path:
    """A raw folder with three of the example's owners' exports as the registries (the VKP
    export with a title that would be a formula in Excel) and the portfolio's ambitions."""
    raw = tmp / "raw"
    entries = yaml.safe_load(config.CATALOGUE.read_text(encoding="utf-8"))["sources"]
    keep = [dict(e) for e in entries if e["id"] in (*REGISTRIES, "portefolje_2023_aktiviteter")]
    for e in keep:
        (raw / e["path"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(config.RAW_DIR / e["path"], raw / e["path"])
        if e["id"] == "eksempel_vkp":
            e["title"] = HOSTILE_TITLE
    _write_catalogue(raw, keep)
    return raw


def _write_catalogue(raw: Path, entries: list[dict[str, Any]]) -> None:
    """sources.yaml in the repository's own layout (entries indented under ``sources``)."""
    body = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=1000)
    lines = ["report_year: 2023", "sources:", *("  " + line for line in body.splitlines())]
    (raw / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("skjema")
    raw = _raw(tmp)
    before = tmp / "before"
    run(raw, before, year=2023, today=TODAY)
    forms = tmp / "utsendt"
    made = runner.invoke(
        app,
        ["skjema", "lag", "--region", "Vestland", "--year", "2023", "--data", str(before),
         "--out", str(forms), "--dato", CREATED.isoformat(), "--frist", "2024-02-05"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    registry = load_table("adopsjon", data_dir(before))
    return {"tmp": tmp, "raw": raw, "before": before, "forms": forms, "registry": registry}


def _form(world: dict[str, Any]) -> Path:
    return world["forms"] / "skjema-2023-46-vestland.xlsx"


# -- the form as written -------------------------------------------------------------------


def test_the_form_has_its_sheets_validation_protection_and_print_setup(
    world: dict[str, Any],
) -> None:
    wb = load_workbook(_form(world))
    assert wb.sheetnames == ["Veiledning", "Status", "skjema_info"]
    assert wb["skjema_info"].sheet_state == "hidden"
    ws = wb["Status"]
    assert wb.active.title == "Status"  # «Lagre som CSV» saves the form, not the guide
    assert ws.freeze_panes == "C5"  # the header row (and number and name) stay in view
    assert ws.protection.sheet and not ws.protection.password
    assert ws.protection.sort is False and ws.protection.autoFilter is False  # allowed
    assert ws.protection.formatColumns is False  # columns may be widened
    header = [c.value for c in ws[4]]
    assert header[:7] == [
        "Kommunenummer",
        "Kommune",
        "Aktivitet",
        "Trinn",
        "Dato for trinnet",
        "Kontrollert",
        "Kommentar",
    ]
    last = ws.max_row
    assert ws.auto_filter.ref == f"A4:J{last}"
    rows = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    step, day, checked, comment = (rows[f"{c}{FIRST_ROW}:{c}{last}"] for c in "DEFG")
    assert (
        step.type == "list" and step.formula1 == '"ikke startet,planlagt,tilgjengeliggjort,i bruk"'
    )
    assert day.type == "date" and day.operator in (None, "between")  # between is the default
    assert day.formula2 == "TODAY()"
    assert dt.date(1899, 12, 30) + dt.timedelta(days=int(day.formula1)) == dt.date(2010, 1, 1)
    assert checked.type == "list" and comment.type == "textLength"
    assert all(dv.showInputMessage and dv.prompt for dv in (step, day, checked, comment))
    for r in (FIRST_ROW, last):
        assert all(ws.cell(r, c).protection.locked for c in (1, 2, 3, 8, 9))
        assert not any(ws.cell(r, c).protection.locked for c in (4, 5, 6, 7))
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$4:$4"
    assert int(ws.page_setup.fitToHeight) == 0  # one page wide, as many pages down as needed
    assert ws.column_dimensions["G"].width >= 40
    # Vestland's 43 municipalities, five activities each (Helseplattformen is not in scope).
    data = [r for r in ws.iter_rows(min_row=FIRST_ROW, values_only=True)]
    assert len(data) == 43 * 5 and {r[2] for r in data} == {VKP, KJ, DHS, SKATT, "DigiHelse"}
    guide = " ".join(str(c.value) for row in wb["Veiledning"].iter_rows() for c in row if c.value)
    for words in ("tilgjengeliggjort", "i bruk", "ikke startet", "planlagt", "05.02.2024", "Spør"):
        assert words in guide


def test_text_from_data_is_never_a_formula(world: dict[str, Any]) -> None:
    ws = load_workbook(_form(world))["Status"]
    hostile = [c for c in ws["J"] if c.value == HOSTILE_TITLE]
    assert hostile, "the VKP export's title pre-fills the VKP rows"
    assert all(c.data_type == "s" and c.quotePrefix for c in hostile)
    plain = load_workbook(_form(world), data_only=False)["Status"]
    assert not any(c.data_type == "f" for row in plain.iter_rows() for c in row)


def test_the_same_spec_gives_the_same_bytes() -> None:
    row = FormRow("4601", "Bergen", "vkp", VKP, "i_bruk", dt.date(2023, 3, 1), "x", "=x")
    spec = FormSpec("fylke", "46", "Vestland", 2023, 2020, CREATED, TODAY, (row,))
    assert write_form(spec) == write_form(spec)
    assert (
        spec.form_id
        == FormSpec("fylke", "46", "Vestland", 2023, 2020, CREATED, TODAY, (row,)).form_id
    )


def test_the_sent_register_lists_the_form(world: dict[str, Any]) -> None:
    with (world["forms"] / "utsendt.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1 and rows[0]["region"] == "46" and rows[0]["kommuner"] == "43"
    assert rows[0]["fil"] == "skjema-2023-46-vestland.xlsx" and rows[0]["rader"] == "215"


# -- filling it in as people do --------------------------------------------------------------


def _rows(ws: Any) -> dict[tuple[str, str], int]:
    return {
        (str(ws.cell(r, 1).value), str(ws.cell(r, 3).value)): r
        for r in range(FIRST_ROW, ws.max_row + 1)
    }


def _sort(ws: Any) -> None:
    """Sort the data rows by municipality name, descending, as Excel's sort does."""
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=FIRST_ROW)]
    values.sort(key=lambda v: (str(v[1]), str(v[2])), reverse=True)
    for i, v in enumerate(values):
        for j, x in enumerate(v):
            ws.cell(FIRST_ROW + i, j + 1).value = x


def _events(world: dict[str, Any], losning: str) -> set[str]:
    reg = world["registry"]
    return set(reg.filter(pl.col("losning") == losning)["kommunenummer"].to_list())


def _steps(world: dict[str, Any], losning: str, trinn: str) -> set[str]:
    reg = world["registry"]
    return set(
        reg.filter((pl.col("losning") == losning) & (pl.col("trinn") == trinn))[
            "kommunenummer"
        ].to_list()
    )


@pytest.fixture(scope="module")
def filled(world: dict[str, Any]) -> dict[str, Any]:
    """Three returned copies and what was written into them."""
    form = _form(world)
    wb = load_workbook(form)
    ws = wb["Status"]
    _sort(ws)
    ws.column_dimensions["B"].width = 40  # widened
    at = _rows(ws)
    munis = sorted({k for k, _ in at})
    no_vkp = [m for m in munis if m not in _events(world, "vkp")]
    kj_only = [
        m for m in munis
        if ws.cell(at[(m, KJ)], 4).value == "tilgjengeliggjort" and m not in _steps(world, "kjernejournal", "i_bruk")
    ]  # fmt: skip
    prefilled_skatt = [m for m in munis if ws.cell(at[(m, SKATT)], 4).value]
    m1, m6, m7, m8 = no_vkp[:4]
    m2 = next(m for m in kj_only if m not in (m1, m6, m7, m8))
    m3 = next(m for m in munis if m not in (m1, m2, m6, m7, m8))
    used = {m1, m2, m3, m6, m7, m8}
    m4 = next(m for m in prefilled_skatt if m not in used)
    used.add(m4)
    m5 = next(m for m in no_vkp if m not in used)
    used.add(m5)
    confirm = [m for m in prefilled_skatt if m not in used][:4]
    used |= set(confirm)

    def put(m: str, act: str, step: Any = "", day: Any = "", ok: Any = "", note: Any = "") -> int:
        r = at[(m, act)]
        for col, value in ((4, step), (5, day), (6, ok), (7, note)):
            if value != "":
                ws.cell(r, col).value = value
        return r

    put(m1, VKP, "planlagt", dt.datetime(2023, 6, 15), "ja", "=vedtatt i kommunestyret")
    put(m2, KJ, "i bruk", dt.datetime(2023, 11, 1), "ja")  # a changed pre-fill
    put(m3, DHS, "Tilgjengelig", "mars 2023", "ja")  # typed step, free-text date
    put(m6, VKP, "planlagt", dt.datetime(2023, 4, 1), "ja")  # the later copy says otherwise
    for m in confirm:
        put(m, SKATT, ok="ja")
    cleared = put(m4, SKATT, None)  # a blank where the pre-fill was
    ws.cell(cleared, 4).value = None
    bad_step = put(m5, VKP, "kanskje", dt.datetime(2023, 1, 2))
    future = put(m5, DHS, "i bruk", dt.datetime(2030, 1, 1))
    a = world["tmp"] / "svar-vestland.xlsx"
    wb.save(a)

    wb = load_workbook(form)
    wb.remove(wb["skjema_info"])  # the hidden sheet deleted
    ws = wb["Status"]
    at = _rows(ws)
    ws.cell(at[(m6, VKP)], 4).value = "ikke startet"
    ws.cell(at[(m6, VKP)], 6).value = "ja"
    ws.cell(at[(m7, DHS)], 4).value = "planlagt"
    ws.cell(at[(m7, DHS)], 5).value = dt.datetime(2023, 2, 1)
    ws.cell(at[(m7, DHS)], 6).value = "Ja"
    b = world["tmp"] / "svar-vestland-b.xlsx"
    wb.save(b)

    wb = load_workbook(form)
    ws = wb["Status"]
    at = _rows(ws)
    ws.cell(at[(m8, VKP)], 4).value = "Planlagt"
    ws.cell(at[(m8, VKP)], 5).value = "1.3.2023"
    ws.cell(at[(m8, VKP)], 7).value = "- svar fra kommunalsjefen"
    c = world["tmp"] / "svar-vestland-c.csv"
    with c.open("w", encoding="utf-8-sig", newline="") as fh:  # Excel's «CSV UTF-8»
        w = csv.writer(fh, delimiter=";")
        for row in ws.iter_rows(values_only=True):
            w.writerow(
                [
                    "" if v is None else f"{v:%d.%m.%Y}" if isinstance(v, dt.datetime) else v
                    for v in row
                ]
            )
    for path, day in ((a, "2024-01-20"), (b, "2024-01-25"), (c, "2024-01-22")):
        done = runner.invoke(
            app, ["skjema", "inn", str(path), "--raw", str(world["raw"]), "--mottatt", day]
        )
        assert done.exit_code == 0, done.output
    out = world["tmp"] / "after"
    summary = run(world["raw"], out, year=2023, today=TODAY)
    return {
        "summary": summary,
        "out": out,
        "p": data_dir(out),
        "m": {"m1": m1, "m2": m2, "m3": m3, "m4": m4, "m5": m5, "m6": m6, "m7": m7, "m8": m8},
        "confirm": confirm,
        "rows": {"cleared": cleared, "bad_step": bad_step, "future": future},
    }


def test_the_returned_forms_are_catalogued_as_forms(
    world: dict[str, Any], filled: dict[str, Any]
) -> None:
    entries = yaml.safe_load((world["raw"] / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    forms = {e["id"]: e for e in entries if e["kind"] == "skjema"}
    assert set(forms) == {
        "skjema_svar_vestland",
        "skjema_svar_vestland_b",
        "skjema_svar_vestland_c",
    }
    assert all(e["form_year"] == 2023 and e["path"].startswith("skjema/") for e in forms.values())
    assert forms["skjema_svar_vestland_b"]["date_accessed"] == "2024-01-25"
    assert "CSV" in forms["skjema_svar_vestland_c"]["note"]


def test_every_row_is_kept_or_rejected(filled: dict[str, Any]) -> None:
    for s in filled["summary"].sources:
        if s.kind == "skjema":
            assert s.rows_read == 215 and s.rows_read == s.rows_kept + s.rows_rejected, s.id
    svar = load_table("skjema_svar", filled["p"])
    assert svar.height == 215 * 3 - 3  # three rejects, all in the first copy
    rejects = load_table("avvist", filled["p"]).filter(pl.col("kilde_id") == "skjema_svar_vestland")
    got = {
        (r, k, g.split(" ")[0]) for r, k, g in rejects.select("rad", "kolonne", "grunn").iter_rows()
    }
    rows = filled["rows"]
    assert got == {
        (rows["cleared"], "Trinn", "trinnet"),
        (rows["bad_step"], "Trinn", "ukjent"),
        (rows["future"], "Dato for trinnet", "dato"),
    }


def test_the_answers_are_counted_as_they_were_given(filled: dict[str, Any]) -> None:
    m = filled["m"]
    svar = load_table("skjema_svar", filled["p"])
    a = svar.filter(pl.col("kilde_id") == "skjema_svar_vestland")
    counts = dict(a.group_by("svar").len().iter_rows())
    assert counts["bekreftet"] == len(filled["confirm"]) == 4
    assert counts["endret"] == 4  # m1, m2, m3, m6
    assert "kommentert" not in counts
    got = {
        (k, s): (t, d, p)
        for k, s, t, d, p in a.filter(pl.col("svar") == "endret")
        .select("kommunenummer", "losning", "trinn", "dato", "dato_presisjon")
        .iter_rows()
    }
    assert got[(m["m3"], "digihelsestasjon")] == ("tilgjengelig", dt.date(2023, 3, 1), "maaned")
    assert got[(m["m2"], "kjernejournal")] == ("i_bruk", dt.date(2023, 11, 1), "dag")
    b = svar.filter(pl.col("kilde_id") == "skjema_svar_vestland_b")
    assert dict(b.group_by("svar").len().iter_rows()) == {"endret": 2, "ubesvart": 213}
    c = svar.filter((pl.col("kilde_id") == "skjema_svar_vestland_c") & (pl.col("svar") == "endret"))
    assert c.select("kommunenummer", "losning", "trinn", "dato").rows() == [
        (m["m8"], "vkp", "planlagt", dt.date(2023, 3, 1))
    ]
    # New steps become events with their provenance; confirmations of a registry do not.
    ev = load_table("adopsjon", filled["p"]).filter(pl.col("kilde_id").str.starts_with("skjema_"))
    assert set(ev.select("kommunenummer", "losning", "trinn").rows()) == {
        (m["m1"], "vkp", "planlagt"),
        (m["m3"], "digihelsestasjon", "tilgjengelig"),
        (m["m7"], "digihelsestasjon", "planlagt"),
        (m["m8"], "vkp", "planlagt"),
    }
    note = ev.filter(pl.col("kommunenummer") == m["m1"])["merknad"][0]
    assert "skjema 2023-46-" in note and "kommentar: =vedtatt i kommunestyret" in note
    confirmed = a.filter(pl.col("svar") == "bekreftet")
    assert not confirmed["telles"].any()
    assert (
        confirmed["grunn"].str.starts_with("samme hendelse som kilden 'eksempel_skattedata'").all()
    )


def test_forms_without_their_hidden_sheet_are_matched_on_numbers(filled: dict[str, Any]) -> None:
    warnings = filled["summary"].warnings
    assert any("svar-vestland-b.xlsx" in w and "skjulte arket er slettet" in w for w in warnings)
    assert any("svar-vestland-c.csv" in w and "CSV" in w for w in warnings)
    forms = load_table("skjema", filled["p"]).sort("kilde_id")
    assert forms["kobling"].to_list() == ["skjema-id", "kommunenummer", "kommunenummer"]
    assert forms["region"].to_list() == ["46"] * 3
    assert forms["lagret_som"].to_list() == ["xlsx", "xlsx", "csv"]
    assert forms["skjema_id"].n_unique() == 1  # the id survives in the information row


def test_conflicts_are_listed_with_what_counts(filled: dict[str, Any]) -> None:
    m = filled["m"]
    konf = load_table("skjema_konflikter", filled["p"])
    rows = {
        (k, s, slag): g
        for k, s, slag, g in konf.select("kommunenummer", "losning", "slag", "gjelder").iter_rows()
    }
    assert rows == {
        (m["m6"], "vkp", "to skjema"): "skjema_svar_vestland_b",  # received last
        (m["m2"], "kjernejournal", "register"): "eksempel_kjernejournal",
    }
    svar = load_table("skjema_svar", filled["p"])
    lost = svar.filter(
        (pl.col("kommunenummer") == m["m6"])
        & (pl.col("losning") == "vkp")
        & (pl.col("svar") == "endret")
    )
    assert lost.height == 2 and not lost["telles"].any()


def test_the_cli_shows_the_answer_rate_and_the_conflicts(
    world: dict[str, Any], filled: dict[str, Any]
) -> None:
    args = ["--year", "2023", "--data", str(filled["out"]), "--utsendt", str(world["forms"])]
    done = runner.invoke(app, ["skjema", "status", *args, "--format", "json"])
    assert done.exit_code == 0, done.output
    (row,) = json.loads(done.output)
    answered = {filled["m"][k] for k in ("m1", "m2", "m3", "m6", "m7", "m8")} | set(
        filled["confirm"]
    )
    assert (row["region"], row["sendt"], row["returnert"], row["kommuner"]) == ("46", 1, 3, 43)
    assert row["svart"] == len(answered) and row["andel"] == pytest.approx(len(answered) / 43)
    table = runner.invoke(app, ["skjema", "status", *args], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "Vestland" in table.output and "Svarprosent" in table.output
    conf = runner.invoke(app, ["skjema", "status", "--konflikter", *args[:4], "--format", "csv"])
    assert conf.exit_code == 0
    lines = conf.output.strip().splitlines()
    assert len(lines) == 3 and "to skjema" in conf.output and "register" in conf.output


def test_the_report_shows_the_answer_rate_conflicts_and_no_answer(filled: dict[str, Any]) -> None:
    d = edition_data(edition(2023, None, filled["out"]))
    tables = [b for b in sk.form_blocks(d) if isinstance(b, TableBlock)]
    rate, conflicts = tables
    assert rate.frame.rows() == [("Vestland", 43, rate.frame["svart"][0], rate.frame["andel"][0])]
    assert rate.frame["svart"][0] == 6 + 4  # as the CLI counts them
    assert conflicts.frame.height == 2
    vkp = dict(status_frame(d, "vkp", synthetic=True).select("kommunenummer", "trinn").iter_rows())
    m = filled["m"]
    assert vkp[m["m1"]] == "planlagt" and vkp[m["m6"]] == "ikke_startet"  # answered: not started
    assert vkp[m["m5"]] == "ikke_svart"  # its VKP answer was rejected, nothing else is known
    assert all(v != "ikke_svart" for k, v in vkp.items() if not k.startswith("46"))
    # The form is pre-filled from synthetic registries, so its answers are synthetic: a map of
    # real data takes no «ikke svart» from them.
    assert load_table("skjema_svar", filled["out"])["syntetisk"].all()
    real = status_frame(d, "vkp", synthetic=False)
    assert real.filter(pl.col("trinn") == "ikke_svart").height == 0
    assert real.filter(pl.col("kommunenummer") == m["m5"])["trinn"].to_list() == ["ikke_startet"]


# -- one-line errors -----------------------------------------------------------------------


def _catalogue_by_hand(raw: Path, file: Path, **extra: Any) -> None:
    target = raw / "skjema" / file.name
    target.parent.mkdir(exist_ok=True)
    shutil.copy(file, target)
    data = yaml.safe_load((raw / "sources.yaml").read_text(encoding="utf-8"))
    data["sources"] = [s for s in data["sources"] if s["kind"] != "skjema"]
    data["sources"].append(
        {"id": "skjema_x", "path": f"skjema/{file.name}", "kind": "skjema", "title": "x",
         "producer": "x", "url": "x", "date_accessed": "2024-01-20", "license": "x",
         "synthetic": False, **extra}
    )  # fmt: skip
    _write_catalogue(raw, data["sources"])


def _spec(year: int, division: int) -> FormSpec:
    row = FormRow("4601", "Bergen", "vkp", VKP)
    return FormSpec("fylke", "46", "Vestland", year, division, CREATED, TODAY, (row,))


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        (_spec(2024, 2024), "gjelder rapportåret 2024"),
        (_spec(2023, 2024), "kommuneinndelingen fra 2024"),
    ],
)
def test_a_form_of_another_year_or_division_stops_the_run(
    tmp_path: Path, spec: FormSpec, words: str
) -> None:
    raw = _raw(tmp_path)
    file = tmp_path / spec.file_name
    file.write_bytes(write_form(spec))
    _catalogue_by_hand(raw, file)
    with pytest.raises(IngestError) as exc:
        run(raw, tmp_path / "out", year=2023, today=TODAY)
    assert words in str(exc.value) and "\n" not in str(exc.value)
    assert not (tmp_path / "out").exists()
    done = runner.invoke(
        app, ["ingest", "--raw", str(raw), "--out", str(tmp_path / "out"), "--year", "2023"]
    )
    assert done.exit_code == 2 and "Traceback" not in done.output and words in done.output


def test_a_form_catalogued_for_another_year_belongs_to_that_edition(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    file = tmp_path / "skjema-2024.xlsx"
    file.write_bytes(write_form(_spec(2024, 2024)))
    _catalogue_by_hand(raw, file, form_year=2024)
    summary = run(raw, tmp_path / "out", year=2023, today=TODAY)
    (form,) = [s for s in summary.sources if s.kind == "skjema"]
    assert form.rows_read is None  # not read for 2023


def test_a_file_that_is_not_a_form_is_refused(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    other = tmp_path / "liste.xlsx"
    wb = Workbook()
    wb.active.append(["Kommune", "Status"])
    wb.active.append(["Bergen", "i bruk"])
    wb.save(other)
    done = runner.invoke(app, ["skjema", "inn", str(other), "--raw", str(raw)])
    assert done.exit_code == 2 and "er ikke et statusskjema" in done.output
    assert "skjema" not in (raw / "sources.yaml").read_text(encoding="utf-8")
    _catalogue_by_hand(raw, other)
    with pytest.raises(IngestError, match="er ikke et statusskjema"):
        run(raw, tmp_path / "out", year=2023, today=TODAY)
