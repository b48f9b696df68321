"""HTTP access to the public sources of the reference data, and the shape checks on what they
return: SSB KLASS (classifications 131 municipalities, 104 counties, correspondence 582 -> 131
organisation numbers), SSB PxWebApi v2 (table 07459, population on 1 January) and Kartverket's
kommuneinfo API (municipality areas).

Only fetching and parsing live here; ``refresh`` decides what the data means. Every failure is a
``RefreshError`` whose message is one line in Norwegian ending with "Referansedataene er ikke
endret.", because the refresh writes nothing until everything has been fetched and checked.

Documented formats this module relies on (checked against the sources' own documentation):

* KLASS (https://data.ssb.no/api/klass/v1/api-guide.html): JSON only when asked for with
  ``Accept: application/json`` (the ``.json`` suffix is deprecated); ``codesAt?date=`` gives
  ``{"codes": [{"code", "parentCode", "level", "name", ...}]}``; ``changes?from=&to=`` lists
  the change tables between the versions that overlap the range (``from`` inclusive, ``to``
  exclusive) as ``{"codeChanges": [{"oldCode", "oldName", "newCode", "newName",
  "changeOccurred"}]}``; ``correspondsAt?targetClassificationId=&date=`` gives
  ``{"correspondenceItems": [{"sourceCode", "sourceName", "targetCode", "targetName"}]}`` and
  404 when no correspondence table covers the date. ``includeFuture=true`` lets a division that
  SSB has announced but that is not yet in force be fetched. Licence CC BY 4.0.
* PxWebApi v2 (https://www.ssb.no/api/api-mot-statistikkbanken--brukerveiledning): POST
  ``/tables/{id}/data?lang=no&outputFormat=json-stat2`` with ``{"selection": [{"variableCode",
  "valueCodes"}]}``; an eliminable variable left out of the selection (07459's ``Kjonn`` and
  ``Alder``) is summed. The answer is JSON-stat 2.0: ``id``, ``size``, ``dimension.<id>.category
  .index``, ``value`` in row-major order. At most 30 queries a minute; licence CC BY 4.0.
* kommuneinfo (https://ws.geonorge.no/kommuneinfo/v1): ``/kommuner/{nr}/omrade?utkoordsys=4258``
  gives ``{"kommunenummer", "kommunenavn", "omrade": {"type", "coordinates"}}`` for the division
  in force today, in ETRS89 longitude/latitude.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import shapely
from shapely.geometry import shape

from analysis import __version__
from analysis.errors import EhelseError

KLASS = "https://data.ssb.no/api/klass/v1"
PXWEB = "https://data.ssb.no/api/pxwebapi/v2"
KOMMUNEINFO = "https://ws.geonorge.no/kommuneinfo/v1"

MUNICIPALITIES = 131
COUNTIES = 104
ORGANISATION_NUMBERS = 582
POPULATION_TABLE = "07459"

UNCHANGED = "Referansedataene er ikke endret."
TIMEOUT_SECONDS = 30.0
ATTEMPTS = 3
BACKOFF_SECONDS = 1.0  # doubled per retry; tests set it to 0
RETRY_AFTER_CAP_SECONDS = 30.0

# ETRS89 longitude/latitude of mainland Norway with a margin; used to recognise swapped axes.
LON_RANGE = (2.0, 34.0)
LAT_RANGE = (56.0, 73.0)


class RefreshError(EhelseError):
    """A refresh that cannot go on; the message is the one line the user sees."""


class HttpStatusError(RefreshError):
    """The source answered, but with an error status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class ShapeError(RefreshError):
    """The source answered with something other than the documented format."""


@dataclass(frozen=True)
class Fetched:
    """A decoded JSON answer and the URL it came from (for messages and provenance)."""

    url: str
    data: Any


