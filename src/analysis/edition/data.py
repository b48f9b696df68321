"""EditionData: every table and metric an edition's chapters show, composed once.

The metric functions (analysis.metrics.overview and the modules it composes) run here and only here for the
report; chapters and notebooks read the result. Frames for maps are already on the areas the
map draws (the edition's own division, see analysis.reference.geometry.boundaries).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from analysis import config
from analysis.edition.params import Edition


@dataclass(frozen=True)
class EditionData:
    """The tables and metrics of one edition. ``overview`` is overview.status_overview at
    the status date with ``andel_kommuner``; ``municipal`` is the status per activity and
    municipality in scope; ``series`` the national counts per month end."""

    edition: Edition
    published_date: date | None  # the portfolio's own status date (April of its year)
    kommuner: pl.DataFrame
    ambisjoner: pl.DataFrame
    ambitions: pl.DataFrame  # status.ambitions_for: the edition's own, with overfort_fra
    adopsjon: pl.DataFrame
    activities: pl.DataFrame  # analysis.metrics.params.activities() with nr and aktivitet, in order
    events: pl.DataFrame  # adoption events and message compliance (as events)
    municipal: pl.DataFrame
    overview: pl.DataFrame
    overview_published: pl.DataFrame | None  # the same on the portfolio's status date
    overview_region: pl.DataFrame | None  # the county's, with its share of the ambition
    series: pl.DataFrame
    series_region: pl.DataFrame | None
    by_county: pl.DataFrame  # analysis.metrics.status.status_by_county at the status date
    publisert: pl.DataFrame | None
    tiltak: pl.DataFrame | None
    meldinger: pl.DataFrame | None
    versions: pl.DataFrame
    compliance: (
        pl.DataFrame | None
    )  # analysis.metrics.messages.compliance per municipality and month
    avvist: pl.DataFrame | None
    manifest: dict[str, Any]

    @property
    def as_of(self) -> date:
        return self.edition.as_of

    @property
    def regional(self) -> bool:
        return self.edition.regional

    @property
    def region(self) -> str | None:
        return self.edition.region

    @property
    def region_name(self) -> str | None:
        return self.edition.region_name

    @property
    def synthetic_sources(self) -> list[dict[str, Any]]:
        return [s for s in self.sources if s.get("synthetic")]

    @property
    def sources(self) -> list[dict[str, Any]]:
        return [s for s in self.manifest.get("sources") or [] if isinstance(s, dict)]

    def in_region(self, df: pl.DataFrame) -> pl.DataFrame:
        """Rows of the edition's county (all rows in the national edition)."""
        if self.region is None:
            return df
        if "fylkesnummer" in df.columns:
            return df.filter(pl.col("fylkesnummer") == self.region)
        return df.filter(pl.col("kommunenummer").str.starts_with(self.region))


def _optional_table(name: str, processed: Path) -> pl.DataFrame | None:
    from analysis.load import MissingDataError, load_table

    try:
        return load_table(name, processed)
    except MissingDataError:
        return None


@cache
def edition_data(ed: Edition) -> EditionData:
    """Everything the chapters show for one edition, computed once per process; a regional
    edition adds its county's parts to the national data, which every edition of the same
    year, status date and data shares (``--region all`` computes them once)."""
    if ed.region is None:
        return _national(ed)[0]
    base, counted, overview = _national(replace(ed, region=None, region_name=None))
    return replace(
        base,
        edition=ed,
        overview_region=overview(ed.as_of, ed.region),
        series_region=_counted_series(counted, ed.region),
    )


def counted_on(d: EditionData, when: date) -> Any:
    """``metrics.overview.counted_status`` of the edition's data on another day (the previous
    year's status), computed once per run for the country and every county."""
    return _counted_on(replace(d.edition, region=None, region_name=None), when)


@cache
def _counted_on(ed: Edition, when: date) -> Any:
    from analysis.metrics.overview import counted_status

    data = _national(ed)[0]
    return counted_status(
        data.adopsjon,
        data.kommuner,
        when,
        meldinger=data.meldinger,
        versions=data.versions,
        comp=data.compliance,
    )


def _counted_series(counted: Any, region: str | None = None) -> pl.DataFrame:
    from analysis.metrics.overview import counted_series

    return counted_series(counted, region) if region is not None else counted_series(counted)


