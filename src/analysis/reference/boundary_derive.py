"""Boundaries for a later division derived from the embedded ones through the change files:
a renumbered or merged municipality is exact (the union of its predecessors); the successors
of a split share one drawn area, named in the map's caption. The result is cached and rebuilt
when any of its inputs changes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import shapely
from shapely.geometry import shape

from analysis import config
from analysis._io import file_sha256, replace_file
from analysis.fmt import date_text, join_names
from analysis.reference.areas import (
    EMBEDDED_DIVISION,
    Boundaries,
    BoundaryError,
    county_numbers,
    dissolve_counties,
    mismatch,
    municipality_names,
)
from analysis.reference.register import division_years, load_changes
from analysis.reference.simplify import (
    COORDINATE_DECIMALS,
    dissolve,
    feature_collection,
    geojson_geometry,
)

# Bump when the derivation changes in a way its inputs do not show.
DERIVE_METHOD: Final = "crosswalk-areas/1"


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


def _span(division: int) -> str:
    later = [y for y in division_years() if y > division]
    return f"{division}–{later[0] - 1}" if later else f"fra {division}"


def derived_note(shared: Sequence[tuple[str, Sequence[str]]], division: int) -> str:
    """The caption sentence for derived boundaries: (area name, split dates) per shared area."""
    span = _span(EMBEDDED_DIVISION)
    if not shared:
        return f"Kartet bruker grensene fra {span} med kommunenumrene for {division}."
    clauses = [
        f"{name}, som ble delt {join_names([date_text(date.fromisoformat(d)) for d in dates])}"
        for name, dates in shared
    ]
    if len(clauses) == 1:
        return f"Kartet bruker grensene fra {span}: {clauses[0]}, vises som ett område."
    listed = "; ".join(
        f"{name} (delt {join_names([date_text(date.fromisoformat(d)) for d in dates])})"
        for name, dates in shared
    )
    return f"Kartet bruker grensene fra {span}, og disse vises som ett område hver: {listed}."


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
        "embedded": geometry.source_stamp(geometry.source_path()),
        "files": {
            p.relative_to(reference_dir).as_posix(): (file_sha256(p) if p.is_file() else "")
            for p in files
        },
    }


def derived_boundaries(division: int, reference_dir: Path, cache_dir: Path) -> Boundaries:
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
    county_of = county_numbers(division)
    names = municipality_names(division)
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
        label = join_names([names[c] for c in members])
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
