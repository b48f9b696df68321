"""The source catalogue (data/raw/sources.yaml): every raw file, its kind and its origin.

Each entry becomes a ``Source``. The catalogue is checked as a whole before anything is read, so
a typo in one entry stops the run with one line naming the entry instead of half a run.
Unknown extra keys are kept (``extra``) and ignored, so tools that add their own bookkeeping do
not break the ingest.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis import config
from analysis.errors import EhelseError
from analysis.ingest.labels import SOLUTION_ID
from analysis.ingest.readers import file_problem
from analysis.safe_yaml import YamlError, load_yaml

# Kinds the ingest reads, and kinds it only checks and lists: reference and geometry are read
# by analysis.reference; standards (message-standard deadlines) are the source of the rule
# table analysis/metrics/data/meldingsversjoner.csv, which a test checks row by row against the file.
# errata (corrections to published editions) are read by the report (analysis.edition.colophon).
# "names" (navnetillegg.csv) is read first: the place names an analyst has confirmed.
# "skjema" (returned status forms) is read last: its answers are weighed against the others.
INGESTED_KINDS = (
    "names",
    "adoption",
    "messages",
    "ambitions",
    "measures",
    "published",
    "skjema",
)
PASSIVE_KINDS = ("reference", "geometry", "standards", "errata")
KINDS = INGESTED_KINDS + PASSIVE_KINDS
ORIGIN_FIELDS = ("title", "producer", "url", "date_accessed", "license")
PLANNED_EVENT_DATES = ("row", "accessed")
KNOWN_KEYS = {
    "id",
    "path",
    "kind",
    "synthetic",
    "solution",
    "columns",
    "county_hint",
    "sha256",
    "sheet",
    "note",
    "status_date",
    "portfolio_year",
    "planned_event_date",
    "counted_only",
    "row_types",
    "form_year",
    *ORIGIN_FIELDS,
}


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class CatalogueError(EhelseError, ValueError):
    """The catalogue cannot be used; the message names the entry and the problem."""


@dataclass(frozen=True)
class Source:
    """One catalogued raw file."""

    id: str
    path: str  # relative to the raw folder
    kind: str
    title: str
    producer: str
    url: str
    date_accessed: str  # ISO date
    license: str
    synthetic: bool
    solution: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    county_hint: tuple[str, ...] = ()
    sha256: str | None = None
    sheet: str | None = None
    note: str | None = None
    status_date: dt.date | None = None  # ambitions: the date the published status describes
    portfolio_year: int | None = None  # ambitions: the portfolio year (else status_date's year)
    planned_event_date: str = "row"  # adoption: "accessed" dates planned steps by date_accessed
    # published: keep only dated rows of a solution and step we count (the rest are rejected
    # with their reason), and only rows whose type column is one of row_types (when given).
    counted_only: bool = False
    row_types: tuple[str, ...] = ()
    form_year: int | None = None  # skjema: the report year the form was made for
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ingested(self) -> bool:
        return self.kind in INGESTED_KINDS

    @property
    def accessed(self) -> dt.date:
        return dt.date.fromisoformat(self.date_accessed)

    def origin(self) -> dict[str, Any]:
        """The fields the report's source list is made from."""
        return {
            "id": self.id,
            "kind": self.kind,
            "path": self.path,
            "title": self.title,
            "producer": self.producer,
            "url": self.url,
            "date_accessed": self.date_accessed,
            "license": self.license,
            "synthetic": self.synthetic,
            "note": self.note,
        }


