"""Finding what a person typed (a municipality, a county, a solution) and one municipality's
standing: shared by `ehelse kommune`, `ehelse export` and the notebooks, so an unknown name
gets the same one-line answer with the closest matches everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from analysis import config
from analysis.reference import Resolution, resolver
from analysis.reference.find import NotFoundError, closest
from analysis.reference.name_keys import name_key
from analysis.steps import TRINN

TRINN_LABELS = {"i_bruk": "i bruk", "tilgjengelig": "tilgjengelig", "planlagt": "planlagt"}
IKKE_STARTET = "ikke startet"
UTENFOR_OMFANG = "utenfor omfanget"
INGEN_MELDINGER = "ingen meldinger"


# --- what a person typed ------------------------------------------------------------------


def unresolved_message(value: str, res: Resolution) -> str:
    hint = f" Mente du: {res.candidates_text()}?" if res.candidates else ""
    what = {"ambiguous": "flertydig", "fuzzy": "ikke et kjent navn"}.get(res.match, "ukjent")
    return f"{value!r} er {what} ({res.note}).{hint}"


def find_municipality(value: str, year: int | None = None) -> Resolution:
    """A municipality by name, number or organisation number, in the division of ``year``
    (default: the report year); ambiguous or unknown input raises with the closest matches."""
    res = resolver(year if year is not None else config.default_year()).resolve(value)
    if not res.resolved:
        raise NotFoundError(unresolved_message(value, res))
    return res


def find_solution(value: str, solutions: dict[str, str]) -> str:
    """A solution id from its id or its name (``solutions``: id -> name), any case."""
    v = value.strip()
    for sid, name in solutions.items():
        if name_key(v) in (name_key(sid), name_key(name)):
            return sid
    labels = {sid: f"{sid} {name}" for sid, name in solutions.items()}
    close = closest(v, labels)
    choices = close or sorted(solutions)
    lead = "Mente du" if close else "Velg blant"
    listed = "; ".join(f"{c} ({solutions[c]})" for c in choices)
    raise NotFoundError(f"ukjent løsning {value!r}. {lead}: {listed}?")


# --- the processed tables -----------------------------------------------------------------


@dataclass(frozen=True)
class Tables:
    """The processed tables the status needs; meldinger and publisert are optional."""

    kommuner: pl.DataFrame
    adopsjon: pl.DataFrame
    ambisjoner: pl.DataFrame
    meldinger: pl.DataFrame | None
    publisert: pl.DataFrame | None
    folder: Path

    @property
    def division(self) -> int:
        if self.kommuner.height:
            return int(self.kommuner["inndeling"][0])
        return config.default_year()

    @property
    def synthetic(self) -> bool:
        """Any municipality-level row from the synthetic example data."""
        frames = [self.adopsjon, self.meldinger]
        return any(f is not None and f.height and bool(f["syntetisk"].any()) for f in frames)


def load_tables(processed: Path | str | None = None) -> Tables:
    """Read and validate the tables; MissingDataError if a required one is absent."""
    from analysis.load import MissingDataError, data_dir, load_table, processed_dir

    folder = processed_dir(processed)
    processed = data_dir(folder)  # one set for every table

    def optional(name: str) -> pl.DataFrame | None:
        try:
            return load_table(name, processed)
        except MissingDataError:
            return None

    return Tables(
        kommuner=load_table("kommuner", processed),
        adopsjon=load_table("adopsjon", processed),
        ambisjoner=load_table("ambisjoner", processed),
        meldinger=optional("meldinger"),
        publisert=optional("publisert"),
        folder=folder,
    )


def default_as_of(t: Tables, year: int | None = None) -> date:
    """The edition's status date for these tables: the end of the report year, or the last
    data date if the data end before it (analysis.edition.params.as_of_for)."""
    from analysis.edition.params import as_of_for

    last: list[date] = []
    if t.adopsjon.height:
        last.append(t.adopsjon["dato"].max())  # type: ignore[arg-type]
    if t.meldinger is not None and t.meldinger.height:
        last.append(t.meldinger["periode"].dt.month_end().max())  # type: ignore[arg-type]
    until = {"data_until": max(last).isoformat()} if last else None
    return as_of_for(year if year is not None else config.default_year(), until)


def portfolio(t: Tables) -> pl.DataFrame:
    """The activities in the portfolio's order: losning, nr, navn, telles_trinn, maal, frist."""
    from analysis.metrics.params import activities

    acts = activities().drop("overskrift")
    nr = t.ambisjoner.select("losning", "nr")
    return (
        acts.join(nr, on="losning", how="left")
        .select("losning", "nr", "navn", "telles_trinn", "maal", "omfang_id", "frist")
        .sort("nr", "losning", nulls_last=True)
    )


