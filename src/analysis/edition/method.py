"""The data and method chapter: sources from the manifest, rejected rows, the rules in force,
and what changed since the previous edition, as data."""

from __future__ import annotations

from datetime import date

import polars as pl

from analysis.edition.blocks import Block, Heading, TableBlock, Text
from analysis.edition.data import EditionData, counted_on
from analysis.escape import markdown_text as md
from analysis.fmt import date_text, format_date, format_int, format_month


def message_rule_blocks(d: EditionData) -> list[Block]:
    """Which message versions counted as current at the status date, and by which rule."""
    from analysis.metrics.rules import message_rule_text

    return [Text(message_rule_text(d.as_of))]


def counting_rule_blocks(d: EditionData) -> list[Block]:
    """What counts towards the ambition (step, message threshold, scopes), from the
    parameter tables."""
    from analysis.metrics.rules import counting_rule_text

    return [Text(counting_rule_text())]


def division_changes(previous: int, current: int) -> pl.DataFrame:
    """The municipalities whose number or area changed between two divisions."""
    from analysis.reference import crosswalk, load_register

    if previous == current:
        return pl.DataFrame(schema={"fra": pl.String, "til": pl.String, "endring": pl.String})
    old = dict(load_register(previous).select("kommunenummer", "kommunenavn_norsk").iter_rows())
    new = dict(load_register(current).select("kommunenummer", "kommunenavn_norsk").iter_rows())
    cw = crosswalk(previous, current).filter(pl.col("endret"))
    rows = []
    for r in cw.iter_rows(named=True):
        if r["til_nummer"] is None:
            rows.append((f"{r['fra_nummer']} {old[r['fra_nummer']]}", r["merknad"] or "", "delt"))
        else:
            rows.append(
                (
                    f"{r['fra_nummer']} {old[r['fra_nummer']]}",
                    f"{r['til_nummer']} {new.get(r['til_nummer'], '')}",
                    "nytt nummer",
                )
            )
    return pl.DataFrame(rows, schema=["fra", "til", "endring"], orient="row")


def previous_overview(d: EditionData) -> pl.DataFrame:
    """The previous year's status, computed from the same data on this edition's division."""
    from analysis.metrics.overview import status_overview

    when = date(d.edition.year - 1, 12, 31)
    return status_overview(
        d.adopsjon,
        d.kommuner,
        d.ambisjoner,
        when,
        meldinger=d.meldinger,
        versions=d.versions,
        publisert=d.publisert,
        county=d.region,
        counted=counted_on(d, when),
    )


