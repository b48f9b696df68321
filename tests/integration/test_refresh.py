"""`ehelse refresh-reference`: a new division from SSB and Kartverket, replayed from recorded
responses (tests/fixtures/refresh, a made-up 2026 division in the documented formats).

Every test runs against a copy of data/raw/reference and sources.yaml under tmp_path; the
network is never touched (respx answers every request, and refuses any other).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import polars as pl
import pytest
import respx
import shapely
import yaml
from shapely.geometry import shape
from typer.testing import CliRunner

from analysis import config
from analysis.cli import app
from analysis.reference import sources_api
from analysis.reference.crosswalk import crosswalk, translate
from analysis.reference.population import population
from analysis.reference.refresh import (
    clear_reference_caches,
    norwegian_part,
    refresh,
    split_name,
    update_catalogue,
    update_counties,
)
from analysis.reference.register import division_years, load_changes, load_register
from analysis.reference.resolve import resolver
from analysis.reference.sources_api import KLASS, KOMMUNEINFO, PXWEB, RefreshError, SourceClient

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "refresh"
TODAY = date(2026, 3, 1)


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("refresh_fixture_build", FIXTURES / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_builder()


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def raw(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A scratch copy of the reference folder and the catalogue, with config pointed at it."""
    raw = tmp_path / "data" / "raw"
    shutil.copytree(REPO / "data" / "raw" / "reference", raw / "reference")
    shutil.copy2(REPO / "data" / "raw" / "sources.yaml", raw / "sources.yaml")
    monkeypatch.setattr(config, "RAW_DIR", raw)
    monkeypatch.setattr(config, "REFERENCE_DIR", raw / "reference")
    monkeypatch.setattr(config, "CATALOGUE", raw / "sources.yaml")
    monkeypatch.setattr(sources_api, "BACKOFF_SECONDS", 0.0)
    clear_reference_caches()
    yield raw
    monkeypatch.undo()
    clear_reference_caches()


def snapshot(raw: Path) -> dict[str, str]:
    """Every file under the scratch data/raw with its hash."""
    return {
        p.relative_to(raw).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(raw.rglob("*"))
        if p.is_file()
    }


def area(names: dict[str, str]) -> Any:
    positions = {code: i for i, code in enumerate(sorted(names))}

    def respond(request: httpx.Request, code: str) -> httpx.Response:
        if code not in names:
            return httpx.Response(404, text=f"Fant ikke kommune {code}")
        return httpx.Response(200, json=build.area_response(code, names[code], positions[code]))

    return respond


@pytest.fixture
def api(raw: Path) -> Iterator[dict[str, respx.Route]]:
    """The five sources answering with the recorded 2026 responses."""
    codes = fixture("klass_131_codesAt_2026.json")
    names = {c["code"]: c["name"] for c in codes["codes"]}
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        routes = {
            "counties": mock.get(f"{KLASS}/classifications/104/codesAt").respond(
                json=fixture("klass_104_codesAt_2026.json")
            ),
            "codes": mock.get(f"{KLASS}/classifications/131/codesAt").respond(json=codes),
            "changes": mock.get(f"{KLASS}/classifications/131/changes").respond(
                json=fixture("klass_131_changes_2024_2026.json")
            ),
            "orgnr": mock.get(f"{KLASS}/classifications/582/correspondsAt").respond(
                json=fixture("klass_582_correspondsAt_2026.json")
            ),
            "population": mock.post(f"{PXWEB}/tables/07459/data").respond(
                json=fixture("pxweb_07459_2026.json")
            ),
            "areas": mock.get(url__regex=rf"^{KOMMUNEINFO}/kommuner/(?P<code>\d{{4}})/omrade").mock(
                side_effect=area(names)
            ),
        }
        yield routes


def client() -> SourceClient:
    return SourceClient(backoff=0.0)


