"""Returned status forms (source kind ``skjema``): every row an answer, kept or rejected.

A row is one municipality and activity. Compared with what the form was pre-filled with, it
is ``endret`` (step or date changed), ``bekreftet`` (unchanged and marked «ja» in
Kontrollert), ``kommentert`` (unchanged, only a comment) or ``ubesvart`` (untouched). Every
kept row goes to ``skjema_svar`` with its provenance; which answers become adoption events is
settled across all forms and the registry sources afterwards (``skjema_rules.settle``).

A form for another report year or division than the run, or a file that is not a form,
stops the run with one line; a form catalogued for another year (``form_year``) belongs to
that year's edition and is not read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import polars as pl

from analysis.ingest import skjema_layout as lay
from analysis.ingest.catalogue import Source
from analysis.ingest.common import (
    REASON,
    Context,
    IngestError,
    RowError,
    SourceResult,
    check_duplicates,
    reject_records,
    rejects_from,
    resolve_frame,
    start_checks,
)
from analysis.ingest.labels import NO_STEP, label_key, parse_date, parse_solution, parse_status
from analysis.ingest.readers import ROW
from analysis.ingest.skjema_read import FormError, FormFile, Prefill, read_form
from analysis.reference import county_names, division_for
from analysis.schemas import TRINN

ANSWERED = ("endret", "bekreftet")
SVAR = ("endret", "bekreftet", "kommentert", "ubesvart")
FORMS_SCHEMA: dict[str, Any] = {
    "kilde_id": pl.String,
    "fil": pl.String,
    "skjema_id": pl.String,
    "regiontype": pl.String,
    "region": pl.String,
    "regionnavn": pl.String,
    "aar": pl.Int64,
    "inndeling": pl.Int64,
    "laget": pl.Date,
    "mottatt": pl.Date,
    "kobling": pl.String,
    "lagret_som": pl.String,
    "rader": pl.Int64,
    "kommuner": pl.Int64,
    "merknad": pl.String,
    "syntetisk": pl.Boolean,
}
ANSWER_SCHEMA: dict[str, Any] = {
    "kilde_id": pl.String,
    "skjema_id": pl.String,
    "region": pl.String,
    "rad": pl.Int64,
    "kommunenummer": pl.String,
    "losning": pl.String,
    "svar": pl.String,
    "trinn": pl.String,
    "dato": pl.Date,
    "dato_presisjon": pl.String,
    "forhand_trinn": pl.String,
    "forhand_dato": pl.Date,
    "forhand_kilde": pl.String,
    "kommentar": pl.String,
    "mottatt": pl.Date,
    "telles": pl.Boolean,
    "grunn": pl.String,
    "syntetisk": pl.Boolean,
}
# Carried from a form's rows to its events, dropped before the table is written.
PRIVATE: dict[str, Any] = {"kommune_inndata": pl.String, "treff": pl.String}
STEP_CHOICES = ", ".join(lay.STEP_LABELS.values())


def _step(text: str | None, column: str | None) -> str | None:
    """A step from the form's words or a typed variant; ikke_startet for «ikke startet»."""
    if text is None:
        return None
    if label_key(text) in (label_key(lay.STEP_LABELS[lay.NOT_STARTED]), lay.NOT_STARTED):
        return lay.NOT_STARTED
    step = parse_status(text)
    if step is None:
        raise RowError(f"ukjent trinn {text!r}; velg {STEP_CHOICES}", column)
    return lay.NOT_STARTED if step.trinn == NO_STEP else step.trinn


def _answer_date(
    text: str | None, column: str | None, today: dt.date
) -> tuple[dt.date, str] | None:
    if text is None:
        return None
    parsed = parse_date(text)
    if parsed is None:
        raise RowError(
            f"ugyldig dato {text!r} (skriv for eksempel 01.03.2023 eller mars 2023)", column
        )
    if parsed.dato > today:
        raise RowError(f"dato i fremtiden ({parsed.dato.isoformat()})", column)
    return parsed.dato, parsed.presisjon


def _checked(text: str | None, column: str | None) -> bool | None:
    if text is None:
        return None
    key = label_key(text)
    if key in lay.YES:
        return True
    if key in lay.NO:
        return False
    raise RowError(f"ukjent verdi {text!r} i Kontrollert; skriv ja eller nei", column)


