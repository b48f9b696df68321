"""Message versions: which municipalities send the versions of the message types required at
the time.

The rule is a dated table (``analysis/metrics/data/meldingsversjoner.csv``, built from Norsk helsenett's
deadlines in ``data/raw/published/meldingsstandarder_frister.csv``): from a date, a version of a
type must be received or sent. The statistics count *sent* messages, so only the ``sende``
requirements decide. In a month, the versions counted as current for a type are those of its
latest ``sende`` requirement in force on the first day of the month, plus any version required
later (sending a newer version early is not outdated). Before a type's first dated requirement
the undated rows (the version then in use) count as well; a type with no dated requirement at
all counts its undated rows throughout.

Per municipality and month, the share of each type's messages that were sent in a current
version. A municipality complies in a month when every type it sent reached at least 95 %
current. Messages with no version number (systems that do not report it) are counted apart and
never as current: they lower the share, and a type that misses the threshold only because of
them is reported as "mangler versjonsnummer", not as outdated. Types with no rule are not
assessed.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import polars as pl

from analysis.metrics.params import KRAV, version_rules

THRESHOLD = 0.95
LOSNING = "meldinger"
SENDE, MOTTA = KRAV
COUNTED_KRAV = SENDE  # the statistics count sent messages
# grunnlag in required_versions: a requirement in force, before the first one, or none dated.
KRAV_GJELDER, FOR_KRAV, UTEN_KRAV = "krav", "før krav", "uten krav"
OPPFYLT = "oppfylt"
UTDATERT = "utdaterte versjoner"
UTEN_VERSJON = "mangler versjonsnummer"
IKKE_VURDERT = "ikke vurdert"
_EARLIEST = date(1900, 1, 1)  # stands for "before every dated requirement"
SCHEDULE = pl.List(pl.Struct({"versjon": pl.String, "fra": pl.Date}))


def _version_key(version: str) -> tuple[Any, ...]:
    """1.10 after 1.9: numeric parts compare as numbers."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-]", version))


def _schedule(versions: pl.DataFrame | None) -> pl.DataFrame:
    """Any accepted shape of ``versions`` -> meldingstype, versjon, fra (null: undated).

    Accepted: the rule table (``version_rules``), the frame of ``required_versions`` (its
    ``regler`` hold each type's dated schedule) and a plain frame of ``meldingstype`` and
    ``gjeldende_versjoner`` (a list), whose versions count in every month.
    """
    if versions is None:
        versions = version_rules()
    cols = versions.columns
    if "regler" in cols:
        out = versions.select("meldingstype", "regler").explode("regler").unnest("regler")
        out = out.filter(pl.col("versjon").is_not_null())
    elif "krav" in cols and "gjelder_fra" in cols:
        out = versions.filter(pl.col("krav") == COUNTED_KRAV).select(
            "meldingstype", "versjon", pl.col("gjelder_fra").alias("fra")
        )
    elif "gjeldende_versjoner" in cols:
        out = (
            versions.select("meldingstype", pl.col("gjeldende_versjoner").alias("versjon"))
            .explode("versjon")
            .with_columns(fra=pl.lit(None, pl.Date))
        )
    else:
        raise ValueError(
            "versions må ha kolonnene regler, krav og gjelder_fra, eller gjeldende_versjoner; "
            f"fant {cols}"
        )
    return out.select(
        pl.col("meldingstype").cast(pl.String),
        pl.col("versjon").cast(pl.String),
        pl.col("fra").cast(pl.Date),
    ).unique(maintain_order=True)


def _current_at(schedule: pl.DataFrame, dates: pl.DataFrame) -> pl.DataFrame:
    """Per date (column ``periode``) and type, the versions counted as current then: those of
    the latest requirement in force on that date and of every later one; before the first
    dated requirement also the undated ones."""
    eff = pl.col("fra").fill_null(_EARLIEST)
    floor = eff.filter(eff <= pl.col("periode")).max().over("periode", "meldingstype")
    return (
        dates.select(pl.col("periode").cast(pl.Date))
        .unique()
        .join(schedule, how="cross")
        .with_columns(_floor=floor)
        .filter(pl.col("_floor").is_null() | (eff >= pl.col("_floor")))
        .select("periode", "meldingstype", "versjon")
        .unique()
    )


def _sorted_versions(values: list[str]) -> list[str]:
    return sorted(set(values), key=_version_key)


