"""The regional comparison: counties and regional networks side by side, as data."""

from __future__ import annotations

import polars as pl

from analysis.edition.activities import short_name
from analysis.edition.blocks import Block, Heading, TableBlock, Text
from analysis.edition.data import EditionData, report_texts
from analysis.escape import markdown_text as md
from analysis.fmt import date_text, format_amount, format_date, format_percent


def _wide(df: pl.DataFrame, keys: list[str], cell: pl.Expr, order: list[str]) -> pl.DataFrame:
    """One row per region, one column per activity (in the portfolio's order)."""
    out = df.with_columns(celle=cell).pivot(on="losning", index=keys, values="celle").sort(keys[0])
    return out.select(*keys, *[k for k in order if k in out.columns])


def _share_cell() -> pl.Expr:
    return pl.concat_str(
        (pl.col("andel_kommuner") * 100).round(0).cast(pl.Int64).cast(pl.String),
        pl.lit("\u00a0% ("),
        pl.col("rangering").cast(pl.String),
        pl.lit(".)"),
    )


def regional_blocks(d: EditionData) -> list[Block]:
    """The chapter's blocks after its introduction, in reading order."""
    from analysis.metrics import params, regions
    from analysis.metrics.rules import scope_sentences

    texts = report_texts()
    order = [k for k, _ in d.overview.select("losning", "nr").rows()]
    short = {k: short_name(texts, k, k) for k in order}
    narrow = dict(params.activities().select("losning", "overskrift").iter_rows())
    heads = {"fylke": "Fylke"} | {k: narrow.get(k, short[k]) for k in short}
    measured = d.municipal.filter(pl.col("maalt"))
    by_county = regions.regional_status(measured, d.ambitions, "fylke")
    by_network = regions.regional_status(measured, d.ambitions, "nettverk")
    synthetic = bool(d.overview["syntetisk"].any())
    blocks: list[Block] = [
        Text(
            f"Tallene gjelder {date_text(d.as_of)}. Fylkene er rangert innen hver aktivitet, "
            "høyest andel først; like verdier deler plass. "
            + " ".join(scope_sentences(members="fylkene"))
        ),
        Heading("Andel av kommunene per fylke", 3),
    ]
    shares = _wide(by_county, ["fylkesnummer", "fylkesnavn"], _share_cell(), order)
    blocks.append(
        TableBlock(
            shares.select(
                pl.concat_str("fylkesnummer", pl.lit(" "), "fylkesnavn").alias("fylke"),
                *[pl.col(k).fill_null("–") for k in shares.columns[2:]],
                (pl.col("fylkesnummer") == (d.region or "")).alias("utvalgt"),
            ),
            "Andel av kommunene i omfanget som telles, med plass blant fylkene, "
            f"{format_date(d.as_of)}",
            {
                "labels": heads,
                "emphasis": "utvalgt",
                "synthetic": synthetic,
                "searchable": False,
                "name": "fylker-andel",
                "source": "Plassen står i parentes. – : ingen kommuner i omfanget.",
            },
        )
    )
    if d.regional:
        own = by_county.filter(pl.col("fylkesnummer") == d.region)
        totals = dict(by_county.group_by("losning").len().iter_rows())
        places = []
        for k in order:
            hit = own.filter(pl.col("losning") == k)
            if hit.height and hit["rangering"][0] is not None:
                places.append(f"{short[k]} nummer {hit['rangering'][0]} av {totals[k]}")
        if places:
            blocks.append(Text(f"{md(d.region_name)} ligger på plass: " + "; ".join(places) + "."))
    blocks.append(Heading("Gap mot den forholdsmessige andelen", 3))
    gaps = _wide(by_county, ["fylkesnummer", "fylkesnavn"], pl.col("gap"), order)
    gap_table = gaps.select(
        pl.concat_str("fylkesnummer", pl.lit(" "), "fylkesnavn").alias("fylke"),
        *gaps.columns[2:],
        (pl.col("fylkesnummer") == (d.region or "")).alias("utvalgt"),
    )
    behind = by_county.filter(pl.col("gap") > 0.5)
    blocks.append(
        Text(
            "Gapet er fylkets andel av ambisjonen minus kommunene som telles: et positivt tall er "
            "antall kommuner fylket mangler for å bære sin del, et negativt tall (−) hvor mange det "
            f"ligger foran. Til sammen ligger fylkene {format_amount(round(float(behind['gap'].sum() or 0), 1))} "
            "kommuner bak sine andeler i aktivitetene der de ligger bak."
        )
    )
    blocks.append(
        TableBlock(
            gap_table,
            f"Gap mot fylkets forholdsmessige andel av ambisjonen, {format_date(d.as_of)}",
            {
                "labels": heads,
                "decimals": {k: 1 for k in gap_table.columns[1:-1]},
                "emphasis": "utvalgt",
                "synthetic": synthetic,
                "searchable": False,
                "name": "fylker-gap",
            },
        )
    )
    blocks.append(Heading("De regionale digitaliseringsnettverkene", 3))
    if by_network["nettverk_id"].n_unique() == by_county["fylkesnummer"].n_unique():
        blocks.append(
            Text(
                "De regionale digitaliseringsnettverkene er her tilnærmet med fylkene. I "
                f"kommuneinndelingen fra {d.edition.division} er hvert fylke ett nettverk, så "
                "nettverkene står for de samme tallene som fylkene over."
            )
        )
    else:
        net = _wide(by_network, ["nettverk_id", "nettverk"], _share_cell(), order)
        blocks.append(
            TableBlock(
                net.select("nettverk", *[pl.col(k).fill_null("–") for k in net.columns[2:]]),
                f"Andel av kommunene per regionalt nettverk, med plass, {format_date(d.as_of)}",
                {
                    "labels": {"nettverk": "Nettverk"} | heads,
                    "synthetic": synthetic,
                    "searchable": False,
                    "name": "nettverk-andel",
                },
            )
        )
    blocks.append(
        Text(
            "Hele landet: "
            + "; ".join(
                f"{short[r['losning']]} {format_percent(r['andel_kommuner'])}"
                for r in d.overview.iter_rows(named=True)
                if r["andel_kommuner"] is not None
            )
            + " av kommunene i omfanget."
        )
    )
    return blocks
