"""Map boundaries for any municipal division, and data moved onto the areas a map draws.

``boundaries(division)`` looks, in order, for:

1. ``data/raw/reference/<division>/kommuner.geojson`` (and ``fylker.geojson``), written by
   ``ehelse refresh-reference`` from Kartverket or from a boundary file the analyst imported;
2. the embedded boundaries, for the division they belong to (2020, in force 2020-2023);
3. boundaries derived from the embedded ones through the change files of every division
   since. A renumbered or merged municipality is exact (the union of its predecessors). A
   municipality that was split cannot be drawn apart, so its successors share one area (in
   2024: 1508 Ålesund and 1580 Haram, both from 1507); which codes share is read from the
   change files, never listed here. Counties are dissolved from the areas by the division's
   own county numbers. The result is cached like the embedded boundaries.

A map draws areas, not municipalities: ``to_areas`` moves a municipal frame onto them, so
the map itself never converts data. Divisions before the embedded one would need the merged
municipalities taken apart, which boundaries cannot do: they need real boundaries.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Final

import polars as pl
import shapely
from shapely.geometry import shape

from analysis import config
from analysis._io import replace_file
from analysis.reference.register import (
    county_names,
    division_for,
    division_years,
    load_changes,
    load_register,
)
from analysis.reference.simplify import (
    COORDINATE_DECIMALS,
    Feature,
    dissolve,
    dumps,
    feature_collection,
    geojson_geometry,
)

EMBEDDED_DIVISION: Final = 2020
MUNICIPALITY_FILE: Final = "kommuner.geojson"
COUNTY_FILE: Final = "fylker.geojson"
PROVENANCE_FILE: Final = "grenser.source.md"
# The foreign member of a written FeatureCollection that says where it came from.
META_KEY: Final = "ehelse"
# Bump when the derivation changes in a way its inputs do not show.
DERIVE_METHOD: Final = "crosswalk-areas/1"
MONTHS: Final = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
                 "september", "oktober", "november", "desember")  # fmt: skip


class BoundaryError(ValueError):
    """Boundaries that do not fit their division (one line, naming the file)."""


@dataclass(frozen=True, eq=False)
class Boundaries:
    """What a map of one division draws. Feature ids are area ids: a municipality's number,
    or its numbers joined with "+" where several municipalities share one drawn area."""

    division: int
    municipalities: dict[str, Any]  # FeatureCollection of the areas
    counties: dict[str, Any]  # FeatureCollection of the division's counties (2-digit ids)
    area_of: Mapping[str, str]  # kommunenummer -> area id
    area_names: Mapping[str, str]  # area id -> display name ("Ålesund og Haram")
    county_of: Mapping[str, str]  # area id -> fylkesnummer
    derived: bool
    note: str | None  # bokmål, for the map caption when derived
    attribution: str  # bokmål, source and licence (the report's appendix)
    credit: str | None = None  # bokmål, the short credit under a map, when not the above

    @property
    def members(self) -> dict[str, tuple[str, ...]]:
        """Area id -> the municipalities it holds."""
        out: dict[str, list[str]] = defaultdict(list)
        for code, area in sorted(self.area_of.items()):
            out[area].append(code)
        return {k: tuple(v) for k, v in out.items()}

    @property
    def shared(self) -> dict[str, tuple[str, ...]]:
        """The areas that hold more than one municipality."""
        return {k: v for k, v in self.members.items() if len(v) > 1}


def boundaries(division: int) -> Boundaries:
    """The boundaries of a division (a year is mapped to its division first)."""
    division = division_for(division)
    return _boundaries(division, config.REFERENCE_DIR, _cache_dir())


def clear_cache() -> None:
    """Forget loaded boundaries (after a refresh or an import)."""
    _boundaries.cache_clear()


def _cache_dir() -> Path:
    return config.CACHE_DIR / "geo"


@cache
def _boundaries(division: int, reference_dir: Path, cache_dir: Path) -> Boundaries:
    real = read_real(division, reference_dir)
    if real is not None:
        return real
    if division == EMBEDDED_DIVISION:
        return _embedded()
    return _derived(division, reference_dir, cache_dir)


def _names(division: int) -> dict[str, str]:
    return dict(load_register(division).select("kommunenummer", "kommunenavn").iter_rows())


def _counties_of(division: int) -> dict[str, str]:
    return dict(load_register(division).select("kommunenummer", "fylkesnummer").iter_rows())


def _embedded() -> Boundaries:
    from analysis.reference import geometry  # geometry imports this module

    municipalities = geometry.load_municipality_geojson()
    codes = [str(f["id"]) for f in municipalities["features"]]
    names = _names(EMBEDDED_DIVISION)
    return Boundaries(
        division=EMBEDDED_DIVISION,
        municipalities=municipalities,
        counties=geometry.load_county_geojson(),
        area_of={c: c for c in codes},
        area_names={c: names.get(c, c) for c in codes},
        county_of={c: c[:2] for c in codes},
        derived=False,
        note=None,
        attribution=geometry.SOURCE.attribution,
        credit=geometry.SOURCE.credit,
    )


# -- real boundaries written by refresh-reference --------------------------------------------


def default_attribution(division: int) -> str:
    return f"Kommunegrenser {division}: © Kartverket (CC BY 4.0); forenklet."


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BoundaryError(f"{path}: kan ikke leses som GeoJSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise BoundaryError(f"{path}: ventet en GeoJSON FeatureCollection")
    return data


def mismatch(
    path: Path | str, what: str, found: Sequence[str], wanted: Sequence[str], division: int
) -> str:
    """The one-line complaint about numbers that do not match the division, or ''."""
    missing = sorted(set(wanted) - set(found))
    unknown = sorted(set(found) - set(wanted))
    if not missing and not unknown:
        return ""
    parts = []
    if missing:
        parts.append(f"mangler {', '.join(missing[:12])}" + (" …" if len(missing) > 12 else ""))
    if unknown:
        parts.append(f"ukjente {', '.join(unknown[:12])}" + (" …" if len(unknown) > 12 else ""))
    return f"{path}: {what} stemmer ikke med inndelingen for {division}: " + "; ".join(parts)


def read_real(division: int, reference_dir: Path) -> Boundaries | None:
    folder = reference_dir / str(division)
    path = folder / MUNICIPALITY_FILE
    if not path.is_file():
        return None
    data = _read_json(path)
    codes = [str(f.get("id")) for f in data["features"]]
    county_of = _counties_of(division)
    problem = mismatch(path, "kommunenumrene", codes, list(county_of), division)
    if problem:
        raise BoundaryError(problem)
    county_path = folder / COUNTY_FILE
    if county_path.is_file():
        counties = _read_json(county_path)
        ids = [str(f.get("id")) for f in counties["features"]]
        problem = mismatch(
            county_path, "fylkesnumrene", ids, sorted(set(county_of.values())), division
        )
        if problem:
            raise BoundaryError(problem)
        counties = feature_collection(counties["features"])
    else:
        counties = feature_collection(dissolve_counties(data["features"], county_of, division))
    meta = data.get(META_KEY)
    meta = meta if isinstance(meta, dict) else {}
    names = _names(division)
    return Boundaries(
        division=division,
        municipalities=feature_collection(data["features"]),
        counties=counties,
        area_of={c: c for c in codes},
        area_names={c: names[c] for c in codes},
        county_of={c: county_of[c] for c in codes},
        derived=False,
        note=None,
        attribution=str(meta.get("attribution") or default_attribution(division)),
    )


def dissolve_counties(
    features: Sequence[Mapping[str, Any]],
    county_of: Mapping[str, str],
    division: int,
    names: Mapping[str, str] | None = None,
) -> list[Feature]:
    """The division's counties as the union of their areas, so the borders coincide."""
    parts: dict[str, list[shapely.Geometry]] = defaultdict(list)
    for f in features:
        parts[county_of[str(f["id"])]].append(shape(f["geometry"]))
    names = names or county_names(division)
    geoms = dissolve(dict(sorted(parts.items())), COORDINATE_DECIMALS)
    return [
        {
            "type": "Feature",
            "id": county,
            "properties": {"fylkesnummer": county, "fylkesnavn": names.get(county, county)},
            "geometry": geojson_geometry(geom),
        }
        for county, geom in geoms.items()
    ]