def synthetic_solutions(t: Tables) -> list[str]:
    """Solutions whose events come (at least in part) from the synthetic example data: what
    such a source says, a step or no step at all, is synthetic."""
    out = set(t.adopsjon.filter(pl.col("syntetisk"))["losning"].unique().to_list())
    if t.meldinger is not None and t.meldinger.height and bool(t.meldinger["syntetisk"].any()):
        out.add("meldinger")
    return sorted(out)


def synthetic_expr(t: Tables) -> pl.Expr:
    """True for a row of ``municipal_all`` whose step (or lack of one) comes from synthetic
    data."""
    return pl.col("syntetisk") | (
        pl.col("trinn").is_null() & pl.col("losning").is_in(synthetic_solutions(t))
    )


def municipal_all(t: Tables, as_of: date) -> pl.DataFrame:
    """``analysis.metrics.status.municipal_status`` with message versions counted as an activity,
    exactly as ``overview.status_overview`` counts them (compliant in the latest month)."""
    from analysis.metrics.overview import counted_status

    return counted_status(t.adopsjon, t.kommuner, as_of, meldinger=t.meldinger).municipal


# --- one municipality ---------------------------------------------------------------------


@dataclass(frozen=True)
class CountyRank:
    """A municipality's place among its county's municipalities by adoption index."""

    rank: int
    of: int
    tied: bool
    fylkesnavn: str
    antall_losninger: int
    mulige_losninger: int

    def text(self) -> str:
        shared = " (delt)" if self.tied else ""
        return f"nr. {self.rank} av {self.of} i {self.fylkesnavn}{shared}"


def county_ranks(municipal: pl.DataFrame) -> pl.DataFrame:
    """Adoption index per municipality with its rank in its county (ties share the best rank:
    1, 2, 2, 4) and whether the rank is shared."""
    from analysis.metrics.profiles import adoption_index

    idx = adoption_index(municipal)
    return idx.with_columns(
        rang=pl.col("indeks").rank("min", descending=True).over("fylkesnummer").cast(pl.Int64),
        av=pl.len().over("fylkesnummer").cast(pl.Int64),
        delt=(pl.len().over("fylkesnummer", "indeks") > 1),
    ).sort("fylkesnummer", "rang", "kommunenummer")


def county_rank(municipal: pl.DataFrame, kommunenummer: str) -> CountyRank | None:
    ranks = county_ranks(municipal).filter(pl.col("kommunenummer") == kommunenummer)
    if not ranks.height:
        return None
    r = ranks.row(0, named=True)
    county = municipal.filter(pl.col("kommunenummer") == kommunenummer)["fylkesnavn"][0]
    return CountyRank(
        r["rang"], r["av"], r["delt"], county, r["antall_losninger"], r["mulige_losninger"]
    )


@dataclass(frozen=True)
class MunicipalityView:
    kommunenummer: str
    as_of: date
    solutions: pl.DataFrame
    messages: pl.DataFrame | None
    message_period: date | None
    message_status: str | None
    rank: CountyRank | None
    synthetic: bool


SOLUTION_COLUMNS = (
    "nr",
    "losning",
    "navn",
    "maal",
    "telles_trinn",
    "i_omfanget",
    "trinn",
    "siden",
    "planlagt_dato",
    "tilgjengelig_dato",
    "i_bruk_dato",
    "telles",
    "syntetisk",
)