def test_refresh_yields_a_division_the_resolver_uses(
    raw: Path, api: dict[str, respx.Route]
) -> None:
    result = refresh(2026, client=client(), boundaries=False, today=TODAY)
    assert result.previous == 2024 and result.municipalities == 356
    assert 2026 in division_years()

    r = resolver(2026)
    merged = r.resolve("Sør-Helgeland")
    assert (merged.match, merged.kommunenummer) == ("exact", "1899")
    assert r.resolve("Bindal").kommunenummer == "1899"
    assert r.resolve("Bindal").match == "historical"
    stavanger = r.resolve("1103")
    assert (stavanger.match, stavanger.kommunenummer) == ("historical", "1190")
    assert r.resolve("Stavanger").kommunenummer == "1190"
    # KLASS's joined Sámi names and county qualifiers became the register's columns.
    assert r.resolve("Kautokeino").kommunenummer == "5612"
    assert r.resolve("Guovdageaidnu").match == "exact"
    herøy = r.resolve("Herøy", county="Nordland")
    assert (herøy.match, herøy.kommunenummer) == ("exact", "1818")
    # The organisation number from KLASS 582 resolves too.
    assert r.resolve("964338531").kommunenummer == "4601"

    reg = load_register(2026).filter(pl.col("kommunenummer").is_in(["5612", "5622", "1818"]))
    rows = {row["kommunenummer"]: row for row in reg.iter_rows(named=True)}
    assert rows["5612"]["kommunenavn_norsk"] == "Kautokeino"
    assert rows["5612"]["parallelle_navn"] == ["Guovdageaidnu"]
    assert rows["5622"]["parallelle_navn"] == ["Porsáŋgu", "Porsanki"]
    assert rows["1818"]["kommunenavn"] == "Herøy" and rows["1818"]["fylkesnavn"] == "Nordland"

    # The crosswalk carries 2024 codes into 2026, and 2026 codes back.
    cw = dict(crosswalk(2024, 2026).select("fra_nummer", "til_nummer").iter_rows())
    assert cw["1811"] == cw["1812"] == "1899"
    assert cw["1103"] == "1190" and cw["0301"] == "0301"
    assert set(translate("1899", 2026, 2023).targets) == {"1811", "1812"}
    # KLASS 104 writes "Nordland - Nordlánnda": the county file did not change.
    assert (raw / "reference" / "fylker.csv").read_bytes() == (
        REPO / "data" / "raw" / "reference" / "fylker.csv"
    ).read_bytes()


def test_requests_follow_the_documented_api(raw: Path, api: dict[str, respx.Route]) -> None:
    refresh(2026, client=client(), boundaries=False, today=TODAY)
    for key in ("counties", "codes", "changes", "orgnr"):
        request = api[key].calls.last.request
        assert request.headers["Accept"] == "application/json"
        assert ".json" not in request.url.path
    assert api["codes"].calls.last.request.url.params["date"] == "2026-01-01"
    changes = api["changes"].calls.last.request.url.params
    # from inclusive, to exclusive: every version from the 2024 one to the 2026 one.
    assert (changes["from"], changes["to"]) == ("2024-01-01", "2026-01-02")
    body = json.loads(api["population"].calls.last.request.content)
    selection = {s["variableCode"]: s["valueCodes"] for s in body["selection"]}
    assert selection["Tid"] == ["2026"] and selection["ContentsCode"] == ["Personer1"]
    assert len(selection["Region"]) == 356 and "Kjonn" not in selection
    assert api["population"].calls.last.request.url.params["outputFormat"] == "json-stat2"


def test_change_file_maps_every_2024_code(raw: Path, api: dict[str, respx.Route]) -> None:
    refresh(2026, client=client(), boundaries=False, today=TODAY)
    changes = load_changes(2026)
    assert set(changes["gammelt_nummer"]) == set(load_register(2024)["kommunenummer"])
    kinds = dict(changes.select("gammelt_nummer", "endring").iter_rows())
    assert kinds["1811"] == kinds["1812"] == "sammenslaing"
    assert kinds["1103"] == "nytt_nummer"
    assert {k for c, k in kinds.items() if c not in {"1811", "1812", "1103"}} == {"uendret"}
    reg = pl.read_csv(raw / "reference" / "2026" / "kommuner.csv", infer_schema=False)
    assert reg.filter(pl.col("kommunenummer") == "1899")["kommunenummer_2025"].item() == (
        "1811|1812"
    )


def test_population_sums(raw: Path, api: dict[str, respx.Route]) -> None:
    result = refresh(2026, client=client(), boundaries=False, today=TODAY)
    recorded = fixture("pxweb_07459_2026.json")["value"]
    assert result.population_total == sum(recorded)
    pop = population(2026, 2026)
    assert pop["befolkning"].sum() == sum(recorded) and pop.height == 356
    # The 2024 population carried into the new division sums the merged municipalities.
    pop_2024 = dict(
        pl.read_csv(raw / "reference" / "2024" / "befolkning.csv", infer_schema=False)
        .select("kommunenummer", pl.col("befolkning").cast(pl.Int64))
        .iter_rows()
    )
    carried = dict(population(2026, 2024).select("kommunenummer", "befolkning").iter_rows())
    assert carried["1899"] == pop_2024["1811"] + pop_2024["1812"]
    assert carried["1190"] == pop_2024["1103"]