def _prefill_of(form: FormFile, row: dict[str, Any], knr: str, losning: str) -> Prefill:
    """What the row was pre-filled with: the hidden sheet's value, else the visible columns."""
    if form.prefill is not None:
        return form.prefill.get((knr, losning), Prefill(None, None))
    cols = form.headers
    step_text = row.get(cols["forhand_trinn"]) if "forhand_trinn" in cols else None
    date_text = row.get(cols["forhand_dato"]) if "forhand_dato" in cols else None
    try:
        step = _step(step_text, None)
    except RowError:
        step = None
    parsed = parse_date(date_text)
    return Prefill(step, parsed.dato.isoformat() if parsed else None)


def _answer(form: FormFile, row: dict[str, Any], knr: str, today: dt.date) -> dict[str, Any]:
    cols = form.headers
    act_col = cols["aktivitet"]
    losning = parse_solution(row[act_col])
    if losning is None:
        raise RowError(f"ukjent aktivitet {row[act_col]!r}", act_col)
    if form.prefill is not None and (knr, losning) not in form.prefill:
        raise RowError(
            f"kommunen og aktiviteten står ikke i skjemaet som ble sendt ut ({knr}, {row[act_col]})",
            act_col,
        )
    step = _step(row[cols["trinn"]], cols["trinn"])
    when = _answer_date(row[cols["dato"]], cols["dato"], today)
    checked = _checked(row.get(cols.get("kontrollert", "")), cols.get("kontrollert"))
    comment = row.get(cols["kommentar"]) if "kommentar" in cols else None
    pre = _prefill_of(form, row, knr, losning)
    pre_date = dt.date.fromisoformat(pre.dato) if pre.dato else None
    changed = step != pre.trinn or (when[0] if when else None) != pre_date
    if changed and step is None:
        shown = lay.STEP_LABELS.get(pre.trinn or "", pre.trinn)
        raise RowError(
            f"trinnet er tomt, men var forhåndsutfylt med «{shown}»; velg et trinn "
            f"({STEP_CHOICES})",
            cols["trinn"],
        )
    if step in TRINN and when is None:
        raise RowError(f"mangler dato for trinnet «{lay.STEP_LABELS[step]}»", cols["dato"])
    if checked and step is None:
        raise RowError(
            "Kontrollert er ja, men trinnet er tomt; velg «ikke startet» om kommunen ikke har "
            "startet",
            cols["trinn"],
        )
    svar = (
        "endret" if changed else "bekreftet" if checked else "kommentert" if comment else "ubesvart"
    )
    return {
        "losning": losning,
        "svar": svar,
        "trinn": step,
        "dato": when[0] if when and step != lay.NOT_STARTED else None,
        "dato_presisjon": when[1] if when and step != lay.NOT_STARTED else None,
        "forhand_trinn": pre.trinn,
        "forhand_dato": pre_date,
        "forhand_kilde": pre.kilde_id,
        "kommentar": comment,
    }


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def check_edition(form: FormFile, source: Source, ctx: Context) -> tuple[int | None, int | None]:
    """The form's year and division must be the run's: never a silent mismatch."""
    stated = {**form.info, **(form.meta or {})}
    year, division = _int(stated.get("aar")), _int(stated.get("inndeling"))
    want_division = division_for(ctx.year)
    where = ctx.where(source)
    if year is not None and year != ctx.year:
        raise IngestError(
            f"{where}: skjemaet gjelder rapportåret {year}, men innlesingen gjelder {ctx.year} "
            f"(kilden {source.id!r}); les det inn med --year {year}, eller sett form_year i "
            "katalogen"
        )
    if division is not None and division != want_division:
        raise IngestError(
            f"{where}: skjemaet bruker kommuneinndelingen fra {division}, men rapportåret "
            f"{ctx.year} bruker inndelingen fra {want_division} (kilden {source.id!r}); lag "
            "skjemaet på nytt med `ehelse skjema lag`"
        )
    if source.form_year is not None and year is not None and source.form_year != year:
        raise IngestError(
            f"{where}: katalogen sier form_year {source.form_year}, men skjemaet gjelder {year} "
            f"(kilden {source.id!r})"
        )
    return year, division


def _region(
    form: FormFile, codes: list[str], division: int
) -> tuple[str | None, str | None, str | None]:
    """(type, code, name) of the form's region: the hidden sheet's, else the one county of its
    municipalities (a form without its sheet cannot name a network)."""
    if form.meta is not None and form.meta.get("region"):
        return (
            form.meta.get("regiontype") or "fylke",
            form.meta["region"],
            form.meta.get("regionnavn"),
        )
    counties = sorted({c[:2] for c in codes})
    if len(counties) == 1:
        return "fylke", counties[0], county_names(division).get(counties[0])
    return None, None, None


