"""The data and method chapter: sources from the manifest, rejected rows, the rules in force,
and what changed since the previous edition, as data."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from analysis.edition.blocks import Block, Heading, TableBlock, Text
from analysis.edition.data import EditionData
from analysis.escape import markdown_link, markdown_text
from analysis.escape import markdown_text as md
from analysis.fmt import date_text, format_date, format_int, format_month


def source_line(s: dict[str, Any], synthetic_label: str = "Eksempeldata") -> str:
    """One entry of the source list (a markdown list item) from a catalogue entry as the
    manifest keeps it: title in bold, producer, address as a link when it is http(s), date
    accessed and licence. Every field is data and goes in as text (analysis.escape)."""
    title = s.get("title") or s.get("id") or ""
    parts = [f"**{markdown_text(str(title).rstrip('.'))}**"]
    if s.get("producer"):
        parts.append(markdown_text(str(s["producer"]).rstrip(".")))
    url = str(s.get("url") or "").strip()
    if url:
        parts.append(markdown_link(url))
    if s.get("date_accessed"):
        try:
            when = date_text(date.fromisoformat(str(s["date_accessed"])))
        except ValueError:
            when = str(s["date_accessed"])
        parts.append("Hentet " + markdown_text(when))
    if s.get("license"):
        parts.append("Lisens: " + markdown_text(str(s["license"]).rstrip(".")))
    text = ". ".join(parts) + "."
    return f"- {text} *{synthetic_label}.*" if s.get("synthetic") else f"- {text}"


def source_blocks(d: EditionData) -> list[Block]:
    from analysis.reference.boundaries import boundaries

    b = boundaries(d.edition.division)
    items = [source_line(s) for s in d.sources]
    items.append(f"- **Kommunegrenser.** {markdown_text(b.attribution)}")
    blocks: list[Block] = []
    if not d.sources:
        blocks.append(Text("Manifestet for dataene mangler, så kildelisten er ufullstendig."))
    blocks.append(Text("\n".join(items)))
    return blocks


def synthetic_blocks(d: EditionData) -> list[Block]:
    n = len(d.synthetic_sources)
    if not n:
        return [Text("Ingen av kildene i denne utgaven er eksempeldata.")]
    return [
        Text(
            f"{n} av kildene er syntetiske eksempeldata (merket *Eksempeldata* i kildelisten). "
            "De viser hvordan rapporten ser ut med kommunevise data, og er ikke virkelige. Alt "
            "som bygger på dem, er merket «Eksempeldata»."
        )
    ]


SAME_EVENT = "samme hendelse som kilden"  # a repeat of a kept event: counted once
REJECTS_LISTED = 50


def reject_blocks(d: EditionData) -> list[Block]:
    """How many rows were rejected and why, by source and kind of reason; then each reject
    that is not a repeat of a kept event, with its own reason, so a reader sees what failed."""
    from analysis.ingest.pipeline import reason_category

    if d.avvist is None:
        return [Text("Dataene har ingen tabell over avviste rader.")]
    if d.avvist.height == 0:
        return [Text("Ingen rader ble avvist.")]
    kinds = d.avvist.with_columns(
        slag=pl.col("grunn").map_elements(reason_category, return_dtype=pl.String)
    )
    repeats = kinds.filter(pl.col("grunn").str.starts_with(SAME_EVENT)).height
    blocks: list[Block] = [
        Text(
            f"{format_int(d.avvist.height)} rader ble avvist"
            + (
                f", av dem {format_int(repeats)} som gjentar en hendelse en annen kilde alt har "
                "gitt (den telles én gang)"
                if repeats
                else ""
            )
            + ". Fordelt på kilde og slag grunn:"
        ),
        TableBlock(
            kinds.group_by("kilde_id", "slag").agg(rader=pl.len()).sort("kilde_id", "slag"),
            "Avviste rader per kilde og grunn",
            {"labels": {"kilde_id": "Kilde", "slag": "Grunn", "rader": "Rader"}},
        ),
    ]
    other = d.avvist.filter(~pl.col("grunn").str.starts_with(SAME_EVENT)).sort("kilde_id", "rad")
    if other.height:
        shown = other.head(REJECTS_LISTED)
        more = other.height - shown.height
        blocks.append(
            TableBlock(
                shown.select("kilde_id", "rad", "kolonne", "grunn"),
                "Avviste rader med grunn"
                + (f" (de første {REJECTS_LISTED} av {format_int(other.height)})" if more else ""),
                {
                    "labels": {
                        "kilde_id": "Kilde",
                        "rad": "Rad",
                        "kolonne": "Kolonne",
                        "grunn": "Grunn",
                    },
                    "name": "avviste-rader",
                },
            )
        )
    return blocks


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
