"""`ehelse refresh-reference --year Y --boundaries FILE`: boundaries the analyst downloaded,
checked against the division's register, repaired, simplified and written where
``analysis.reference.boundaries`` reads them first (``data/raw/reference/<Y>/``).

Accepted layouts (GeoJSON, longitude/latitude in degrees, EPSG:4326 or 4258):

* a FeatureCollection whose features carry ``kommunenummer`` (Kartverket's administrative
  units as Geonorge's OGC API and robhop/fylker-og-kommuner publish them);
* an object holding such a FeatureCollection under any key (Geonorge's download files,
  e.g. ``{"Kommune": {...}}``);
* a list of kommuneinfo answers, ``{"kommunenummer", "omrade": {...}}`` (what
  ``refresh-reference`` fetches per municipality).

Several features with one number are joined. Invalid polygons are repaired (make_valid).
Counties come from ``--county-boundaries FILE`` (``fylkesnummer``) or are dissolved from the
municipalities.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape

from analysis import config
from analysis._io import file_sha256, replace_file
from analysis.reference import boundaries as bnd
from analysis.reference.areas import (
    COUNTY_FILE,
    MUNICIPALITY_FILE,
    PROVENANCE_FILE,
    collection_text,
    dissolve_counties,
    mismatch,
)
from analysis.reference.register import DivisionError, county_names, division_for, load_register
from analysis.reference.simplify import polygonal, simplify_features
from analysis.reference.source_answers import swap_if_lat_lon
from analysis.reference.sources_api import UNCHANGED, RefreshError


@dataclass
class ImportResult:
    year: int
    municipalities: int
    counties: int
    repaired: int
    folder: Path

    def summary(self) -> str:
        return (
            f"Skrev kommunegrensene for {self.year} til {self.folder}: {self.municipalities} "
            f"kommuner og {self.counties} fylker ({self.repaired} ugyldige flater reparert)."
        )


def _features(data: Any) -> list[dict[str, Any]] | None:
    """The features of whichever layout the file has, as (properties, geometry) dicts."""
    if isinstance(data, list):
        if all(isinstance(r, dict) and isinstance(r.get("omrade"), dict) for r in data):
            return [{"properties": r, "geometry": r["omrade"]} for r in data]
        return None
    if not isinstance(data, dict):
        return None
    if data.get("type") == "FeatureCollection" and isinstance(data.get("features"), list):
        return list(data["features"])
    for value in data.values():
        found = _features(value) if isinstance(value, dict) else None
        if found:
            return found
    return None


def _prop(props: Mapping[str, Any], key: str) -> Any:
    for k, v in props.items():
        if k.lower() == key:
            return v
    return None


def read_boundary_file(path: Path, key: str, digits: int) -> tuple[dict[str, Any], int]:
    """Number -> repaired geometry, and how many features needed repair."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RefreshError(f"{path}: kan ikke leses som GeoJSON ({exc}). {UNCHANGED}") from exc
    features = _features(data)
    if not features:
        raise RefreshError(
            f"{path}: ventet en GeoJSON FeatureCollection med {key} i egenskapene. {UNCHANGED}"
        )
    parts: dict[str, list[shapely.Geometry]] = defaultdict(list)
    repaired = 0
    for i, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        raw = _prop(props, key) if isinstance(props, dict) else None
        code = str(raw).zfill(digits) if isinstance(raw, int) else str(raw or "").strip()
        if not re.fullmatch(rf"\d{{{digits}}}", code):
            raise RefreshError(
                f"{path}: objekt {i} har ikke {key} med {digits} sifre (fant {raw!r}). {UNCHANGED}"
            )
        try:
            geom = shape(feature["geometry"])
            geom = swap_if_lat_lon(geom)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RefreshError(
                f"{path}: objekt {i} ({key} {code}) har ikke flater i lengde/bredde innenfor "
                f"Norge (EPSG:4326/4258; {exc}). {UNCHANGED}"
            ) from exc
        if not geom.is_valid:
            repaired += 1
        geom = polygonal(geom)
        if geom.is_empty:
            raise RefreshError(f"{path}: {key} {code} har ingen flate. {UNCHANGED}")
        parts[code].append(geom)
    joined = {c: g[0] if len(g) == 1 else polygonal(shapely.union_all(g)) for c, g in parts.items()}
    return dict(sorted(joined.items())), repaired