@dataclass(frozen=True)
class Catalogue:
    path: Path
    sources: tuple[Source, ...]
    report_year: int | None = None

    @property
    def root(self) -> Path:
        return self.path.parent


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _iso_date(value: Any) -> dt.date | None:
    """A date written ÅÅÅÅ-MM-DD (the loader keeps dates as text), else None."""
    if isinstance(value, dt.date):
        return value
    text = _text(value) or ""
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _entry(raw: Any, index: int, where: Path) -> Source:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: oppføring nr. {index} er ikke en tabell av felt")
    ident = _text(raw.get("id"))
    name = f"{where}: kilden {ident!r}" if ident else f"{where}: oppføring nr. {index}"
    if not ident:
        raise CatalogueError(f"{name} mangler feltet 'id'")
    for key in ("path", "kind"):
        if not _text(raw.get(key)):
            raise CatalogueError(f"{name} mangler feltet {key!r}")
    kind = str(raw["kind"]).strip()
    if kind not in KINDS:
        raise CatalogueError(f"{name} har ukjent kind {kind!r}; kjente er {', '.join(KINDS)}")
    for key in (*ORIGIN_FIELDS, "id", "path", "kind", "note", "sheet", "solution"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str | int | float | dt.date):
            raise CatalogueError(
                f"{name}: feltet {key!r} må være tekst, ikke {type(value).__name__}"
            )
    missing = [k for k in ORIGIN_FIELDS if not _text(raw.get(k))]
    if missing:
        raise CatalogueError(f"{name} mangler opphavsfeltet {', '.join(missing)}")
    accessed = _text(raw["date_accessed"]) or ""
    if _iso_date(accessed) is None:
        raise CatalogueError(f"{name}: date_accessed {accessed!r} er ikke en dato (ÅÅÅÅ-MM-DD)")
    synthetic = raw.get("synthetic")
    if not isinstance(synthetic, bool):
        raise CatalogueError(f"{name}: synthetic må være true eller false, ikke {synthetic!r}")
    solution = _text(raw.get("solution"))
    if solution is not None and not SOLUTION_ID.match(solution):
        raise CatalogueError(f"{name}: solution {solution!r} er ikke en løsnings-id (a-z, 0-9, _)")
    columns = raw.get("columns") or {}
    if not isinstance(columns, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
    ):
        raise CatalogueError(f"{name}: columns må være vårt navn -> filens kolonnenavn")
    hint = raw.get("county_hint")
    hints: tuple[str, ...]
    if hint is None:
        hints = ()
    elif isinstance(hint, str | int):
        hints = (str(hint),)
    elif isinstance(hint, list) and all(isinstance(h, str | int) for h in hint):
        hints = tuple(str(h) for h in hint)
    else:
        raise CatalogueError(f"{name}: county_hint må være et fylke eller en liste av fylker")
    sha = _text(raw.get("sha256"))
    if sha is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", sha):
        raise CatalogueError(f"{name}: sha256 {sha!r} er ikke 64 heksadesimale tegn")
    status_date = raw.get("status_date")
    if status_date is not None:
        parsed = _iso_date(status_date)
        if parsed is None:
            raise CatalogueError(
                f"{name}: status_date {status_date!r} er ikke en dato (ÅÅÅÅ-MM-DD)"
            )
        status_date = parsed
    portfolio_year = raw.get("portfolio_year")
    if portfolio_year is not None and (
        isinstance(portfolio_year, bool)
        or not isinstance(portfolio_year, int)
        or not 1900 <= portfolio_year <= 2999
    ):
        raise CatalogueError(f"{name}: portfolio_year {portfolio_year!r} er ikke et årstall")
    planned = _text(raw.get("planned_event_date")) or "row"
    if planned not in PLANNED_EVENT_DATES:
        raise CatalogueError(
            f"{name}: planned_event_date må være {' eller '.join(PLANNED_EVENT_DATES)}"
        )
    counted_only = raw.get("counted_only", False)
    if not isinstance(counted_only, bool):
        raise CatalogueError(
            f"{name}: counted_only må være true eller false, ikke {counted_only!r}"
        )
    form_year = raw.get("form_year")
    if form_year is not None and (
        isinstance(form_year, bool)
        or not isinstance(form_year, int)
        or not 1900 <= form_year <= 2999
    ):
        raise CatalogueError(f"{name}: form_year {form_year!r} er ikke et årstall")
    types = raw.get("row_types") or []
    if not isinstance(types, list) or not all(isinstance(t, str) and t.strip() for t in types):
        raise CatalogueError(f"{name}: row_types må være en liste av typer (tekst)")
    path = _text(raw["path"]) or ""
    if Path(path).is_absolute() or ".." in Path(path).parts:
        raise CatalogueError(f"{name}: path {path!r} må være relativ til rådatamappen")
    return Source(
        id=ident,
        path=path,
        kind=kind,
        title=_text(raw["title"]) or "",
        producer=_text(raw["producer"]) or "",
        url=_text(raw["url"]) or "",
        date_accessed=accessed,
        license=_text(raw["license"]) or "",
        synthetic=synthetic,
        solution=solution,
        columns=dict(columns),
        county_hint=hints,
        sha256=sha.lower() if sha else None,
        sheet=_text(raw.get("sheet")),
        note=_text(raw.get("note")),
        status_date=status_date,
        portfolio_year=portfolio_year,
        planned_event_date=planned,
        counted_only=counted_only,
        row_types=tuple(t.strip() for t in types),
        form_year=form_year,
        extra={k: v for k, v in raw.items() if k not in KNOWN_KEYS},
    )


def load_catalogue(path: Path | str) -> Catalogue:
    """Read and check a catalogue; raise CatalogueError with one line on any problem."""
    path = Path(path)
    if not path.exists():
        raise CatalogueError(f"{path}: kildekatalogen finnes ikke")
    problem = file_problem(path)
    if problem:
        raise CatalogueError(f"{path}: {problem}")
    try:
        data = load_yaml(path)
    except YamlError as exc:
        raise CatalogueError(str(exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("sources", []), list):
        raise CatalogueError(f"{path}: forventet en tabell med listen 'sources'")
    try:
        year = config.catalogue_report_year(data, path)
    except EhelseError as exc:
        raise CatalogueError(str(exc)) from None
    sources = [_entry(e, i, path) for i, e in enumerate(data.get("sources") or [], start=1)]
    seen: set[str] = set()
    for s in sources:
        if s.id in seen:
            raise CatalogueError(f"{path}: kilden {s.id!r} står mer enn én gang")
        seen.add(s.id)
    return Catalogue(path, tuple(sources), year)


def source_file(raw: Path, source: Source, catalogue: Path | str = "sources.yaml") -> Path:
    """The file a source names, checked: inside the raw folder once every symlink is resolved,
    and a regular file (a FIFO, a device or a folder is named as what it is)."""
    path = raw / source.path
    where = f"(kilden {source.id!r} i {Path(catalogue).name})"
    try:
        real = path.resolve(strict=False)
        root = raw.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise CatalogueError(
            f"{path}: stien kan ikke følges ({type(exc).__name__}) {where}"
        ) from None
    if not real.is_relative_to(root):
        raise CatalogueError(
            f"{path}: peker ut av rådatamappen (til {real}) {where}; legg filen under {root}"
        )
    if not path.exists() and not path.is_symlink():
        raise CatalogueError(f"{path}: filen finnes ikke {where}")
    if not path.exists():
        raise CatalogueError(f"{path}: er en symbolsk lenke til en fil som ikke finnes {where}")
    problem = file_problem(path)
    if problem:
        raise CatalogueError(f"{path}: {problem} {where}")
    return path
