"""What a map of one division draws: its areas and counties (``Boundaries``), the checks that
boundaries fit the division, and municipal frames moved onto the drawn areas (``to_areas``),
so the map itself never converts data. Where the boundaries come from:
``analysis.reference.boundaries``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import polars as pl
import shapely
from shapely.geometry import shape

from analysis.reference.register import county_names, load_register
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


def municipality_names(division: int) -> dict[str, str]:
    """Kommunenummer -> kommunenavn in the division."""
    return dict(load_register(division).select("kommunenummer", "kommunenavn").iter_rows())


def county_numbers(division: int) -> dict[str, str]:
    """Kommunenummer -> fylkesnummer in the division."""
    return dict(load_register(division).select("kommunenummer", "fylkesnummer").iter_rows())


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
