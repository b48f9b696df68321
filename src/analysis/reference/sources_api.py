"""HTTP access to the public sources of the reference data, and the shape checks on what they
return: SSB KLASS (classifications 131 municipalities, 104 counties, correspondence 582 -> 131
organisation numbers), SSB PxWebApi v2 (table 07459, population on 1 January) and Kartverket's
kommuneinfo API (municipality areas).

Only fetching lives here, and the shape checks of what comes back in
``analysis.reference.source_answers``; ``refresh`` decides what the data means. Every failure is a
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
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

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


def shortened(text: str, limit: int = 120) -> str:
    """Text on one line, cut with an ellipsis: a response body inside a one-line error."""
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
                    f"{shortened(str(exc), 80)}). {UNCHANGED}"
                ) from exc
            if (response.status_code >= 500 or response.status_code == 429) and (
                attempt + 1 < self._attempts
            ):
                self._wait(attempt, response)
                continue
            break
        assert response is not None
        if response.status_code >= 400:
            detail = shortened(response.text, 100)
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