def _provenance(
    year: int,
    files: list[Path],
    counts: tuple[int, int],
    repaired: int,
    dissolved: bool,
    today: date,
) -> str:
    lines = [
        f"# {year}/: kommunegrenser importert med `ehelse refresh-reference --year {year} "
        "--boundaries`",
        "",
        f"Importert {today.isoformat()} fra en fil analytikeren lastet ned.",
        "",
        "## Kildefiler",
        "",
    ]
    lines += [f"- `{p.name}` (sha256 {file_sha256(p)})" for p in files]
    lines += [
        "",
        "## Filer",
        "",
        f"- `{MUNICIPALITY_FILE}`: {counts[0]} kommuner, reparert (make_valid) og forenklet "
        "med samme metode og toleranse som kartlaget i `analysis.reference.simplify`.",
        f"- `{COUNTY_FILE}`: {counts[1]} fylker, "
        + ("slått sammen av kommunene." if dissolved else "forenklet fra fylkesfilen."),
        "",
        "## Kontroller",
        "",
        f"- Kommunenumrene er de samme som i registeret for {year}"
        + ("" if dissolved else ", fylkesnumrene de samme som registerets fylker")
        + ".",
        f"- {repaired} ugyldige flater i kildefilene ble reparert.",
    ]
    return "\n".join(lines) + "\n"


def _entries(
    year: int, counts: tuple[int, int], files: list[Path], today: date
) -> list[dict[str, Any]]:
    try:
        relative = config.REFERENCE_DIR.relative_to(config.RAW_DIR).as_posix()
    except ValueError:
        relative = config.REFERENCE_DIR.name
    common = {
        "kind": "geometry",
        "producer": "Kartverket, administrative enheter (importert fil, se "
        f"{relative}/{year}/{PROVENANCE_FILE}); forenklet som kartlaget",
        "url": "https://kartkatalog.geonorge.no",
        "date_accessed": today,
        "license": "CC BY 4.0",
        "synthetic": False,
    }
    return [
        {
            "id": f"grenser_{year}",
            "path": f"{relative}/{year}/{MUNICIPALITY_FILE}",
            "title": f"Kommunegrenser {year} ({counts[0]} kommuner), forenklet, fra {files[0].name}",
        }
        | common,
        {
            "id": f"fylkesgrenser_{year}",
            "path": f"{relative}/{year}/{COUNTY_FILE}",
            "title": f"Fylkesgrenser {year} ({counts[1]} fylker), forenklet",
        }
        | common,
    ]


def import_boundaries(
    year: int,
    municipalities: Path,
    counties: Path | None = None,
    *,
    attribution: str | None = None,
    today: date | None = None,
) -> ImportResult:
    """Check, repair, simplify and write one division's boundaries; see the module doc."""
    from analysis.reference.refresh import clear_reference_caches, update_catalogue

    today = today or date.today()
    clear_reference_caches()
    try:
        known = division_for(year) == year
    except DivisionError:
        known = False
    if not known:
        raise RefreshError(
            f"Inndelingen for {year} finnes ikke i referansedataene; hent den først med "
            f"ehelse refresh-reference --year {year}. {UNCHANGED}"
        )
    register = load_register(year)
    county_of = dict(register.select("kommunenummer", "fylkesnummer").iter_rows())
    names = dict(register.select("kommunenummer", "kommunenavn").iter_rows())
    areas, repaired = read_boundary_file(municipalities, "kommunenummer", 4)
    problem = mismatch(municipalities, "kommunenumrene", list(areas), list(county_of), year)
    if problem:
        raise RefreshError(f"{problem}. {UNCHANGED}")
    features = simplify_features([(c, names[c], g) for c, g in areas.items()])
    wanted_counties = sorted(set(county_of.values()))
    if counties is None:
        county_features = dissolve_counties(features, county_of, year)
    else:
        shapes, fixed = read_boundary_file(counties, "fylkesnummer", 2)
        repaired += fixed
        problem = mismatch(counties, "fylkesnumrene", list(shapes), wanted_counties, year)
        if problem:
            raise RefreshError(f"{problem}. {UNCHANGED}")
        names_of = county_names(year)
        county_features = [
            {
                "type": "Feature",
                "id": f["id"],
                "properties": {"fylkesnummer": f["id"], "fylkesnavn": names_of[f["id"]]},
                "geometry": f["geometry"],
            }
            for f in simplify_features([(c, names_of[c], g) for c, g in shapes.items()])
        ]
    text = attribution or bnd.default_attribution(year)
    folder = config.REFERENCE_DIR / str(year)
    files = [municipalities, *([counties] if counties else [])]
    counts = (len(features), len(county_features))
    catalogue_old = (
        config.CATALOGUE.read_text(encoding="utf-8") if config.CATALOGUE.exists() else ""
    )
    catalogue = update_catalogue(catalogue_old, _entries(year, counts, files, today))
    provenance = _provenance(year, files, counts, repaired, counties is None, today)
    try:
        replace_file(folder / MUNICIPALITY_FILE, collection_text(features, text, year))
        replace_file(folder / COUNTY_FILE, collection_text(county_features, text, year))
        replace_file(folder / PROVENANCE_FILE, provenance)
        replace_file(config.CATALOGUE, catalogue)
    except OSError as exc:
        raise RefreshError(f"Kunne ikke skrive kommunegrensene ({exc})") from exc
    bnd.clear_cache()
    return ImportResult(year, counts[0], counts[1], repaired, folder)
