"""`ehelse skjema lag`: one form per county (or regional network), and the register of the
forms sent (``utsendt.csv`` in the output folder)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import polars as pl

from analysis import _io, config
from analysis.errors import EhelseError
from analysis.tools.skjema import guide
from analysis.tools.skjema.prefill import Region, form_activities, form_rows, known_steps, regions
from analysis.tools.skjema.write import FormSpec, prefill_counts, write_form

SENT: Final = "utsendt.csv"
SENT_COLUMNS: Final = (
    "skjema_id",
    "fil",
    "regiontype",
    "region",
    "regionnavn",
    "aar",
    "inndeling",
    "laget",
    "svarfrist",
    "kommuner",
    "rader",
    "forhandsutfylt",
    "syntetisk",
)
ANSWER_DAYS: Final = 28  # the default deadline: four weeks after the form is made


class FormMakeError(EhelseError, ValueError):
    """The forms cannot be made from these arguments (one line)."""


@dataclass(frozen=True)
class Made:
    path: Path
    spec: FormSpec
    counts: dict[str, int]


@dataclass
class Run:
    made: list[Made]
    sent: Path
    warnings: list[str] = field(default_factory=list)


def default_out(year: int) -> Path:
    """data/skjema/<year>/: the forms sent for a report year (outputs, not raw data)."""
    return config.DATA_DIR / "skjema" / str(year)


def _data(
    year: int, processed: Path | None
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, str], list[str]]:
    """kommuner, adopsjon and source titles of the year's processed data; without data the
    register's municipalities and no pre-fill (said in a warning)."""
    from analysis.edition.params import division_of, read_manifest
    from analysis.ingest.adoption import EVENT_SCHEMA
    from analysis.load import MissingDataError, data_dir, load_table, processed_dir
    from analysis.reference.municipalities import municipality_table

    folder = processed_dir(processed, year)
    try:
        p = data_dir(folder)
        manifest = read_manifest(p) or {}
        built = (manifest.get("parameters") or {}).get("division")
        if built is not None and int(built) != division_of(year):
            raise FormMakeError(
                f"Dataene i {folder} er lest inn på kommuneinndelingen fra {built}, men "
                f"rapportåret {year} bruker inndelingen fra {division_of(year)}: kjør "
                f"`ehelse ingest --year {year}` først"
            )
        kommuner = load_table("kommuner", p)
        adopsjon = load_table("adopsjon", p)
    except MissingDataError:
        note = (
            f"fant ingen innleste data i {folder}; skjemaene er ikke forhåndsutfylt (kjør "
            f"`ehelse ingest --year {year}` først for å fylle dem ut med det som er kjent)"
        )
        return municipality_table(year), pl.DataFrame(schema=EVENT_SCHEMA), {}, [note]
    titles = {
        str(s.get("id")): str(s.get("title") or s.get("id"))
        for s in manifest.get("sources") or []
        if isinstance(s, dict)
    }
    return kommuner, adopsjon, titles, []


def _chosen(all_regions: list[Region], region: str, per: str, division: int) -> list[Region]:
    if region.strip().casefold() in ("all", "alle"):
        return all_regions
    if per == "fylke":
        from analysis.reference.find import NotFoundError, find_county

        try:
            code, _ = find_county(region, division)
        except NotFoundError as exc:
            raise FormMakeError(f"--region: {exc}") from None
        return [r for r in all_regions if r.code == code]
    from analysis.reference.name_keys import name_key

    hits = [r for r in all_regions if name_key(region) in (name_key(r.code), name_key(r.name))]
    if not hits:
        names = ", ".join(f"{r.code} ({r.name})" for r in all_regions)
        raise FormMakeError(f"--region: ukjent nettverk {region!r}; nettverkene er {names}")
    return hits


def _sent_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return [dict(r) for r in csv.DictReader(fh)]