def collection_text(features: Sequence[Feature], attribution: str, division: int) -> str:
    """A FeatureCollection as written under data/raw/reference/<division>/."""
    collection = feature_collection(features) | {
        META_KEY: {"division": division, "attribution": attribution}
    }
    return dumps(collection)


# -- derived boundaries ----------------------------------------------------------------------


@dataclass
class _Areas:
    members: dict[str, tuple[str, ...]]  # representative -> codes in the target division
    bases: dict[str, tuple[str, ...]]  # representative -> embedded codes it is drawn from
    splits: dict[str, list[str]]  # representative -> the dates of the splits it holds


def _areas(division: int, base_codes: Sequence[str]) -> _Areas:
    """Follow every embedded code through the change files: codes linked by a split or a
    merger end up in one group, whose union of embedded shapes is the drawn area."""
    parent = {c: c for c in base_codes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    current = {c: c for c in base_codes}  # code of the division reached -> a base code
    split_dates: list[tuple[str, str]] = []
    for step in (y for y in division_years() if EMBEDDED_DIVISION < y <= division):
        rows = load_changes(step).select("gammelt_nummer", "nytt_nummer", "gyldig_fra")
        following: dict[str, str] = {}
        successors: dict[str, set[str]] = defaultdict(set)
        for old, new, valid in rows.iter_rows():
            if old not in current:
                raise BoundaryError(
                    f"{config.REFERENCE_DIR / str(step) / 'endringer.csv'}: {old} finnes ikke "
                    "i forrige inndeling, så kartgrensene kan ikke avledes"
                )
            rep = find(current[old])
            if new in following:
                parent[find(rep)] = find(following[new])
            else:
                following[new] = rep
            if successors[old] and new not in successors[old]:
                split_dates.append((rep, valid))
            successors[old].add(new)
        lost = sorted(set(current) - set(successors))
        if lost:
            raise BoundaryError(f"Endringsfilen for {step} mangler {', '.join(lost[:10])}")
        current = following
    members: dict[str, list[str]] = defaultdict(list)
    for code, base in sorted(current.items()):
        members[find(base)].append(code)
    bases: dict[str, list[str]] = defaultdict(list)
    for code in base_codes:
        bases[find(code)].append(code)
    splits: dict[str, list[str]] = defaultdict(list)
    for rep, valid in split_dates:
        if valid not in splits[find(rep)]:
            splits[find(rep)].append(valid)
    return _Areas(
        {k: tuple(v) for k, v in members.items()},
        {k: tuple(bases[k]) for k in members},
        dict(splits),
    )


def _long_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]