@cache
def _national(ed: Edition) -> tuple[EditionData, Any, Any]:
    """The national edition's data, with what a county's parts are computed from."""
    from analysis.edition.params import read_manifest
    from analysis.load import data_dir, load_table
    from analysis.metrics import messages as msg
    from analysis.metrics import params
    from analysis.metrics import status as st
    from analysis.metrics.overview import counted_series, counted_status, status_overview

    p = data_dir(ed.processed)  # the one output set the pointer names, read throughout
    kommuner = load_table("kommuner", p)
    ambisjoner = load_table("ambisjoner", p)
    adopsjon = load_table("adopsjon", p)
    meldinger = _optional_table("meldinger", p)
    publisert = _optional_table("publisert", p)
    tiltak = _optional_table("tiltak", p)
    avvist = _optional_table("avvist", p)
    manifest = read_manifest(p) or {}
    as_of = ed.as_of
    acts = params.activities()
    scopes = st.scope_members(kommuner)
    versions = msg.required_versions(as_of)
    counted = counted_status(
        adopsjon, kommuner, as_of, meldinger=meldinger, versions=versions, acts=acts, scopes=scopes
    )
    events, municipal, comp = counted.events, counted.municipal, counted.compliance
    ambitions = st.ambitions_for(ambisjoner, ed.year)

    def overview(when: date, county: str | None = None) -> pl.DataFrame:
        # The status on the edition's date is counted once, for the country and every county;
        # on another day the message compliance (which does not depend on the day) is reused.
        at = (
            counted
            if when == as_of
            else counted_status(
                adopsjon,
                kommuner,
                when,
                meldinger=meldinger,
                versions=versions,
                acts=acts,
                scopes=scopes,
                comp=comp,
            )
        )
        table = status_overview(
            adopsjon,
            kommuner,
            ambisjoner,
            when,
            meldinger=meldinger,
            versions=versions,
            publisert=publisert,
            county=county,
            acts=acts,
            scopes=scopes,
            counted=at,
        )
        share = pl.when(pl.col("i_omfang") > 0).then(pl.col("antall") / pl.col("i_omfang"))
        return table.with_columns(andel_kommuner=share.otherwise(None))

    dates = ambisjoner["status_dato"].drop_nulls()
    published_date = dates.max() if dates.len() else None
    assert published_date is None or isinstance(published_date, date)
    if published_date is not None and published_date > as_of:
        published_date = None
    order = ambitions.select("losning", "nr", "aktivitet")
    activities = (
        acts.join(order, on="losning", how="left")
        .sort("nr", "losning", nulls_last=True)
        .with_columns(aktivitet=pl.col("aktivitet").fill_null(pl.col("navn")))
    )
    data = EditionData(
        edition=ed,
        published_date=published_date,
        kommuner=kommuner,
        ambisjoner=ambisjoner,
        ambitions=ambitions,
        adopsjon=adopsjon,
        activities=activities,
        events=events,
        municipal=municipal,
        overview=overview(as_of),
        overview_published=overview(published_date) if published_date else None,
        overview_region=None,
        series=counted_series(counted),
        series_region=None,
        by_county=st.status_by_county(municipal, ambitions),
        publisert=publisert,
        tiltak=tiltak,
        meldinger=meldinger,
        versions=versions,
        compliance=comp,
        avvist=avvist,
        manifest=manifest,
    )
    return data, counted, overview


def report_texts(folder: Path | None = None) -> dict[str, dict[str, str]]:
    """The report's prose per activity (report/aktiviteter.yml): what it is and what the
    portfolio asks of the municipalities, paraphrased from the portfolio document."""
    import yaml

    from analysis.edition.params import EditionError

    base = folder or config.REPORT_DIR
    path = base / "aktiviteter.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise EditionError(f"{path}: forventet en YAML-ordbok per løsning")
    return {str(k): {str(a): str(b) for a, b in (v or {}).items()} for k, v in data.items()}


def published_points(data: EditionData, losning: str) -> pl.DataFrame:
    """Published national figures of an activity's counted step up to the status date, for
    the trend chart: the portfolio table's status and the published series, one per month
    and value (dato, antall, kilde)."""
    schema = {"dato": pl.Date, "antall": pl.Int64, "kilde": pl.String}
    step = data.activities.filter(pl.col("losning") == losning)["telles_trinn"]
    parts = [pl.DataFrame(schema=schema)]
    amb = data.ambisjoner.filter(
        (pl.col("losning") == losning)
        & pl.col("status_publisert").is_not_null()
        & pl.col("status_dato").is_not_null()
    )
    parts.append(
        amb.select(
            pl.col("status_dato").alias("dato"),
            pl.col("status_publisert").cast(pl.Int64).alias("antall"),
            pl.col("kilde").cast(pl.String),
        )
    )
    if data.publisert is not None and step.len():
        parts.append(
            data.publisert.filter(
                (pl.col("losning") == losning)
                & (pl.col("trinn") == step[0])
                & pl.col("dato").is_not_null()
            ).select("dato", pl.col("antall").cast(pl.Int64), pl.col("kilde").cast(pl.String))
        )
    return (
        pl.concat(parts, how="vertical_relaxed")
        .filter(pl.col("dato") <= data.as_of)
        .with_columns(_maaned=pl.col("dato").dt.truncate("1mo"))
        .unique(subset=["_maaned", "antall"], keep="first", maintain_order=True)
        .drop("_maaned")
        .sort("dato")
    )


def projection_path(
    start: date,
    value: float,
    target: float | None,
    expected: date | None,
    earliest: date | None = None,
    latest: date | None = None,
) -> pl.DataFrame | None:
    """The expected date drawn as a path for the trend chart: straight lines from the last
    observation to the target at the expected date (``antall``) and at the earliest and latest
    date of its interval (``hoy`` and ``lav``), month by month. Only a picture of the date and
    its interval: the model's own curve is in analysis.metrics.trajectory."""
    from analysis.dates import month_ends

    if target is None or expected is None or value >= target or expected <= start:
        return None
    end = max(d for d in (expected, latest) if d is not None)

    def along(reach: date | None, d: date) -> float | None:
        if reach is None:
            return None
        if reach <= start or d >= reach:
            return target
        return value + (target - value) * (d - start).days / (reach - start).days

    days = [start, *[d for d in month_ends(start, end) if d > start]]
    return pl.DataFrame(
        {
            "dato": days,
            "antall": [along(expected, d) for d in days],
            "lav": [along(latest, d) for d in days],
            "hoy": [along(earliest, d) for d in days],
        },
        schema={"dato": pl.Date, "antall": pl.Float64, "lav": pl.Float64, "hoy": pl.Float64},
    )