def _shortened(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class SourceClient:
    """httpx with a timeout, retries on connection errors, 429 and 5xx, and one-line errors."""

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        attempts: int | None = None,
        backoff: float | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._client = client or httpx.Client(
            timeout=TIMEOUT_SECONDS,
            follow_redirects=True,
            headers={"User-Agent": f"ehelsestatus/{__version__} (KS; ehelse refresh-reference)"},
        )
        self._owns_client = client is None
        self._attempts = attempts if attempts is not None else ATTEMPTS
        self._backoff = backoff
        self._sleep = sleep

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> SourceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait(self, attempt: int, response: httpx.Response | None) -> None:
        base = self._backoff if self._backoff is not None else BACKOFF_SECONDS
        delay = base * 2**attempt
        if response is not None and base > 0:
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.isdigit():
                delay = max(delay, min(float(retry_after), RETRY_AFTER_CAP_SECONDS))
        if delay > 0:
            (self._sleep or time.sleep)(delay)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> Fetched:
        """One JSON request; retried on connection errors, 429 and 5xx, then refused."""
        request = self._client.build_request(
            method,
            url,
            params=dict(params or {}),
            json=body,
            headers={"Accept": "application/json"},
        )
        shown = str(request.url)
        host = request.url.host
        response: httpx.Response | None = None
        for attempt in range(self._attempts):
            try:
                response = self._client.send(request)
            except httpx.TimeoutException as exc:
                if attempt + 1 < self._attempts:
                    self._wait(attempt, None)
                    continue
                raise RefreshError(
                    f"Fikk ikke svar fra {host} innen tidsfristen ({type(exc).__name__}). "
                    f"{UNCHANGED}"
                ) from exc
            except httpx.TransportError as exc:
                if attempt + 1 < self._attempts:
                    self._wait(attempt, None)
                    continue
                raise RefreshError(
                    f"Får ikke kontakt med {host} ({type(exc).__name__}: "
                    f"{_shortened(str(exc), 80)}). {UNCHANGED}"
                ) from exc
            if (response.status_code >= 500 or response.status_code == 429) and (
                attempt + 1 < self._attempts
            ):
                self._wait(attempt, response)
                continue
            break
        assert response is not None
        if response.status_code >= 400:
            detail = _shortened(response.text, 100)
            raise HttpStatusError(
                f"{host} svarte HTTP {response.status_code} på {shown}"
                + (f" ({detail})" if detail else "")
                + f". {UNCHANGED}",
                response.status_code,
            )
        try:
            data = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            kind = response.headers.get("Content-Type", "ukjent innholdstype")
            raise ShapeError(
                f"Uventet svar fra {shown}: ventet JSON, fikk {kind}. {UNCHANGED}"
            ) from exc
        return Fetched(shown, data)

    def get(self, url: str, params: Mapping[str, str] | None = None) -> Fetched:
        return self.request("GET", url, params=params)

    def post(self, url: str, params: Mapping[str, str], body: Any) -> Fetched:
        return self.request("POST", url, params=params, body=body)


# -- requests --------------------------------------------------------------------------------


def klass_codes_at(client: SourceClient, classification: int, on: date) -> Fetched:
    return client.get(
        f"{KLASS}/classifications/{classification}/codesAt",
        {"date": on.isoformat(), "includeFuture": "true"},
    )


def klass_changes(client: SourceClient, classification: int, start: date, end: date) -> Fetched:
    """Changes between the versions overlapping [start, end) (``to`` is exclusive in KLASS)."""
    return client.get(
        f"{KLASS}/classifications/{classification}/changes",
        {"from": start.isoformat(), "to": end.isoformat(), "includeFuture": "true"},
    )


def klass_corresponds_at(client: SourceClient, source: int, target: int, on: date) -> Fetched:
    return client.get(
        f"{KLASS}/classifications/{source}/correspondsAt",
        {"targetClassificationId": str(target), "date": on.isoformat(), "includeFuture": "true"},
    )


def pxweb_population(client: SourceClient, codes: Sequence[str], year: int) -> Fetched:
    """Persons per municipality on 1 January; sex and age are left out, so SSB sums them.

    POST rather than GET: 357 codes in ``valueCodes[Region]`` come close to the ~2100-character
    URL limit the PxWebApi guide warns about.
    """
    body = {
        "selection": [
            {"variableCode": "Region", "valueCodes": list(codes)},
            {"variableCode": "ContentsCode", "valueCodes": ["Personer1"]},
            {"variableCode": "Tid", "valueCodes": [str(year)]},
        ]
    }
    return client.post(
        f"{PXWEB}/tables/{POPULATION_TABLE}/data",
        {"lang": "no", "outputFormat": "json-stat2"},
        body,
    )


def kommuneinfo_area(client: SourceClient, code: str) -> Fetched:
    return client.get(f"{KOMMUNEINFO}/kommuner/{code}/omrade", {"utkoordsys": "4258"})


# -- parsing ---------------------------------------------------------------------------------


def _refuse(fetched: Fetched, expected: str, got: str) -> ShapeError:
    return ShapeError(
        f"Uventet svar fra {fetched.url}: ventet {expected}; fikk {_shortened(got, 80)}. {UNCHANGED}"
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


def _swap_if_lat_lon(geom: shapely.Geometry) -> shapely.Geometry:
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
        return _swap_if_lat_lon(geom)
    except _OutsideNorwayError as exc:
        raise _refuse(
            fetched, "koordinater i ETRS89 lengde/bredde innenfor Norge", str(exc)
        ) from exc
