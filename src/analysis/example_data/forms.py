"""The example's returned status forms: synthetic answers for two counties, so that the
embedded default goes the whole way from form to report.

The forms are the ones ``ehelse skjema lag`` writes (``analysis.tools.skjema.write``),
pre-filled with the example events known on FORM_CREATED and filled in from the synthetic
truth on the day each was returned: most municipalities confirm, some correct a date or a
step, some add a planned step the owners' exports do not list, some do not answer. A few
answers contradict a registry on purpose, and one municipality in Møre og Romsdal returns its
own copy later with another answer, so both conflict rules show. Answers come from their own
stream of the seed (FORMS_STREAM); nothing else in the example moves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

import numpy as np
import polars as pl

from analysis.example_data.extension import child_stream
from analysis.example_data.params import Example, ExampleFile
from analysis.fmt import format_date
from analysis.tools.skjema.prefill import form_activities, form_rows, known_steps
from analysis.tools.skjema.write import Answer, FormRow, FormSpec, step_words, write_form

FORM_YEAR: Final = 2023  # the report year the forms are made for (division 2020)
FORM_CREATED: Final = dt.date(2023, 9, 4)
FORM_DEADLINE: Final = dt.date(2023, 10, 2)
FORMS_STREAM: Final = 17
# County, day returned, share of municipalities that answer.
COUNTIES: Final = (("46", dt.date(2023, 9, 29), 0.8), ("15", dt.date(2023, 9, 27), 0.7))
SECOND_RETURN: Final = ("15", dt.date(2023, 10, 6))  # a municipality's own copy, later
CONTACT: Final = "KS e-Komp (eksempel)"
PLANNED_FROM: Final = dt.date(2022, 9, 1)
MONTHS: Final = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
                 "september", "oktober", "november", "desember")  # fmt: skip
# Helseplattformen is real data: the example answers it only once, to contradict the list
# (Molde's go-live date), so no synthetic event enters a real activity.
HP_CONTRADICTION: Final = ("1506", "i bruk", dt.date(2023, 9, 1))


def _truth(events: pl.DataFrame, on: dt.date) -> dict[tuple[str, str], tuple[str, dt.date]]:
    known = known_steps(events.with_columns(kilde_id=pl.lit("")), on)
    return {(s, k): (t, d) for s, k, t, d, _ in known.iter_rows()}


def _month_text(d: dt.date) -> str:
    return f"{MONTHS[d.month - 1]} {d.year}"


def _answers(
    rng: np.random.Generator,
    rows: Sequence[FormRow],
    truth: dict[tuple[str, str], tuple[str, dt.date]],
    share: float,
) -> dict[tuple[str, str], Answer]:
    """The cells a municipality fills in, row by row (two draws per row, answered or not)."""
    out: dict[tuple[str, str], Answer] = {}
    munis = sorted({r.kommunenummer for r in rows})
    answering = {m for m in munis if rng.random() < share}
    answering |= {HP_CONTRADICTION[0]} & set(munis)
    span = (FORM_CREATED - PLANNED_FROM).days
    for r in rows:
        u, v = rng.random(), rng.random()
        if r.kommunenummer not in answering:
            continue
        key = (r.kommunenummer, r.losning)
        if r.losning == "helseplattformen":
            if r.kommunenummer == HP_CONTRADICTION[0]:
                out[key] = Answer(HP_CONTRADICTION[1], HP_CONTRADICTION[2], "ja")
            continue
        fact = truth.get((r.losning, r.kommunenummer))
        if fact is None:
            if r.losning != "digihelse" and u < 0.2:
                day = PLANNED_FROM + dt.timedelta(days=int(v * span))
                start = _month_text(day + dt.timedelta(days=180))
                when: dt.date | str = _month_text(day) if u < 0.05 else day
                note = (
                    f"- venter på leverandøren, oppstart {start}"
                    if u < 0.1
                    else f"Oppstart {start}"
                )
                out[key] = Answer("planlagt", when, "ja", note)
            else:
                out[key] = Answer("ikke startet", None, "ja")
            continue
        step, day = fact
        if u > 0.97:  # a date given from memory: it contradicts the owner's export
            out[key] = Answer(
                step_words(step), day - dt.timedelta(days=45), "ja", "Omtrentlig dato"
            )
        elif (step, day) != (r.trinn, r.dato):
            out[key] = Answer(step_words(step), day, "ja")
        elif v < 0.9:
            typed = "Tilgjengelig" if step == "tilgjengelig" and u < 0.3 else None
            out[key] = Answer(typed, day, "ja") if typed else Answer(None, None, "ja")
    # A confirmation keeps the pre-fill: the cells show it as they were.
    by_key = {(x.kommunenummer, x.losning): x for x in rows}
    for key, a in list(out.items()):
        if a.trinn is None and a.dato is None:
            row = by_key[key]
            out[key] = Answer(step_words(row.trinn) if row.trinn else None, row.dato, a.kontrollert)
    return out


def render_forms(example: Example, files: Sequence[ExampleFile]) -> list[ExampleFile]:
    """The returned forms as files; ``files`` are the exports (their titles pre-fill)."""
    kommuner = example.municipalities.with_columns(inndeling=pl.lit(2020, pl.Int64))
    titles = {
        "eksempel_" + f.name.rsplit(".", 1)[0]: f.title for f in files if f.kind == "adoption"
    }
    events = example.all_adoption().with_columns(kilde_id=pl.lit("eksempel_") + pl.col("losning"))
    known = known_steps(events, FORM_CREATED)
    acts = form_activities()
    activity_rows = tuple(acts.select("losning", "navn", "telles_trinn").iter_rows())
    names = dict(kommuner.select("fylkesnummer", "fylkesnavn").unique().iter_rows())
    rng = child_stream(example.seed, FORMS_STREAM)
    out: list[ExampleFile] = []
    specs: dict[str, tuple[FormSpec, dict[tuple[str, str], Answer]]] = {}
    for county, received, share in COUNTIES:
        codes = sorted(kommuner.filter(pl.col("fylkesnummer") == county)["kommunenummer"].to_list())
        rows = form_rows(kommuner, codes, known, titles, acts)
        spec = FormSpec(
            "fylke",
            county,
            names[county],
            FORM_YEAR,
            2020,
            FORM_CREATED,
            FORM_DEADLINE,
            tuple(rows),
            CONTACT,
            True,
            activity_rows,
        )
        filled = _truth(events, received - dt.timedelta(days=3))
        answers = _answers(rng, rows, filled, share)
        specs[county] = (spec, answers)
        out.append(_file(spec, spec.file_name, write_form(spec, answers), received))
    county, received = SECOND_RETURN
    spec, first = specs[county]
    muni, losning = _second(first, _truth(events, received))
    own = tuple(r for r in spec.rows if r.kommunenummer == muni)
    copy = FormSpec(
        spec.regiontype,
        spec.region,
        spec.regionnavn,
        spec.year,
        spec.division,
        spec.created,
        spec.deadline,
        own,
        spec.contact,
        True,
        spec.activities,
        copy_of=spec.form_id,
    )
    answers = {k: a for k, a in first.items() if k[0] == muni}
    answers[(muni, losning)] = Answer(
        "planlagt", received - dt.timedelta(days=10), "ja", "Rettet: vedtaket kom i høst"
    )
    name = own[0].kommunenavn
    out.append(
        _file(
            copy,
            spec.file_name.replace(".xlsx", "-2.xlsx"),  # the second file from the county
            write_form(copy, answers),
            received,
            f", {name} sitt eget svar",
        )
    )
    return out


def _second(
    first: dict[tuple[str, str], Answer], truth: dict[tuple[str, str], tuple[str, dt.date]]
) -> tuple[str, str]:
    """The municipality and activity of the later copy: the first one answered as not started
    or planned that is still without a step when the copy comes (not DigiHelse, whose export
    lists planned steps, nor Helseplattformen, which is real)."""
    for (muni, losning), a in sorted(first.items()):
        if (
            losning not in ("digihelse", "helseplattformen")
            and a.trinn in ("ikke startet", "planlagt")
            and (losning, muni) not in truth
        ):
            return muni, losning
    muni, losning = min(k for k in first if k[1] not in ("digihelse", "helseplattformen"))
    return muni, losning


def _file(
    spec: FormSpec, name: str, data: bytes, received: dt.date, extra: str = ""
) -> ExampleFile:
    return ExampleFile(
        name,
        "skjema",
        None,
        f"Eksempeldata (syntetisk): statusskjema {spec.year} – {spec.regionnavn}{extra}, "
        f"returnert {format_date(received)}",
        data,
        received,
    )