def sent_register(folder: Path) -> pl.DataFrame:
    """The forms sent from a folder (its utsendt.csv), or an empty frame."""
    rows = _sent_rows(folder / SENT)
    return pl.DataFrame(
        [{k: r.get(k) for k in SENT_COLUMNS} for r in rows],
        schema=dict.fromkeys(SENT_COLUMNS, pl.String),
    )


def make_forms(
    year: int,
    region: str = "all",
    out: Path | None = None,
    per: str = "fylke",
    created: dt.date | None = None,
    deadline: dt.date | None = None,
    contact: str | None = None,
    processed: Path | None = None,
) -> Run:
    """Write the forms and update the register of forms sent; returns what was made."""
    from analysis.edition.params import division_of
    from analysis.metrics.status import scope_members

    if per not in ("fylke", "nettverk"):
        raise FormMakeError(f"--per: {per!r} er ukjent; velg fylke eller nettverk")
    division = division_of(year)
    created = created or dt.date.today()
    deadline = deadline or created + dt.timedelta(days=ANSWER_DAYS)
    if deadline < created:
        raise FormMakeError(f"--frist: {deadline.isoformat()} er før skjemaet lages")
    out = _io.check_folder(out or default_out(year))
    kommuner, adopsjon, titles, warnings = _data(year, processed)
    chosen = _chosen(regions(kommuner, per), region, per, division)
    acts = form_activities()
    members = scope_members(kommuner)
    known = known_steps(adopsjon, created)
    synthetic_sources = (
        set(adopsjon.filter(pl.col("syntetisk"))["kilde_id"].unique().to_list())
        if adopsjon.height
        else set()
    )
    activity_rows = tuple(acts.select("losning", "navn", "telles_trinn").iter_rows())
    made: list[Made] = []
    _io.output_folder(out)
    for r in chosen:
        rows = form_rows(kommuner, r.municipalities, known, titles, acts, members)
        synthetic = any(row.kilde_id in synthetic_sources for row in rows)
        spec = FormSpec(
            r.regiontype,
            r.code,
            r.name,
            year,
            division,
            created,
            deadline,
            tuple(rows),
            contact or guide.DEFAULT_CONTACT,
            synthetic,
            activity_rows,
        )
        data = write_form(spec)
        path = _io.write_file(out / spec.file_name, _writer(data))
        made.append(Made(path, spec, prefill_counts(rows)))
    if any(m.spec.synthetic for m in made):
        warnings.append(
            "noen skjemaer er forhåndsutfylt fra syntetiske eksempeldata og er merket slik; "
            "send dem ikke til kommunene"
        )
    sent = _update_register(out, made)
    return Run(made, sent, warnings)


def _writer(data: bytes) -> Callable[[Path], int]:
    return lambda tmp: tmp.write_bytes(data)


def _update_register(out: Path, made: list[Made]) -> Path:
    """utsendt.csv with a row per form made; a form made again with the same id (same region,
    day and content) replaces its row, an earlier round keeps its own."""
    path = out / SENT
    new = {
        m.spec.form_id: {
            "skjema_id": m.spec.form_id,
            "fil": m.path.name,
            "regiontype": m.spec.regiontype,
            "region": m.spec.region,
            "regionnavn": m.spec.regionnavn,
            "aar": str(m.spec.year),
            "inndeling": str(m.spec.division),
            "laget": m.spec.created.isoformat(),
            "svarfrist": m.spec.deadline.isoformat(),
            "kommuner": str(m.counts["kommuner"]),
            "rader": str(m.counts["rader"]),
            "forhandsutfylt": str(m.counts["forhandsutfylt"]),
            "syntetisk": "ja" if m.spec.synthetic else "nei",
        }
        for m in made
    }
    old = [r for r in _sent_rows(path) if r.get("skjema_id") not in new]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=SENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in [*old, *new.values()]:
        writer.writerow({k: row.get(k, "") for k in SENT_COLUMNS})
    try:
        return _io.replace_file(path, buf.getvalue())
    except OSError as exc:
        raise _io.OutputError(f"{path}: kan ikke skrive registeret ({_io.describe(exc)})") from None
