"""One composition of adoption events and message compliance into municipal status, and the
status overview built on it (the table of ``ehelse status``, the export and the report).

Message-version compliance enters as events of the activity ``meldinger`` (compliant in the
latest complete month, dated at its end), so every status view counts it the same way; its
monthly history comes from the statistics themselves, not from those one-month events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from analysis.metrics import messages as msg
from analysis.metrics import params
from analysis.metrics import status as st
from analysis.metrics.trajectory import IKKE_BEREGNBAR, assess_all


@dataclass(frozen=True)
class Counted:
    """What every status view counts from: the events (adoption and message compliance), the
    status per activity and municipality in scope on ``as_of``, and the compliance per
    municipality and month (None without message statistics)."""

    as_of: date
    kommuner: pl.DataFrame
    events: pl.DataFrame
    municipal: pl.DataFrame
    versions: pl.DataFrame
    compliance: pl.DataFrame | None
    meldinger: pl.DataFrame | None


def counted_status(
    adopsjon: pl.DataFrame,
    kommuner: pl.DataFrame,
    as_of: date,
    *,
    meldinger: pl.DataFrame | None = None,
    versions: pl.DataFrame | None = None,
    acts: pl.DataFrame | None = None,
    scopes: pl.DataFrame | None = None,
    comp: pl.DataFrame | None = None,
) -> Counted:
    """Adoption events plus message compliance, and the municipal status they give on
    ``as_of`` (analysis.metrics.status.municipal_status). ``comp`` is
    ``messages.compliance(meldinger, versions)`` when the caller has it already (it depends on
    the statistics and the versions only, not on ``as_of``)."""
    acts = params.activities() if acts is None else acts
    scopes = st.scope_members(kommuner) if scopes is None else scopes
    vers = msg.required_versions(as_of) if versions is None else versions
    if meldinger is None or not meldinger.height:
        comp = None
    elif comp is None:
        comp = msg.compliance(meldinger, vers)
    events = msg.with_message_events(adopsjon, meldinger, vers, as_of, comp=comp)
    municipal = st.municipal_status(events, kommuner, acts, scopes, as_of)
    return Counted(as_of, kommuner, events, municipal, vers, comp, meldinger)


def counted_series(c: Counted, county: str | None = None) -> pl.DataFrame:
    """Counted municipalities per month end and activity (losning, dato, antall), nationally
    or in one county; message compliance from the monthly statistics."""
    municipal = c.municipal
    region = None
    if county is not None:
        municipal = municipal.filter(pl.col("fylkesnummer") == county)
        region = c.kommuner.filter(pl.col("fylkesnummer") == county)
    parts = [st.count_series(c.events, municipal, c.as_of).filter(pl.col("losning") != msg.LOSNING)]
    if c.meldinger is not None and c.meldinger.height:
        parts.append(
            msg.compliance_series(
                c.meldinger, c.versions, c.as_of, kommuner=region, comp=c.compliance
            )
        )
    return pl.concat(parts, how="vertical_relaxed").sort("losning", "dato")


OVERVIEW_COLUMNS = (
    "nr",
    "losning",
    "aktivitet",
    "telles_trinn",
    "omfang_id",
    "i_omfang",
    "planlagt",
    "tilgjengelig",
    "i_bruk",
    "antall",
    "ambisjon",
    "ambisjon_andel",
    "prosent_av_ambisjon",
    "gjenstar",
    "andel_befolkning",
    "tempo",
    "tempo_24m",
    "nodvendig_tempo",
    "nodvendig_tempo_fremover",
    "forhold",
    "kategori",
    "modell",
    "forventet_dato",
    "forventet_fra",
    "forventet_til",
    "frist",
    "publisert",
    "publisert_dato",
    "avvik",
    "publisert_kilde",
    "syntetisk",
    "merknad",
    "frist_passert",
    "portefolje_aar",
    "overfort_fra",
)


def status_overview(
    events: pl.DataFrame,
    kommuner: pl.DataFrame,
    ambitions: pl.DataFrame,
    as_of: date,
    *,
    meldinger: pl.DataFrame | None = None,
    versions: pl.DataFrame | None = None,
    publisert: pl.DataFrame | None = None,
    county: str | None = None,
    acts: pl.DataFrame | None = None,
    scopes: pl.DataFrame | None = None,
    counted: Counted | None = None,
) -> pl.DataFrame:
    """The status table of ``ehelse status``: per activity, status against ambition, pace,
    category and expected date, with the published national figure beside the computed one.

    With ``county`` the counts are the county's and the ambition is its proportional share
    (no published figure: those are national). Message versions count when ``meldinger`` is
    given; without it that activity has no status, as in the portfolio table. ``counted`` is
    ``counted_status`` of the same arguments when the caller has it already (an edition
    computes it once for the country and each county).
    """
    acts = params.activities() if acts is None else acts
    if st.PORTFOLIO_YEAR in ambitions.columns:
        ambitions = st.ambitions_for(ambitions, as_of.year)  # the edition's portfolio
    if counted is None or counted.as_of != as_of:
        counted = counted_status(
            events,
            kommuner,
            as_of,
            meldinger=meldinger,
            versions=versions,
            acts=acts,
            scopes=scopes,
        )
    if county is not None:
        table = st.status_by_county(counted.municipal, ambitions).filter(
            pl.col("fylkesnummer") == county
        )
    else:
        table = st.status_table(counted.municipal, ambitions)
    series = counted_series(counted, county)
    targets = table.select("losning", pl.col("ambisjon_andel").alias("ambisjon"), "i_omfang").join(
        acts.select("losning", "frist"), on="losning", how="inner"
    )
    assessed = assess_all(series, targets, as_of).drop("antall")
    info = acts.select("losning", pl.col("navn").alias("aktivitet"), "omfang_id", "frist")
    portfolio = [c for c in (st.PORTFOLIO_YEAR, st.CARRIED_FROM) if c in ambitions.columns]
    amb = ambitions.select("losning", "nr", *portfolio) if "nr" in ambitions.columns else None
    out = info.join(table.drop("telles_trinn"), on="losning", how="left").join(
        acts.select("losning", "telles_trinn"), on="losning", how="left"
    )
    out = out.join(assessed, on="losning", how="left")
    if amb is not None:
        out = out.join(amb, on="losning", how="left")
    else:
        out = out.with_columns(nr=pl.lit(None, pl.String))
    for c in (st.PORTFOLIO_YEAR, st.CARRIED_FROM):
        if c not in out.columns:
            out = out.with_columns(pl.lit(None, pl.Int64).alias(c))
    if county is None:
        pub = st.published_figures(publisert, ambitions, acts, as_of)
    else:
        pub = pl.DataFrame(
            schema={
                "losning": pl.String,
                "publisert": pl.Int64,
                "publisert_dato": pl.Date,
                "publisert_kilde": pl.String,
            }
        )
    empty = pl.col("i_omfang").is_null() | (pl.col("i_omfang") == 0)
    out = out.join(pub, on="losning", how="left").with_columns(
        avvik=pl.col("antall") - pl.col("publisert"),
        syntetisk=pl.col("syntetisk").fill_null(False),
        i_omfang=pl.col("i_omfang").fill_null(0),
        kategori=pl.col("kategori").fill_null(IKKE_BEREGNBAR),
        frist_passert=pl.col("frist") < as_of,
        merknad=pl.when(empty).then(pl.lit("ingen kommuner i omfanget")).otherwise("merknad"),
    )
    return out.select(OVERVIEW_COLUMNS).sort("nr", "losning", nulls_last=True)