def test_catalogue_gets_entries_and_keeps_the_rest(raw: Path, api: dict[str, respx.Route]) -> None:
    before_text = (raw / "sources.yaml").read_text(encoding="utf-8")
    before = yaml.safe_load(before_text)
    refresh(2026, client=client(), boundaries=False, today=TODAY)
    text = (raw / "sources.yaml").read_text(encoding="utf-8")
    after = yaml.safe_load(text)
    assert text.startswith(before_text.splitlines()[0])  # the comment header is kept
    assert after["report_year"] == before["report_year"]
    ids = [e["id"] for e in after["sources"]]
    assert ids[: len(before["sources"])] == [e["id"] for e in before["sources"]]
    assert after["sources"][: len(before["sources"])] == before["sources"]
    new = {e["id"]: e for e in after["sources"][len(before["sources"]) :]}
    assert set(new) == {"kommuner_2026", "kommuneendringer_2026", "befolkning_2026"}
    for entry in new.values():
        assert entry["date_accessed"] == TODAY and entry["synthetic"] is False
        assert (raw / entry["path"]).is_file()
        assert entry["license"] == "CC BY 4.0"
    assert new["kommuner_2026"]["url"].startswith(f"{KLASS}/classifications/131/codesAt")
    # The ingest's catalogue reader accepts the new entries.
    from analysis.ingest.catalogue import load_catalogue

    listed = {s.id: s.kind for s in load_catalogue(raw / "sources.yaml").sources}
    assert {k: listed[k] for k in new} == dict.fromkeys(new, "reference")
    source_md = (raw / "reference" / "2026" / "refresh.source.md").read_text(encoding="utf-8")
    assert "2026-03-01" in source_md and "sammenslaing 2" in source_md


def test_boundaries_are_simplified_and_keyed_by_code(
    raw: Path, api: dict[str, respx.Route]
) -> None:
    result = refresh(2026, client=client(), population=False, today=TODAY)
    path = raw / "reference" / "2026" / "kommuner.geojson"
    assert path.stat().st_size < 1_000_000 and result.boundary_bytes == path.stat().st_size
    data = json.loads(path.read_text(encoding="utf-8"))
    codes = [f["properties"]["kommunenummer"] for f in data["features"]]
    assert codes == sorted(load_register(2026)["kommunenummer"])
    assert api["areas"].call_count == 356
    geoms = [shape(f["geometry"]) for f in data["features"]]
    assert all(g.is_valid and not g.is_empty for g in geoms)
    # The grid's neighbours still touch and do not overlap after simplification.
    union = shapely.union_all(geoms)
    assert union.area == pytest.approx(sum(g.area for g in geoms), rel=1e-9)
    entry = next(
        e
        for e in yaml.safe_load((raw / "sources.yaml").read_text(encoding="utf-8"))["sources"]
        if e["id"] == "grenser_2026"
    )
    assert entry["path"] == "reference/2026/kommuner.geojson" and entry["kind"] == "geometry"
    # The maps read what the refresh wrote: real boundaries, counties beside them.
    from analysis.reference.geometry import boundaries

    counties = json.loads((path.parent / "fylker.geojson").read_text(encoding="utf-8"))
    assert [f["id"] for f in counties["features"]] == sorted(
        load_register(2026)["fylkesnummer"].unique()
    )
    b = boundaries(2026)
    assert not b.derived and b.note is None and "kommuneinfo" in b.attribution
    assert [f["id"] for f in b.municipalities["features"]] == codes
    assert len(b.counties["features"]) == len(counties["features"])


def test_offline_fails_cleanly_with_nothing_changed(raw: Path) -> None:
    before = snapshot(raw)
    with respx.mock(assert_all_mocked=True) as mock:
        mock.route(host="data.ssb.no").mock(
            side_effect=httpx.ConnectError("[Errno -3] Temporary failure in name resolution")
        )
        with pytest.raises(RefreshError) as err:
            refresh(2026, client=client(), today=TODAY)
    message = str(err.value)
    assert message.startswith("Får ikke kontakt med data.ssb.no (ConnectError")
    assert message.endswith("Referansedataene er ikke endret.") and "\n" not in message
    assert snapshot(raw) == before
    assert division_years() == (2019, 2020, 2024)


