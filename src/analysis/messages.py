"""Message versions: which municipalities send the current versions of the message types.

Per municipality and month, the share of each type's messages that were sent in a current
version (``analysis/data/meldingsversjoner.csv``). A municipality complies in a month when every
type it sent reached at least 95 % current. Messages with no version number (systems that do
not report it) are counted apart and never as current: they lower the share, and a type that
misses the threshold only because of them is reported as "mangler versjonsnummer", not as
outdated. Types with no known current version are not assessed.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from analysis.status import ParameterError, package_csv

THRESHOLD = 0.95
LOSNING = "meldinger"
VERSION_COLUMNS = ("meldingstype", "navn", "gjeldende_versjoner", "merknad")
OPPFYLT = "oppfylt"
UTDATERT = "utdaterte versjoner"
UTEN_VERSJON = "mangler versjonsnummer"
IKKE_VURDERT = "ikke vurdert"


def current_versions() -> pl.DataFrame:
    """Message type -> its current version(s) (a list; several may be current at once)."""
    path, rows = package_csv("meldingsversjoner.csv")
    found = list(rows[0].keys()) if rows else []
    missing = [c for c in VERSION_COLUMNS if c not in found]
    if missing:
        raise ParameterError(f"{path}: mangler kolonne(r) {missing}; fant {found}")
    out = []
    for i, row in enumerate(rows, start=2):
        versions = [v.strip() for v in row["gjeldende_versjoner"].split("|") if v.strip()]
        if not row["meldingstype"]:
            raise ParameterError(f"{path}, rad {i}, kolonne meldingstype: mangler verdi")
        if not versions:
            raise ParameterError(f"{path}, rad {i}, kolonne gjeldende_versjoner: mangler verdi")
        out.append(
            {
                "meldingstype": row["meldingstype"],
                "navn": row["navn"],
                "gjeldende_versjoner": versions,
            }
        )
    df = pl.DataFrame(
        out,
        schema={
            "meldingstype": pl.String,
            "navn": pl.String,
            "gjeldende_versjoner": pl.List(pl.String),
        },
    )
    dupes = df.filter(pl.col("meldingstype").is_duplicated())["meldingstype"].to_list()
    if dupes:
        raise ParameterError(
            f"{path}, kolonne meldingstype: {sorted(set(dupes))} står flere ganger"
        )
    return df


def _classified(meldinger: pl.DataFrame, versions: pl.DataFrame) -> pl.DataFrame:
    current = versions.select("meldingstype", "gjeldende_versjoner").explode("gjeldende_versjoner")
    known = set(versions["meldingstype"].to_list())
    return (
        meldinger.select("periode", "kommunenummer", "meldingstype", "versjon", "antall")
        .join(
            current.rename({"gjeldende_versjoner": "versjon"}).with_columns(gjeldende=pl.lit(True)),
            on=["meldingstype", "versjon"],
            how="left",
        )
        .with_columns(
            klasse=pl.when(~pl.col("meldingstype").is_in(list(known)))
            .then(pl.lit("ukjent_type"))
            .when(pl.col("versjon").is_null())
            .then(pl.lit("uten_versjon"))
            .when(pl.col("gjeldende").fill_null(False))
            .then(pl.lit("gjeldende"))
            .otherwise(pl.lit("utdatert"))
        )
    )


def version_shares(
    meldinger: pl.DataFrame, versions: pl.DataFrame, threshold: float = THRESHOLD
) -> pl.DataFrame:
    """Per municipality, month and type: totalt, gjeldende, utdatert, uten_versjon,
    andel_gjeldende (of all, unversioned included), oppfylt (null for an unknown type) and
    utdaterte_versjoner (sorted)."""
    data = _classified(meldinger, versions)

    def n(kind: str) -> pl.Expr:
        return pl.col("antall").filter(pl.col("klasse") == kind).sum().cast(pl.Int64).alias(kind)

    out = (
        data.group_by("kommunenummer", "periode", "meldingstype")
        .agg(
            pl.col("antall").sum().cast(pl.Int64).alias("totalt"),
            n("gjeldende"),
            n("utdatert"),
            n("uten_versjon"),
            (pl.col("klasse") == "ukjent_type").any().alias("ukjent_type"),
            pl.col("versjon")
            .filter((pl.col("klasse") == "utdatert") & (pl.col("antall") > 0))
            .unique()
            .sort()
            .alias("utdaterte_versjoner"),
        )
        .with_columns(
            andel_gjeldende=pl.when(pl.col("ukjent_type") | (pl.col("totalt") == 0))
            .then(None)
            .otherwise(pl.col("gjeldende") / pl.col("totalt"))
        )
        .with_columns(oppfylt=pl.col("andel_gjeldende") >= threshold)
        .drop("ukjent_type")
        .sort("kommunenummer", "periode", "meldingstype")
    )
    return out


def compliance(
    meldinger: pl.DataFrame, versions: pl.DataFrame, threshold: float = THRESHOLD
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
    meldinger: pl.DataFrame, versions: pl.DataFrame, periode: date | None = None
) -> pl.DataFrame:
    """Municipalities still sending outdated versions in a month (default: the latest), with
    the versions and counts, the biggest senders first."""
    month = periode if periode is not None else latest_period(meldinger)
    data = _classified(meldinger, versions).filter(
        (pl.col("periode") == month) & (pl.col("klasse") == "utdatert") & (pl.col("antall") > 0)
    )
    return (
        data.group_by("kommunenummer", "meldingstype", "versjon")
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
    versions: pl.DataFrame,
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
    versions: pl.DataFrame,
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
    versions: pl.DataFrame,
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