def ingest_skjema(source: Source, ctx: Context) -> SourceResult:
    """The answers and rejects of one returned form (events are settled later)."""
    path = ctx.where(source)
    try:
        form = read_form(path)
    except FormError as exc:
        raise IngestError(f"{exc} (kilden {source.id!r})") from None
    year, division = check_edition(form, source, ctx)
    cols = [*form.headers.values(), *form.extra]
    keys = [*form.headers, *(f"+{c}" for c in form.extra)]
    data = {c: [r.get(k) for _, r in form.rows] for c, k in zip(cols, keys, strict=True)}
    df = pl.DataFrame(data, schema={c: pl.String for c in cols}).with_columns(
        pl.Series(ROW, [n for n, _ in form.rows], pl.Int64)
    )
    found = {"kommunenummer": form.headers["kommunenummer"]}
    if "kommune" in form.headers:
        found["kommune"] = form.headers["kommune"]
    work = check_duplicates(start_checks(df), cols)
    work = resolve_frame(work, found, ctx.resolver)
    early = work.filter(pl.col(REASON).is_not_null())
    records: list[tuple[dict[str, Any], str | None, str]] = []
    answers: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for row in work.filter(pl.col(REASON).is_null()).iter_rows(named=True):
        try:
            answers.append((row, _answer(form, row, row["__knr"], ctx.today)))
        except RowError as r:
            records.append((row, r.column, r.reason))
    # Two different answers for one municipality and activity in one form: both are wrong.
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (row, a) in enumerate(answers):
        groups[(row["__knr"], a["losning"])].append(i)
    bad: set[int] = set()
    for idxs in groups.values():
        if len(idxs) > 1:
            rows = sorted(answers[i][0][ROW] for i in idxs)
            why = f"to rader for samme kommune og aktivitet (rad {', '.join(map(str, rows))})"
            for i in idxs:
                records.append((answers[i][0], form.headers["aktivitet"], why))
            bad.update(idxs)
    answers = [a for i, a in enumerate(answers) if i not in bad]

    division_now = division_for(ctx.year)
    codes = sorted({row["__knr"] for row, _ in answers})
    if form.prefill:
        codes = sorted({k for k, _ in form.prefill})
    regiontype, region, region_name = _region(form, codes, division_now)
    meta = form.meta or {}
    synthetic = source.synthetic
    received = source.accessed
    kept = [
        {
            "kilde_id": source.id,
            "skjema_id": form.form_id,
            "region": region,
            "rad": row[ROW],
            "kommunenummer": row["__knr"],
            **a,
            "mottatt": received,
            "telles": False,
            "grunn": None,
            "syntetisk": synthetic,
            "kommune_inndata": row["__kinndata"],
            "treff": row["__treff"],
        }
        for row, a in sorted(answers, key=lambda x: x[0][ROW])
    ]
    laget = meta.get("laget")
    forms = pl.DataFrame(
        [
            {
                "kilde_id": source.id,
                "fil": source.path,
                "skjema_id": form.form_id,
                "regiontype": regiontype,
                "region": region,
                "regionnavn": region_name,
                "aar": year,
                "inndeling": division,
                "laget": dt.date.fromisoformat(laget) if laget else None,
                "mottatt": received,
                "kobling": "skjema-id" if form.meta is not None else "kommunenummer",
                "lagret_som": form.saved_as,
                "rader": df.height,
                "kommuner": len(codes),
                "merknad": "; ".join(form.warnings) or None,
                "syntetisk": synthetic,
            }
        ],
        schema=FORMS_SCHEMA,
    )
    rejects = pl.concat([rejects_from(early, source, cols), reject_records(records, source, cols)])
    result = SourceResult(
        source,
        "",
        df.height,
        kept_rows=pl.Series(ROW, [r["rad"] for r in kept], pl.Int64),
        rejects=rejects.sort("rad", nulls_last=True),
        tables={"skjema": forms, "skjema_svar": pl.DataFrame(kept, schema=ANSWER_SCHEMA | PRIVATE)},
    )
    result.warnings.extend(form.warnings)
    if meta.get("syntetisk") == "ja" and not synthetic:
        result.warnings.append(
            f"{path.name}: skjemaet er merket som syntetiske eksempeldata, men katalogen sier "
            "synthetic: false"
        )
    return result