def _span(division: int) -> str:
    later = [y for y in division_years() if y > division]
    return f"{division}–{later[0] - 1}" if later else f"fra {division}"


def derived_note(shared: Sequence[tuple[str, Sequence[str]]], division: int) -> str:
    """The caption sentence for derived boundaries: (area name, split dates) per shared area."""
    span = _span(EMBEDDED_DIVISION)
    if not shared:
        return f"Kartet bruker grensene fra {span} med kommunenumrene for {division}."
    clauses = [
        f"{name}, som ble delt {_join([_long_date(d) for d in dates])}" for name, dates in shared
    ]
    if len(clauses) == 1:
        return f"Kartet bruker grensene fra {span}: {clauses[0]}, vises som ett område."
    listed = "; ".join(
        f"{name} (delt {_join([_long_date(d) for d in dates])})" for name, dates in shared
    )
    return f"Kartet bruker grensene fra {span}, og disse vises som ett område hver: {listed}."


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def _inputs(division: int, reference_dir: Path) -> dict[str, Any]:
    """Everything a derived result depends on; any difference means rebuild."""
    from analysis.reference import geometry

    files = [reference_dir / "fylker.csv", reference_dir / str(division) / "kommuner.csv"]
    files += [
        reference_dir / str(y) / "endringer.csv"
        for y in division_years()
        if EMBEDDED_DIVISION < y <= division
    ]
    return {
        "method": DERIVE_METHOD,
        "embedded": geometry._sidecar(geometry.source_path()),
        "files": {p.relative_to(reference_dir).as_posix(): _sha256(p) for p in files},
    }


def _derived(division: int, reference_dir: Path, cache_dir: Path) -> Boundaries:
    from analysis.reference import geometry

    if division < EMBEDDED_DIVISION:
        raise BoundaryError(
            f"Ingen kommunegrenser for inndelingen {division}: grensene fra "
            f"{_span(EMBEDDED_DIVISION)} kan ikke deles opp i kommunene før sammenslåingene"
        )
    path = cache_dir / f"grenser_{division}_avledet.json"
    inputs = _inputs(division, reference_dir)
    stored: dict[str, Any] | None = None
    if path.is_file():
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stored = None
    if stored is None or stored.get("inputs") != inputs:
        stored = _derive(division, geometry.load_municipality_geojson()) | {"inputs": inputs}
        replace_file(path, json.dumps(stored, ensure_ascii=False, separators=(",", ":")))
    return Boundaries(
        division=division,
        municipalities=stored["municipalities"],
        counties=stored["counties"],
        area_of=stored["area_of"],
        area_names=stored["area_names"],
        county_of=stored["county_of"],
        derived=True,
        note=stored["note"],
        attribution=geometry.SOURCE.attribution,
        credit=geometry.SOURCE.credit,
    )