def test_http_500_is_retried_then_refused(raw: Path, api: dict[str, respx.Route]) -> None:
    before = snapshot(raw)
    api["population"].respond(500, text="Internal Server Error")
    with pytest.raises(RefreshError, match=r"data\.ssb\.no svarte HTTP 500") as err:
        refresh(2026, client=client(), boundaries=False, today=TODAY)
    assert api["population"].call_count == sources_api.ATTEMPTS
    assert "Referansedataene er ikke endret." in str(err.value)
    assert snapshot(raw) == before


def test_a_later_good_answer_after_a_503_is_used(raw: Path, api: dict[str, respx.Route]) -> None:
    api["changes"].side_effect = [
        httpx.Response(503, text="Service Unavailable"),
        httpx.Response(200, json=fixture("klass_131_changes_2024_2026.json")),
    ]
    result = refresh(2026, client=client(), boundaries=False, today=TODAY)
    assert api["changes"].call_count == 2 and result.change_counts["sammenslaing"] == 2


@pytest.mark.parametrize(
    ("route", "answer", "expected"),
    [
        ("codes", {"items": []}, 'listen "codes"'),
        ("changes", {"codeChanges": [{"oldCode": "1811"}]}, "changeOccurred"),
        ("population", {"class": "collection"}, "JSON-stat 2.0"),
    ],
)
def test_wrong_shape_is_refused_naming_what_was_expected(
    raw: Path, api: dict[str, respx.Route], route: str, answer: dict[str, Any], expected: str
) -> None:
    before = snapshot(raw)
    api[route].respond(json=answer)
    with pytest.raises(RefreshError) as err:
        refresh(2026, client=client(), boundaries=False, today=TODAY)
    assert "Uventet svar fra" in str(err.value) and "ventet" in str(err.value)
    assert expected in str(err.value)
    assert snapshot(raw) == before


def test_population_by_sex_is_refused(raw: Path, api: dict[str, respx.Route]) -> None:
    """A table that was not summed over sex would double the population: refused."""
    data = fixture("pxweb_07459_2026.json")
    data["id"].insert(1, "Kjonn")
    data["size"].insert(1, 2)
    data["dimension"]["Kjonn"] = {"category": {"index": {"1": 0, "2": 1}}}
    data["value"] = [v for v in data["value"] for _ in (0, 1)]
    api["population"].respond(json=data)
    with pytest.raises(RefreshError, match="ventet én kategori i Kjonn"):
        refresh(2026, client=client(), boundaries=False, today=TODAY)


def test_changes_that_do_not_explain_the_division_are_refused(
    raw: Path, api: dict[str, respx.Route]
) -> None:
    before = snapshot(raw)
    api["changes"].respond(json={"codeChanges": []})
    with pytest.raises(RefreshError, match=r"1103, 1811, 1812 finnes ikke 1\.1\.2026") as err:
        refresh(2026, client=client(), boundaries=False, today=TODAY)
    assert "ventet at hver kommune" in str(err.value)
    assert snapshot(raw) == before


def test_unchanged_division_writes_only_uendret(raw: Path) -> None:
    """2025 with the same municipalities as 2024: the folder is still written (population)."""
    codes = build.klass_codes(build.division_2024())
    pop_2024 = {
        r["kommunenummer"]: int(r["befolkning"]) + 7
        for r in build.read_csv(REPO / "data" / "raw" / "reference" / "2024" / "befolkning.csv")
    }
    with respx.mock(assert_all_mocked=True) as mock:
        mock.get(f"{KLASS}/classifications/104/codesAt").respond(json=build.counties_response(2025))
        mock.get(f"{KLASS}/classifications/131/codesAt").respond(
            json=build.codes_response(codes, "2024-01-01")
        )
        mock.get(f"{KLASS}/classifications/131/changes").respond(json={"codeChanges": []})
        mock.get(f"{KLASS}/classifications/582/correspondsAt").respond(
            404, text="Correspondence table not found"
        )
        mock.post(f"{PXWEB}/tables/07459/data").respond(
            json=build.jsonstat_response(pop_2024, dict(codes), 2025)
        )
        result = refresh(2025, client=client(), boundaries=False, today=TODAY)
    changes = load_changes(2025)
    assert changes.height == 357 and set(changes["endring"]) == {"uendret"}
    assert set(changes["gyldig_fra"]) == {"2025-01-01"}
    assert result.population_total == sum(pop_2024.values())
    # Without KLASS 582, organisation numbers carry over, and the note says so.
    reg_2025 = dict(load_register(2025).select("kommunenummer", "organisasjonsnummer").iter_rows())
    reg_2024 = dict(load_register(2024).select("kommunenummer", "organisasjonsnummer").iter_rows())
    assert reg_2025 == reg_2024
    assert any("korrespondanse 582" in n for n in result.notes)
    assert resolver(2025).resolve("Bergen").kommunenummer == "4601"