def required_versions(as_of: date, rules: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per message type: the versions counted as current on ``as_of``
    (gjeldende_versjoner), the versions required then (kravversjoner) and from which date
    (krav_fra), the basis (krav | før krav | uten krav), the next requirement, the publisher,
    source and remark of the row(s) that decide, and the type's whole send schedule (regler),
    so that this frame can be passed to the monthly functions, which use the versions required
    in each month."""
    rules = version_rules() if rules is None else rules
    send = rules.filter(pl.col("krav") == COUNTED_KRAV)
    current = _current_at(
        _schedule(rules), pl.DataFrame({"periode": [as_of]}, schema={"periode": pl.Date})
    )
    out: list[dict[str, Any]] = []
    for mtype in rules["meldingstype"].unique(maintain_order=True).to_list():
        own = send.filter(pl.col("meldingstype") == mtype)
        undated = own.filter(pl.col("gjelder_fra").is_null())
        dated = own.filter(pl.col("gjelder_fra").is_not_null())
        past = dated.filter(pl.col("gjelder_fra") <= as_of)
        later = dated.filter(pl.col("gjelder_fra") > as_of)
        since = past["gjelder_fra"].max() if past.height else None
        upcoming = later["gjelder_fra"].min() if later.height else None
        in_force = past.filter(pl.col("gjelder_fra") == pl.lit(since, pl.Date))
        nxt = later.filter(pl.col("gjelder_fra") == pl.lit(upcoming, pl.Date))
        if in_force.height:
            grunnlag, deciding = KRAV_GJELDER, in_force
        else:
            grunnlag = FOR_KRAV if dated.height else UTEN_KRAV
            deciding = undated if undated.height else nxt
        out.append(
            {
                "meldingstype": mtype,
                "navn": rules.filter(pl.col("meldingstype") == mtype)["navn"][0],
                "gjeldende_versjoner": _sorted_versions(
                    current.filter(pl.col("meldingstype") == mtype)["versjon"].to_list()
                ),
                "kravversjoner": _sorted_versions(in_force["versjon"].to_list()),
                "krav_fra": since,
                "grunnlag": grunnlag,
                "neste_krav_fra": upcoming,
                "neste_kravversjoner": _sorted_versions(nxt["versjon"].to_list()),
                "utgiver": deciding["utgiver"][0] if deciding.height else None,
                "kilde": deciding["kilde"][0] if deciding.height else None,
                "merknad": deciding["merknad"][0] if deciding.height else None,
                "regler": own.sort("gjelder_fra", nulls_last=False)
                .select("versjon", pl.col("gjelder_fra").alias("fra"))
                .to_dicts(),
            }
        )
    return pl.DataFrame(
        out,
        schema={
            "meldingstype": pl.String,
            "navn": pl.String,
            "gjeldende_versjoner": pl.List(pl.String),
            "kravversjoner": pl.List(pl.String),
            "krav_fra": pl.Date,
            "grunnlag": pl.String,
            "neste_krav_fra": pl.Date,
            "neste_kravversjoner": pl.List(pl.String),
            "utgiver": pl.String,
            "kilde": pl.String,
            "merknad": pl.String,
            "regler": SCHEDULE,
        },
        orient="row",
    )


def current_versions(as_of: date | None = None) -> pl.DataFrame:
    """``required_versions`` on ``as_of`` (default today), kept for older callers: one row per
    type with ``gjeldende_versjoner``; passed to the monthly functions it applies the dated
    rule month by month."""
    return required_versions(as_of or date.today())


def _classified(
    meldinger: pl.DataFrame | pl.LazyFrame, versions: pl.DataFrame | None
) -> pl.LazyFrame:
    """Each row of the statistics as gjeldende | utdatert | uten_versjon | ukjent_type, by the
    versions counted as current in its own month (lazy: ``meldinger`` may be a scan)."""
    schedule = _schedule(versions)
    known = schedule["meldingstype"].unique().to_list()
    data = meldinger.lazy().select("periode", "kommunenummer", "meldingstype", "versjon", "antall")
    months = data.select(pl.col("periode").unique()).collect()
    current = _current_at(schedule, months).with_columns(gjeldende=pl.lit(True))
    return data.join(
        current.lazy(), on=["periode", "meldingstype", "versjon"], how="left", maintain_order="left"
    ).with_columns(
        klasse=pl.when(~pl.col("meldingstype").is_in(known))
        .then(pl.lit("ukjent_type"))
        .when(pl.col("versjon").is_null())
        .then(pl.lit("uten_versjon"))
        .when(pl.col("gjeldende").fill_null(False))
        .then(pl.lit("gjeldende"))
        .otherwise(pl.lit("utdatert"))
    )


def version_shares(
    meldinger: pl.DataFrame | pl.LazyFrame,
    versions: pl.DataFrame | None = None,
    threshold: float = THRESHOLD,
) -> pl.DataFrame:
    """Per municipality, month and type: totalt, gjeldende, utdatert, uten_versjon,
    andel_gjeldende (of all, unversioned included), oppfylt (null for an unknown type) and
    utdaterte_versjoner (sorted)."""
    data = _classified(meldinger, versions)
    keys = ["kommunenummer", "periode", "meldingstype"]

    def n(kind: str) -> pl.Expr:
        counted = pl.when(pl.col("klasse") == kind).then(pl.col("antall")).otherwise(0)
        return counted.sum().cast(pl.Int64).alias(kind)

    # The outdated versions of the few groups that have any, joined on: a list built in every
    # one of the groups (about one per row) costs more than all the rest.
    old = (
        data.filter((pl.col("klasse") == "utdatert") & (pl.col("antall") > 0))
        .group_by(keys)
        .agg(pl.col("versjon").unique().sort().alias("utdaterte_versjoner"))
    )
    out = (
        data.group_by(keys)
        .agg(
            pl.col("antall").sum().cast(pl.Int64).alias("totalt"),
            n("gjeldende"),
            n("utdatert"),
            n("uten_versjon"),
            (pl.col("klasse") == "ukjent_type").any().alias("ukjent_type"),
        )
        .join(old, on=keys, how="left")
        .with_columns(
            pl.col("utdaterte_versjoner").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            andel_gjeldende=pl.when(pl.col("ukjent_type") | (pl.col("totalt") == 0))
            .then(None)
            .otherwise(pl.col("gjeldende") / pl.col("totalt")),
        )
        .with_columns(oppfylt=pl.col("andel_gjeldende") >= threshold)
        .drop("ukjent_type")
        .sort(keys)
        .collect()
    )
    return out


def compliance(
    meldinger: pl.DataFrame | pl.LazyFrame,
    versions: pl.DataFrame | None = None,
    threshold: float = THRESHOLD,
) -> pl.DataFrame:
    """Per municipality and month: whether every assessed type it sent is >= ``threshold``
    current, with status (oppfylt | utdaterte versjoner | mangler versjonsnummer | ikke vurdert)
    and the types that fall short."""
    shares = version_shares(meldinger, versions, threshold)
    assessed = pl.col("oppfylt").is_not_null()
    short = assessed & ~pl.col("oppfylt")
    return (
        shares.group_by("kommunenummer", "periode")
        .agg(
            assessed.sum().cast(pl.Int64).alias("typer"),
            pl.col("oppfylt").fill_null(False).sum().cast(pl.Int64).alias("typer_oppfylt"),
            pl.col("meldingstype").filter(short).sort().alias("typer_ikke_oppfylt"),
            (short & (pl.col("utdatert") > 0)).any().alias("_utdatert"),
        )
        .with_columns(
            oppfylt=pl.when(pl.col("typer") == 0)
            .then(None)
            .otherwise(pl.col("typer_oppfylt") == pl.col("typer")),
        )
        .with_columns(
            status=pl.when(pl.col("oppfylt").is_null())
            .then(pl.lit(IKKE_VURDERT))
            .when(pl.col("oppfylt"))
            .then(pl.lit(OPPFYLT))
            .when(pl.col("_utdatert"))
            .then(pl.lit(UTDATERT))
            .otherwise(pl.lit(UTEN_VERSJON))
        )
        .drop("_utdatert")
        .sort("kommunenummer", "periode")
    )


def latest_period(meldinger: pl.DataFrame, as_of: date | None = None) -> date | None:
    """The newest month whose data is complete on ``as_of`` (its month has ended)."""
    periods = meldinger.select(pl.col("periode").unique())
    if as_of is not None:
        periods = periods.filter(pl.col("periode").dt.month_end() <= as_of)
    value = periods["periode"].max()
    return value if isinstance(value, date) else None


def outdated(
    meldinger: pl.DataFrame, versions: pl.DataFrame | None = None, periode: date | None = None
) -> pl.DataFrame:
    """Municipalities still sending outdated versions in a month (default: the latest), with
    the versions and counts, the biggest senders first."""
    month = periode if periode is not None else latest_period(meldinger)
    data = _classified(meldinger, versions).filter(
        (pl.col("periode") == month) & (pl.col("klasse") == "utdatert") & (pl.col("antall") > 0)
    )
    return (
        data.collect()
        .group_by("kommunenummer", "meldingstype", "versjon")
        .agg(pl.col("antall").sum().cast(pl.Int64))
        .with_columns(periode=pl.lit(month, pl.Date))
        .select("periode", "kommunenummer", "meldingstype", "versjon", "antall")
        .sort(
            pl.col("antall").sum().over("kommunenummer"),
            "kommunenummer",
            "meldingstype",
            "versjon",
            descending=[True, False, False, False],
        )
    )


def compliance_series(
    meldinger: pl.DataFrame,
    versions: pl.DataFrame | None = None,
    as_of: date | None = None,
    threshold: float = THRESHOLD,
    kommuner: pl.DataFrame | None = None,
    comp: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Compliant municipalities per month (dated at the month end), as a series for the
    trajectory: losning, dato, antall. ``kommuner`` limits it (e.g. to one county); ``comp``
    is ``compliance(meldinger, versions, threshold)`` when the caller has it already."""
    comp = compliance(meldinger, versions, threshold) if comp is None else comp
    if kommuner is not None:
        comp = comp.join(kommuner.select("kommunenummer"), on="kommunenummer", how="semi")
    months = meldinger.select(pl.col("periode").unique())
    if as_of is not None:
        months = months.filter(pl.col("periode").dt.month_end() <= as_of)
    counts = comp.group_by("periode").agg(
        pl.col("oppfylt").fill_null(False).sum().cast(pl.Int64).alias("antall")
    )
    return (
        months.join(counts, on="periode", how="left")
        .select(
            pl.lit(LOSNING).alias("losning"),
            pl.col("periode").dt.month_end().alias("dato"),
            pl.col("antall").fill_null(0),
        )
        .sort("dato")
    )


def compliance_events(
    meldinger: pl.DataFrame,
    versions: pl.DataFrame | None,
    as_of: date,
    threshold: float = THRESHOLD,
    comp: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The compliant municipalities of the latest complete month on ``as_of``, shaped as
    adoption events (losning meldinger, trinn i_bruk, dato at the month end), so the status
    table can count them like any other activity."""
    month = latest_period(meldinger, as_of)
    comp = compliance(meldinger, versions, threshold) if comp is None else comp
    comp = comp.filter((pl.col("periode") == month) & pl.col("oppfylt").fill_null(False))
    syn = (
        meldinger.filter(pl.col("periode") == month)
        .group_by("kommunenummer")
        .agg(pl.col("syntetisk").any())
        if "syntetisk" in meldinger.columns
        else comp.select("kommunenummer").with_columns(syntetisk=pl.lit(False))
    )
    return (
        comp.join(syn, on="kommunenummer", how="left")
        .select(
            pl.lit(LOSNING).alias("losning"),
            "kommunenummer",
            pl.lit("i_bruk").alias("trinn"),
            pl.col("periode").dt.month_end().alias("dato"),
            pl.col("syntetisk").fill_null(False),
        )
        .sort("kommunenummer")
    )


def with_message_events(
    events: pl.DataFrame,
    meldinger: pl.DataFrame | None,
    versions: pl.DataFrame | None,
    as_of: date,
    comp: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Adoption events plus message-version compliance as events of the activity
    ``meldinger``, so every status view counts it the same way. Without message data, or
    before its first complete month, the events are returned as they are."""
    cols = ["losning", "kommunenummer", "trinn", "dato", "syntetisk"]
    base = events.select(
        *cols[:4],
        (pl.col("syntetisk") if "syntetisk" in events.columns else pl.lit(False)).alias(
            "syntetisk"
        ),
    )
    if meldinger is None or not meldinger.height or latest_period(meldinger, as_of) is None:
        return base
    pseudo = compliance_events(meldinger, versions, as_of, comp=comp)
    return pl.concat([base, pseudo.select(cols)], how="vertical_relaxed")
