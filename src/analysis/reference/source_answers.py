"""The shape checks on what the reference sources return (documented formats: see
``analysis.reference.sources_api``): KLASS codes, changes and correspondences, JSON-stat 2.0
values from PxWebApi and kommuneinfo's areas. Anything else is a one-line ``ShapeError``."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import shapely
from shapely.geometry import shape

from analysis.reference.sources_api import UNCHANGED, Fetched, ShapeError, shortened

# ETRS89 longitude/latitude of mainland Norway with a margin; used to recognise swapped axes.
LON_RANGE = (2.0, 34.0)
LAT_RANGE = (56.0, 73.0)


def _refuse(fetched: Fetched, expected: str, got: str) -> ShapeError:
    return ShapeError(
        f"Uventet svar fra {fetched.url}: ventet {expected}; fikk {shortened(got, 80)}. {UNCHANGED}"
    )


def _shape_of(value: Any) -> str:
    if isinstance(value, dict):
        return "et objekt med nøklene " + ", ".join(sorted(map(str, value))[:8])
    if isinstance(value, list):
        return f"en liste med {len(value)} elementer"
    return f"{type(value).__name__} {value!r}"


def _records(fetched: Fetched, key: str, fields: Sequence[str]) -> list[dict[str, Any]]:
    data = fetched.data
    expected = f'et objekt med listen "{key}" av objekter med {", ".join(fields)}'
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise _refuse(fetched, expected, _shape_of(data))
    rows: list[dict[str, Any]] = data[key]
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or any(f not in row for f in fields):
            raise _refuse(fetched, expected, f"element {i}: {_shape_of(row)}")
    return rows


@dataclass(frozen=True)
class KlassCode:
    code: str
    name: str


@dataclass(frozen=True)
class KlassChange:
    old_code: str | None
    old_name: str | None
    new_code: str | None
    new_name: str | None
    occurred: date


def _stripped(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def parse_codes(fetched: Fetched) -> list[KlassCode]:
    """The codes of a KLASS ``codesAt`` answer."""
    rows = _records(fetched, "codes", ("code", "name"))
    out = []
    for i, row in enumerate(rows):
        code, name = _stripped(row["code"]), _stripped(row["name"])
        if code is None or name is None:
            raise _refuse(fetched, "kode og navn i hvert element", f"element {i}: {row!r}")
        out.append(KlassCode(code, name))
    return out


def parse_changes(fetched: Fetched) -> list[KlassChange]:
    """The code changes of a KLASS ``changes`` answer (an empty list is a valid answer)."""
    rows = _records(fetched, "codeChanges", ("oldCode", "newCode", "changeOccurred"))
    out = []
    for i, row in enumerate(rows):
        try:
            occurred = date.fromisoformat(str(row["changeOccurred"]))
        except ValueError as exc:
            raise _refuse(
                fetched, "changeOccurred som ÅÅÅÅ-MM-DD", f"element {i}: {row['changeOccurred']!r}"
            ) from exc
        old, new = _stripped(row["oldCode"]), _stripped(row["newCode"])
        if old is None and new is None:
            raise _refuse(fetched, "oldCode eller newCode i hvert element", f"element {i}: {row}")
        out.append(
            KlassChange(
                old, _stripped(row.get("oldName")), new, _stripped(row.get("newName")), occurred
            )
        )
    return out


def parse_correspondence(fetched: Fetched) -> dict[str, list[str]]:
    """Target code -> source codes of a KLASS ``correspondsAt`` answer."""
    rows = _records(fetched, "correspondenceItems", ("sourceCode", "targetCode"))
    out: dict[str, list[str]] = {}
    for row in rows:
        source, target = _stripped(row["sourceCode"]), _stripped(row["targetCode"])
        if source and target:
            out.setdefault(target, []).append(source)
    return out


def _category_index(fetched: Fetched, dim_id: str, dim: Any) -> dict[str, int]:
    expected = f"dimension.{dim_id}.category.index (objekt eller liste)"
    category = dim.get("category") if isinstance(dim, dict) else None
    index = category.get("index") if isinstance(category, dict) else None
    if isinstance(index, dict) and all(isinstance(v, int) for v in index.values()):
        return {str(k): int(v) for k, v in index.items()}
    if isinstance(index, list):
        return {str(k): i for i, k in enumerate(index)}
    if index is None and isinstance(category, dict) and isinstance(category.get("label"), dict):
        # JSON-stat allows a single-category dimension to give only a label.
        labels = category["label"]
        if len(labels) == 1:
            return {str(next(iter(labels))): 0}
    raise _refuse(fetched, expected, _shape_of(index))


def parse_jsonstat_values(
    fetched: Fetched, by: str, fixed: Mapping[str, str] | None = None
) -> dict[str, float | None]:
    """Values of a JSON-stat 2.0 dataset along one dimension; every other dimension must hold
    exactly one category (``fixed`` names the ones that must be a given code), so a value is
    never silently one of several sexes or ages."""
    data = fetched.data
    expected = "JSON-stat 2.0 (class dataset med id, size, dimension og value)"
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("id"), list)
        or not isinstance(data.get("size"), list)
        or not isinstance(data.get("dimension"), dict)
        or "value" not in data
    ):
        raise _refuse(fetched, expected, _shape_of(data))
    ids = [str(i) for i in data["id"]]
    sizes = data["size"]
    if len(ids) != len(sizes) or not all(isinstance(s, int) and s >= 0 for s in sizes):
        raise _refuse(fetched, "like mange id som size", f"id {ids}, size {sizes}")
    if by not in ids:
        raise _refuse(fetched, f"dimensjonen {by}", f"dimensjonene {ids}")
    indexes = {}
    for dim_id, size in zip(ids, sizes, strict=True):
        if dim_id not in data["dimension"]:
            raise _refuse(fetched, f"dimension.{dim_id}", _shape_of(data["dimension"]))
        index = _category_index(fetched, dim_id, data["dimension"][dim_id])
        if len(index) != size:
            raise _refuse(
                fetched, f"{size} kategorier i {dim_id} (size)", f"{len(index)} i category.index"
            )
        if dim_id != by and size != 1:
            raise _refuse(
                fetched,
                f"én kategori i {dim_id} (summert av SSB)",
                f"{size}: {', '.join(list(index)[:5])}",
            )
        wanted = (fixed or {}).get(dim_id)
        if wanted is not None and list(index) != [wanted]:
            raise _refuse(fetched, f"{dim_id} = {wanted}", ", ".join(index))
        indexes[dim_id] = index
    total = math.prod(sizes)
    raw = data["value"]
    if isinstance(raw, dict):  # JSON-stat's sparse form: position -> value
        values: list[Any] = [raw.get(str(i)) for i in range(total)]
    elif isinstance(raw, list) and len(raw) == total:
        values = raw
    else:
        raise _refuse(fetched, f"value med {total} verdier", _shape_of(raw))
    # Row-major order: the stride of a dimension is the product of the sizes after it.
    stride = math.prod(sizes[ids.index(by) + 1 :])
    out: dict[str, float | None] = {}
    for code, pos in indexes[by].items():
        value = values[pos * stride]
        if value is not None and not isinstance(value, int | float):
            raise _refuse(fetched, f"tall i value for {by} {code}", repr(value))
        out[code] = value
    return out


class _OutsideNorwayError(ValueError):
    """Coordinates that are neither longitude/latitude nor latitude/longitude in Norway."""


def swap_if_lat_lon(geom: shapely.Geometry) -> shapely.Geometry:
    """kommuneinfo's axis order is not stated for EPSG:4258; Norway tells them apart, because
    its longitudes and latitudes do not overlap."""
    coords = shapely.get_coordinates(geom)
    if coords.size == 0:
        raise _OutsideNorwayError("ingen koordinater")
    xs, ys = coords[:, 0], coords[:, 1]

    def inside(a: Any, lo_hi: tuple[float, float]) -> bool:
        return bool((a >= lo_hi[0]).all() and (a <= lo_hi[1]).all())

    if inside(xs, LON_RANGE) and inside(ys, LAT_RANGE):
        return geom
    if inside(xs, LAT_RANGE) and inside(ys, LON_RANGE):
        return shapely.transform(geom, lambda xy: xy[:, ::-1])
    raise _OutsideNorwayError(f"x {xs.min():.1f}–{xs.max():.1f}, y {ys.min():.1f}–{ys.max():.1f}")


def parse_area(fetched: Fetched, code: str) -> shapely.Geometry:
    """The area of one municipality from kommuneinfo, as longitude/latitude."""
    data = fetched.data
    expected = 'et objekt med "omrade" (GeoJSON Polygon eller MultiPolygon)'
    area = data.get("omrade") if isinstance(data, dict) else None
    if not isinstance(area, dict) or area.get("type") not in ("Polygon", "MultiPolygon"):
        raise _refuse(fetched, expected, _shape_of(area if area is not None else data))
    stated = _stripped(data.get("kommunenummer"))
    if stated is not None and stated != code:
        raise _refuse(fetched, f"kommunenummer {code}", stated)
    try:
        geom = shape({"type": area["type"], "coordinates": area.get("coordinates")})
    except (TypeError, ValueError, IndexError, AttributeError) as exc:
        raise _refuse(fetched, expected, f"ugyldige koordinater ({exc})") from exc
    try:
        return swap_if_lat_lon(geom)
    except _OutsideNorwayError as exc:
        raise _refuse(
            fetched, "koordinater i ETRS89 lengde/bredde innenfor Norge", str(exc)
        ) from exc