def change_blocks(d: EditionData) -> list[Block]:
    """What changed since the previous year's edition built from the same data."""
    ed = d.edition
    prev_year = ed.year - 1
    prev_division = ed.previous_division
    now = d.overview_region if d.regional and d.overview_region is not None else d.overview
    before = previous_overview(d)
    cmp = now.select(
        "losning",
        pl.concat_str(pl.col("nr"), pl.lit(" "), pl.col("aktivitet")).alias("aktivitet"),
        pl.col("antall").alias("naa"),
        pl.col("kategori").alias("kategori_naa"),
    ).join(
        before.select(
            "losning", pl.col("antall").alias("for"), pl.col("kategori").alias("kategori_for")
        ),
        on="losning",
        how="left",
    )
    cmp = cmp.with_columns(endring=pl.col("naa") - pl.col("for")).select(
        "aktivitet", "for", "naa", "endring", "kategori_for", "kategori_naa"
    )
    where = f" i {md(d.region_name)}" if d.regional else ""
    blocks: list[Block] = [
        Text(
            f"Tabellen sammenligner status{where} per {date_text(d.as_of)} med forrige utgave, "
            f"status per {date_text(date(prev_year, 12, 31))}, regnet fra de samme dataene og med "
            "de samme reglene. Endringen er antall kommuner som telles nå, minus antallet da."
        ),
        TableBlock(
            cmp,
            f"Endring fra {format_date(date(prev_year, 12, 31))} til {format_date(d.as_of)}",
            {
                "labels": {
                    "aktivitet": "Aktivitet",
                    "for": f"Antall {prev_year}",
                    "naa": f"Antall {ed.year}",
                    "endring": "Endring",
                    "kategori_for": f"Fremdrift {prev_year}",
                    "kategori_naa": f"Fremdrift {ed.year}",
                },
                "synthetic": bool(now["syntetisk"].any()),
                "name": "endringer-forrige",
                "source": "– : ingen status det året.",
            },
        ),
    ]
    if prev_division != ed.division:
        changes = division_changes(prev_division, ed.division)
        n_new = changes.filter(pl.col("endring") == "nytt nummer").height
        split = changes.filter(pl.col("endring") == "delt")
        from analysis.reference import county_names

        old_c, new_c = county_names(prev_division), county_names(ed.division)
        gone = sorted(set(old_c) - set(new_c))
        came = sorted(set(new_c) - set(old_c))
        blocks.append(Heading("Ny kommuneinndeling"))
        blocks.append(
            Text(
                f"Fra {date_text(date(ed.division, 1, 1))} gjelder en ny kommuneinndeling: "
                f"{format_int(len(new_c))} fylker i stedet for {format_int(len(old_c))}, og "
                f"{format_int(d.kommuner.height)} kommuner. {format_int(n_new)} kommuner fikk nytt "
                f"nummer, og {format_int(split.height)} ble delt. Fylkene "
                + ", ".join(f"{c} {md(old_c[c])}" for c in gone)
                + " ble erstattet av "
                + ", ".join(f"{c} {md(new_c[c])}" for c in came)
                + ". Alle tall i denne utgaven, også forrige års, er regnet i den nye "
                "inndelingen: hendelser med gamle kommunenummer er ført over til de nye numrene. "
                "Hendelser for en kommune som ble delt, kan ikke føres over til én av de nye "
                "kommunene og er holdt utenfor (de står blant de avviste radene); de nye "
                "kommunene får sin status fra kilder som bruker de nye numrene."
            )
        )
        blocks.append(
            TableBlock(
                changes,
                f"Kommuner med nytt nummer eller nye grenser fra {date_text(date(ed.division, 1, 1))}",
                {
                    "labels": {"fra": "Før", "til": "Etter", "endring": "Endring"},
                    "name": "ny-inndeling",
                },
            )
        )
    if d.overview_published is not None and d.published_date is not None:
        month = format_month(d.published_date)
        pub = d.overview_published.select(
            pl.concat_str(pl.col("nr"), pl.lit(" "), pl.col("aktivitet")).alias("aktivitet"),
            "publisert",
            "antall",
            "avvik",
        )
        differ = pub.filter(pl.col("avvik").fill_null(0) != 0)
        blocks.append(Heading("Porteføljens egne tall"))
        blocks.append(
            Text(
                f"Tallene porteføljen publiserte for {month}, mot tallene beregnet for "
                f"{date_text(d.published_date)} fra dataene i denne rapporten. "
                + (
                    f"{differ.height} av aktivitetene avviker; der vises begge tallene i avsnittet."
                    if differ.height
                    else "Ingen av tallene avviker."
                )
            )
        )
        blocks.append(
            TableBlock(
                pub,
                f"Publisert i porteføljen og beregnet for {format_date(d.published_date)}",
                {
                    "labels": {
                        "aktivitet": "Aktivitet",
                        "publisert": f"Publisert ({month})",
                        "antall": "Beregnet",
                        "avvik": "Avvik",
                    },
                    "synthetic": bool(d.overview_published["syntetisk"].any()),
                    "name": "endringer",
                    # Printed, the status table on the front pages has these columns.
                    "printed": d.regional,
                    "source": "Avvik: beregnet minus publisert. – : ingen publisert status.",
                },
            )
        )
    return blocks