def solution_steps(t: Tables, kommunenummer: str, as_of: date) -> pl.DataFrame:
    """Every portfolio activity (and any other solution with events) for one municipality:
    the step on ``as_of``, since when, and the date each step was reached."""
    from analysis.metrics import status as st
    from analysis.metrics.profiles import step_dates

    acts = portfolio(t)
    ev = t.adopsjon.filter(pl.col("kommunenummer") == kommunenummer)
    dates = step_dates(ev, as_of) if ev.height else None
    scopes = st.scope_members(t.kommuner)
    in_scope = set(scopes.filter(pl.col("kommunenummer") == kommunenummer)["omfang_id"].to_list())
    synthetic = (
        ev.filter(pl.col("dato") <= as_of).group_by("losning").agg(pl.col("syntetisk").any())
    )
    reached = ev.filter(pl.col("dato") <= as_of)["losning"].to_list()
    extra = sorted(set(reached) - set(acts["losning"].to_list()))
    other = pl.DataFrame(
        {
            "losning": extra,
            "nr": [None] * len(extra),
            "navn": extra,
            "telles_trinn": [None] * len(extra),
            "maal": ["adopsjon"] * len(extra),
            "omfang_id": [st.ALL] * len(extra),
            "frist": [None] * len(extra),
        },
        schema_overrides=dict(acts.schema),
    ).select(acts.columns)
    rows = pl.concat([acts, other], how="vertical_relaxed").with_columns(
        i_omfanget=pl.col("omfang_id").is_in(list(in_scope))
    )
    if dates is None:
        dates = pl.DataFrame(
            schema={
                "losning": pl.String,
                "trinn": pl.String,
                "siden": pl.Date,
                **{f"{s}_dato": pl.Date for s in TRINN},
            }
        )
    rank = {s: i for i, s in enumerate(TRINN, start=1)}
    out = (
        rows.join(dates.drop("kommunenummer", strict=False), on="losning", how="left")
        .join(synthetic, on="losning", how="left")
        .with_columns(
            syntetisk=pl.col("syntetisk").fill_null(False),
            telles=pl.when(
                pl.col("telles_trinn").is_null()
                | (pl.col("maal") != "adopsjon")
                | ~pl.col("i_omfanget")
            )
            .then(None)
            .otherwise(
                pl.col("trinn").replace_strict(rank, default=0, return_dtype=pl.Int64)
                >= pl.col("telles_trinn").replace_strict(rank, default=9, return_dtype=pl.Int64)
            ),
        )
    )
    return out.select(SOLUTION_COLUMNS)


def message_compliance(
    t: Tables, kommunenummer: str, as_of: date
) -> tuple[pl.DataFrame | None, date | None, str | None]:
    """One municipality's message versions in the latest complete month on ``as_of``: per type
    the share current, compliant or not and the outdated versions; and the overall status."""
    from analysis.metrics import messages as msg

    if t.meldinger is None or not t.meldinger.height:
        return None, None, None
    month = msg.latest_period(t.meldinger, as_of)
    if month is None:
        return None, None, None
    own = t.meldinger.filter(
        (pl.col("kommunenummer") == kommunenummer) & (pl.col("periode") == month)
    )
    if not own.height:
        return None, month, INGEN_MELDINGER
    versions = msg.current_versions()
    shares = msg.version_shares(own, versions).join(
        versions.select("meldingstype", "navn", "gjeldende_versjoner"),
        on="meldingstype",
        how="left",
    )
    status = msg.compliance(own, versions)["status"][0]
    return (
        shares.select(
            "meldingstype",
            "navn",
            "gjeldende_versjoner",
            "totalt",
            "gjeldende",
            "utdatert",
            "uten_versjon",
            "andel_gjeldende",
            "oppfylt",
            "utdaterte_versjoner",
        ).sort("meldingstype"),
        month,
        str(status),
    )


def municipality_view(
    t: Tables, kommunenummer: str, as_of: date, municipal: pl.DataFrame | None = None
) -> MunicipalityView:
    """Everything `ehelse kommune` and the profile notebook show about one municipality."""
    municipal = municipal_all(t, as_of) if municipal is None else municipal
    solutions = solution_steps(t, kommunenummer, as_of)
    messages, period, status = message_compliance(t, kommunenummer, as_of)
    synthetic = bool(solutions["syntetisk"].any())
    if t.meldinger is not None and period is not None:
        own = t.meldinger.filter(
            (pl.col("kommunenummer") == kommunenummer) & (pl.col("periode") == period)
        )
        synthetic = synthetic or bool(own["syntetisk"].any())
    return MunicipalityView(
        kommunenummer=kommunenummer,
        as_of=as_of,
        solutions=solutions,
        messages=messages,
        message_period=period,
        message_status=status,
        rank=county_rank(municipal, kommunenummer),
        synthetic=synthetic,
    )


def step_label_expr(trinn: str = "trinn", in_scope: str | None = "i_omfanget") -> pl.Expr:
    """The step as Norwegian text (i bruk, tilgjengelig, planlagt, ikke startet, utenfor
    omfanget) for a column of steps and, optionally, a boolean in-scope column."""
    label = (
        pl.col(trinn)
        .replace_strict(TRINN_LABELS, default=None, return_dtype=pl.String)
        .fill_null(IKKE_STARTET)
    )
    if in_scope is None:
        return label
    return pl.when(pl.col(in_scope)).then(label).otherwise(pl.lit(UTENFOR_OMFANG))


def step_label(step: str | None, in_scope: bool = True) -> str:
    if not in_scope:
        return UTENFOR_OMFANG
    return TRINN_LABELS.get(step or "", IKKE_STARTET)


def join_texts(values: Iterable[object] | None) -> str:
    return ", ".join(str(v) for v in values or [] if v is not None)