def test_existing_or_older_year_is_refused(raw: Path) -> None:
    with pytest.raises(RefreshError, match="--force"):
        refresh(2024, client=client(), today=TODAY)
    with pytest.raises(RefreshError, match="nyeste"):
        refresh(2022, client=client(), today=TODAY)


def test_split_names_and_norwegian_part() -> None:
    counties = {"nordland", "møreogromsdal"}
    assert split_name("Herøy (Nordland)", counties) == ["Herøy"]
    assert split_name("Porsanger - Porsáŋgu - Porsanki") == ["Porsanger", "Porsáŋgu", "Porsanki"]
    assert split_name("Aurskog-Høland") == ["Aurskog-Høland"]
    # A parenthesis that is not a county stays part of the name.
    assert split_name("Nes (Sentrum)", counties) == ["Nes (Sentrum)"]
    parts = ["Guovdageaidnu", "Kautokeino"]
    assert norwegian_part(parts, preferred=["Kautokeino"]) == ("Kautokeino", False)
    assert norwegian_part(parts, known=["Kautokeino", "Bergen"]) == ("Kautokeino", False)
    # Nothing known: the one part without Sámi letters, flagged as a guess.
    assert norwegian_part(["Gáivuotna", "Kåfjord"]) == ("Kåfjord", True)


def test_update_counties_appends_new_and_closes_gone() -> None:
    fylker = pl.DataFrame(
        {
            "fylkesnummer": ["03", "30", "31", "32"],
            "fylkesnavn": ["Oslo", "Viken", "Østfold", "Akershus"],
            "fra_aar": [2019, 2020, 2024, 2024],
            "til_aar": [None, 2023, None, None],
        },
        schema_overrides={"til_aar": pl.Int64},
    )
    rows, notes = update_counties(
        fylker, {"03": "Oslo", "31": "Østfold", "33": "Nytt fylke", "30": "Viken"}, 2027
    )
    by = {(r["fylkesnummer"], r["fra_aar"]): r for r in rows}
    assert by[("03", 2019)]["til_aar"] is None
    assert by[("32", 2024)]["til_aar"] == 2026  # gone from 2027
    assert by[("33", 2027)]["til_aar"] is None and by[("33", 2027)]["fylkesnavn"] == "Nytt fylke"
    assert by[("30", 2020)]["til_aar"] == 2023 and by[("30", 2027)]["fylkesnavn"] == "Viken"
    assert len(notes) == 3


def test_update_catalogue_replaces_own_entries_only() -> None:
    text = (
        "# header comment\nreport_year: 2023\nsources:\n"
        "  - id: a\n    path: x.csv\n    # a comment inside\n"
        "  - id: kommuner_2026\n    path: old.csv\n"
        "  - id: b\n    path: y.csv\n"
    )
    entry = {"id": "kommuner_2026", "path": "reference/2026/kommuner.csv", "title": "T: med kolon"}
    new = update_catalogue(text, [entry, {"id": "grenser_2026", "path": "g.geojson"}])
    data = yaml.safe_load(new)
    assert [e["id"] for e in data["sources"]] == ["a", "kommuner_2026", "b", "grenser_2026"]
    assert data["sources"][1]["title"] == "T: med kolon"
    assert "# header comment" in new and "# a comment inside" in new


runner = CliRunner()


def test_cli_refresh_and_offline(raw: Path, api: dict[str, respx.Route]) -> None:
    result = runner.invoke(app, ["refresh-reference", "--year", "2026", "--skip-boundaries"])
    assert result.exit_code == 0, result.output
    assert "356 kommuner" in result.output and "sammenslaing: 2" in result.output
    again = runner.invoke(app, ["refresh-reference", "--year", "2026", "--skip-boundaries"])
    assert again.exit_code == 2 and "--force" in again.output
    assert "Traceback" not in again.output


def test_cli_offline_exits_2_with_one_line(raw: Path) -> None:
    before = snapshot(raw)
    with respx.mock(assert_all_mocked=True) as mock:
        mock.route().mock(side_effect=httpx.ConnectError("Name or service not known"))
        result = runner.invoke(app, ["refresh-reference", "--year", "2026"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Feil:")]
    assert errors == lines[-1:]  # progress lines first, then one line that says why
    assert "Får ikke kontakt med data.ssb.no" in errors[0]
    assert "Traceback" not in result.output
    assert snapshot(raw) == before