def _derive(division: int, embedded: Mapping[str, Any]) -> dict[str, Any]:
    by_code = {str(f["id"]): f for f in embedded["features"]}
    groups = _areas(division, sorted(by_code))
    county_of = _counties_of(division)
    names = _names(division)
    problem = mismatch(
        f"endringene fram til {division}",
        "kommunenumrene",
        [c for m in groups.members.values() for c in m],
        list(county_of),
        division,
    )
    if problem:
        raise BoundaryError(problem)
    area_of: dict[str, str] = {}
    area_names: dict[str, str] = {}
    area_county: dict[str, str] = {}
    merged: dict[str, list[shapely.Geometry]] = {}
    reps: dict[str, str] = {}
    for rep, members in groups.members.items():
        area = "+".join(members)
        reps[area] = rep
        counties = sorted({county_of[c] for c in members})
        label = _join([names[c] for c in members])
        if len(counties) > 1:
            raise BoundaryError(
                f"{label} ligger i flere fylker ({', '.join(counties)}), så grensene fra "
                f"{_span(EMBEDDED_DIVISION)} kan ikke vise fylkene i {division}; importer "
                f"kommunegrenser med ehelse refresh-reference --year {division} --boundaries FIL"
            )
        area_of |= dict.fromkeys(members, area)
        area_names[area] = label
        area_county[area] = counties[0]
        if len(groups.bases[rep]) > 1:
            merged[area] = [shape(by_code[b]["geometry"]) for b in groups.bases[rep]]
    unions = dissolve(merged, COORDINATE_DECIMALS)
    features = []
    for area in sorted(area_names):
        parts = area.split("+")
        geometry = (
            geojson_geometry(unions[area])
            if area in unions
            else by_code[groups.bases[reps[area]][0]]["geometry"]
        )
        features.append(
            {
                "type": "Feature",
                "id": area,
                "properties": {"omrade": area, "navn": area_names[area], "kommuner": parts},
                "geometry": geometry,
            }
        )
    shared = [
        (area_names[a], groups.splits.get(reps[a], [])) for a in sorted(area_names) if "+" in a
    ]
    return {
        "municipalities": feature_collection(features),
        "counties": feature_collection(dissolve_counties(features, area_county, division)),
        "area_of": area_of,
        "area_names": area_names,
        "county_of": area_county,
        "note": derived_note(shared, division),
    }


# -- data onto the drawn areas ---------------------------------------------------------------


def to_areas(
    frame: pl.DataFrame,
    b: Boundaries,
    value: str,
    order: Sequence[str] | None = None,
    code: str = "kommunenummer",
) -> pl.DataFrame:
    """One row per drawn area holding at least one of the frame's municipalities, with
    columns ``omrade`` (area id), ``navn`` (area name) and ``value``.

    Where an area holds several municipalities the values combine: numbers sum (null if any
    member's is null, as the total is then unknown); any other value takes the *least
    advanced* of the members' according to ``order``, which lists the categories from most to
    least advanced (as the map's legend does), a null counting as below all of them, so the
    area never claims more than its weakest member. Without ``order``, members that differ
    are an error. Members the frame does not have are left out: the frame sets the scope.
    """
    for col in (code, value):
        if col not in frame.columns:
            raise KeyError(f"Kolonnen {col!r} finnes ikke; fant {frame.columns}")
    codes = frame[code].cast(pl.String)
    unknown = sorted(set(codes.drop_nulls()) - set(b.area_of))
    if unknown or codes.null_count():
        raise KeyError(
            f"Kommunenummer {unknown[:10] or [None]} finnes ikke i kartgrunnlaget for "
            f"inndelingen {b.division}"
        )
    dupes = sorted(set(codes.filter(codes.is_duplicated())))
    if dupes:
        raise ValueError(f"Kommunenummer {dupes[:10]} står mer enn én gang i rammen")
    df = frame.select(pl.col(code).cast(pl.String), value).with_columns(
        omrade=pl.col(code).replace_strict(dict(b.area_of), return_dtype=pl.String)
    )
    dtype = frame.schema[value]
    if dtype.is_numeric():
        combined = pl.when(pl.col(value).null_count() > 0).then(None).otherwise(pl.col(value).sum())
    else:
        if order is not None:
            rank = {v: i for i, v in enumerate(order)}
            strange = sorted({str(v) for v in df[value].drop_nulls().to_list() if v not in rank})
            if strange:
                raise ValueError(f"Verdier som ikke står i order: {strange}")
            df = df.with_columns(
                _rang=pl.col(value)
                .replace_strict(rank, default=len(rank), return_dtype=pl.Int64)
                .fill_null(len(rank))
            )
            combined = pl.col(value).sort_by("_rang").last()
        else:
            differ = (
                df.group_by("omrade")
                .agg(pl.col(value).n_unique().alias("n"))
                .filter(pl.col("n") > 1)["omrade"]
                .sort()
                .to_list()
            )
            if differ:
                raise ValueError(
                    f"Områdene {differ} har kommuner med ulike verdier i {value!r}; oppgi "
                    "order (mest til minst framskreden) for å slå dem sammen"
                )
            combined = pl.col(value).first()
    out = df.group_by("omrade").agg(combined.alias(value)).sort("omrade")
    names = dict(b.area_names)
    return out.select(
        "omrade",
        pl.col("omrade").replace_strict(names, return_dtype=pl.String).alias("navn"),
        value,
    )
