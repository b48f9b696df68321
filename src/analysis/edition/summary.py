"""The front chapter: summary, the status tiles and the status table, as data."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from analysis.edition import sentences as sn
from analysis.edition.activities import short_name
from analysis.edition.blocks import Block, NoticeBlock, TableBlock, Text, Tile, TilesBlock
from analysis.edition.data import EditionData, report_texts
from analysis.escape import markdown_text as md
from analysis.fmt import (
    date_text,
    format_amount,
    format_date,
    format_int,
    format_month,
    format_percent,
)
from analysis.metrics.rules import counted_steps_note


@dataclass(frozen=True)
class Summary:
    intro: list[Block] = field(default_factory=list)
    tiles: list[Block] = field(default_factory=list)
    table: list[Block] = field(default_factory=list)


def _published_line(d: EditionData, losning: str) -> str | None:
    """The portfolio's own figure beside the one computed for the same date."""
    if d.overview_published is None or d.published_date is None:
        return None
    r = d.overview_published.filter(pl.col("losning") == losning).row(0, named=True)
    month = format_month(d.published_date)
    if r["publisert"] is None:
        return f"Publisert {month}: ingen status"
    line = f"Publisert {month}: {format_int(r['publisert'])}"
    if r["antall"] is not None and r["avvik"]:
        line += f" (beregnet {format_int(r['antall'])})"
    return line


def portfolio_year(d: EditionData) -> int | None:
    """The year of the portfolio the edition's ambitions are carried over from, if older."""
    carried = d.ambitions["overfort_fra"].drop_nulls()
    return int(carried.max()) if carried.len() else None  # type: ignore[arg-type]


def intro(d: EditionData, texts: dict[str, dict[str, str]]) -> list[Block]:
    ed = d.edition
    blocks: list[Block] = []
    pub = (
        f"Porteføljen publiserte selv status per {format_month(d.published_date)}"
        if d.published_date is not None
        else "Porteføljen har ingen publisert status for perioden"
    )
    if d.regional:
        n_county = d.in_region(d.kommuner).height
        blocks.append(
            Text(
                f"Dette er den regionale utgaven for **{md(d.region_name)}** av statusrapporten for "
                f"{ed.year}. Tallene gjelder fylkets {n_county} kommuner, med tallene for hele "
                "landet ved siden av til sammenligning. Fylkets ambisjon er dets forholdsmessige "
                "andel av den nasjonale ambisjonen, etter hvor mange av kommunene i aktivitetens "
                "omfang som ligger i fylket."
            )
        )
    end = (
        "slutten av rapportåret"
        if d.as_of.month == 12 and d.as_of.day == 31
        else ("den siste dagen dataene dekker")
    )
    blocks.append(
        Text(
            "Rapporten viser hvor langt kommunene har kommet i å ta i bruk de nasjonale "
            "e-helseløsningene i kommunal sektors e-helseportefølje, målt mot sektorens "
            f"ambisjoner. **Statusdatoen er {date_text(d.as_of)}**, {end}: alle tall er regnet "
            f"ut fra kommunevise data per denne datoen, i kommuneinndelingen fra {ed.division} "
            f"med {format_int(d.kommuner.height)} kommuner. {pub}; de publiserte tallene vises "
            "ved siden av tallene beregnet for samme dato, og der de er uenige, vises begge. "
            "Kapitlet *Data og metode* beskriver hvordan tallene er laget, og vedlegget "
            "*Om statistikken* lister kildene."
        )
    )
    if (note := sn.carried_over(ed.year, portfolio_year(d))) is not None:
        blocks.append(NoticeBlock(note, title="Ambisjonene er videreført."))
    if d.synthetic_sources:
        blocks.append(
            NoticeBlock(
                "Noen av tallene i rapporten er laget av eksempeldata for å vise hvordan "
                "rapporten ser ut, og er ikke virkelige. Figurer og tabeller bygd på dem er "
                "merket «Eksempeldata». Kildene er listet i vedlegget *Om statistikken*.",
                kind="eksempeldata",
                title="Eksempeldata.",
            )
        )
    main = d.overview_region if d.regional and d.overview_region is not None else d.overview
    measured = main.filter(pl.col("antall").is_not_null() & (pl.col("i_omfang") > 0))
    groups: dict[str, list[str]] = {}
    for r in measured.iter_rows(named=True):
        groups.setdefault(r["kategori"], []).append(short_name(texts, r["losning"], r["aktivitet"]))
    where = f"I {md(d.region_name)}" if d.regional else "For hele landet"
    points = sn.summary_points(groups, measured.height)
    blocks.append(Text(f"{where}, per {date_text(d.as_of)}:\n\n" + "\n".join(points)))
    return blocks


def _heading(texts: dict[str, dict[str, str]], r: dict) -> str:
    short = short_name(texts, r["losning"], r["aktivitet"])
    return f"{r['nr']} {short}" if r["nr"] else short


def tiles(d: EditionData, texts: dict[str, dict[str, str]]) -> list[Block]:
    out = []
    for r in d.overview.iter_rows(named=True):
        if not d.regional:
            lines = [sn.expected_line(r)]
            if r["telles_trinn"] == "tilgjengelig":
                lines.append("Teller kommuner der løsningen er tilgjengeliggjort")
            if (line := _published_line(d, r["losning"])) is not None:
                lines.append(line)
            out.append(
                Tile(
                    aktivitet=_heading(texts, r),
                    i_bruk=r["antall"],
                    ambisjon=r["ambisjon"],
                    kategori=r["kategori"] if r["antall"] is not None else None,
                    linjer=tuple(lines),
                )
            )
            continue
        assert d.overview_region is not None
        c = d.overview_region.filter(pl.col("losning") == r["losning"]).row(0, named=True)
        national = (
            f"Landet: {format_int(r['antall'])} av {format_int(r['i_omfang'])} kommuner "
            f"({format_percent(r['andel_kommuner'])}), ambisjon {format_amount(r['ambisjon'])}"
            if r["antall"] is not None
            else "Landet: ingen status"
        )
        if not c["i_omfang"]:
            out.append(
                Tile(
                    aktivitet=_heading(texts, r),
                    i_bruk=None,
                    ambisjon=None,
                    tekst="Gjelder ikke fylket",
                    linjer=(national,),
                    merknad=f"Ingen av kommunene i {d.region_name} er i aktivitetens omfang.",
                )
            )
            continue
        lines = [
            f"Andel av ambisjonen: {format_amount(c['ambisjon_andel'])} kommuner "
            f"({format_percent((c['prosent_av_ambisjon'] or 0) / 100)} nådd)",
            sn.expected_line(c),
            national,
        ]
        out.append(
            Tile(
                aktivitet=_heading(texts, r),
                i_bruk=c["antall"],
                ambisjon=c["i_omfang"],
                enhet="kommuner",
                bar_label="av fylkets kommuner",
                kategori=c["kategori"] if c["antall"] is not None else None,
                linjer=tuple(lines),
            )
        )
    main = d.overview_region if d.regional and d.overview_region is not None else d.overview
    if d.regional:
        text = (
            f"Hver boks viser antall kommuner i {md(d.region_name)} som telles mot ambisjonen, av "
            "fylkets kommuner i aktivitetens omfang, fylkets forholdsmessige andel av ambisjonen "
            f"og fremdriften mot den, med tallene for hele landet under. Statusdato "
            f"{date_text(d.as_of)}."
        )
    else:
        text = (
            "Hver boks viser antall kommuner som telles mot ambisjonen per "
            f"{date_text(d.as_of)}, mot ambisjonen for aktiviteten, med fremdriftskategori og "
            "forventet dato for å nå ambisjonen med dagens tempo (intervall i parentes). "
            "Porteføljens publiserte tall står under; der kildene er uenige, står tallet "
            "beregnet for samme dato i parentes."
        )
    return [TilesBlock(tuple(out), synthetic=bool(main["syntetisk"].any())), Text(text)]


def summary_table(d: EditionData) -> list[Block]:
    overview = d.overview
    carried = portfolio_year(d)
    carried_note = f" Ambisjonene er videreført fra porteføljen for {carried}." if carried else ""
    if not d.regional:
        rows = overview.select(
            pl.concat_str(pl.col("nr"), pl.lit(" "), pl.col("aktivitet")).alias("aktivitet"),
            "antall",
            "ambisjon",
            (pl.col("prosent_av_ambisjon") / 100).alias("andel"),
            "kategori",
            pl.Series(
                "forventet", [sn.when(r) for r in overview.iter_rows(named=True)], dtype=pl.String
            ),
            "losning",
        )
        pub = d.overview_published
        month = format_month(d.published_date) if d.published_date else ""
        if pub is not None:
            rows = rows.join(
                pub.select(
                    "losning",
                    pl.col("publisert").alias("publisert_april"),
                    pl.col("antall").alias("beregnet_april"),
                    pl.col("avvik").alias("avvik_april"),
                ),
                on="losning",
                how="left",
            )
        return [
            TableBlock(
                rows.drop("losning"),
                f"Status mot ambisjonene per {format_date(d.as_of)}",
                {
                    "labels": {
                        "aktivitet": "Aktivitet",
                        "antall": "Antall",
                        "ambisjon": "Ambisjon",
                        "andel": "Andel av ambisjonen",
                        "kategori": "Fremdrift",
                        "forventet": "Forventet nådd",
                        "publisert_april": f"Publisert {month}",
                        "beregnet_april": (
                            f"Beregnet {format_date(d.published_date)}" if d.published_date else ""
                        ),
                        "avvik_april": "Avvik",
                    },
                    "percent": ["andel"],
                    "synthetic": bool(overview["syntetisk"].any()),
                    "name": "status",
                    "source": (
                        f"Antall: {counted_steps_note()}. Publisert: porteføljens tabell over "
                        "innføringsaktivitetene. Beregnet: fra de samme kommunevise dataene som "
                        "resten av tabellen. Avvik: beregnet minus publisert." + carried_note
                    ),
                },
            )
        ]
    c = d.overview_region
    assert c is not None
    county = d.region_name
    rows = c.select(
        "losning",
        pl.concat_str(pl.col("nr"), pl.lit(" "), pl.col("aktivitet")).alias("aktivitet"),
        "i_omfang",
        "antall",
        "andel_kommuner",
        "ambisjon_andel",
        (pl.col("prosent_av_ambisjon") / 100).alias("andel_av_andelen"),
        "kategori",
    ).join(
        overview.select(
            "losning",
            pl.col("antall").alias("landet_antall"),
            pl.col("andel_kommuner").alias("landet_andel"),
            pl.col("ambisjon").alias("landet_ambisjon"),
        ),
        on="losning",
        how="left",
    )
    return [
        TableBlock(
            rows.drop("losning"),
            f"Status mot ambisjonene per {format_date(d.as_of)}: {county} og hele landet",
            {
                "labels": {
                    "aktivitet": "Aktivitet",
                    "i_omfang": f"Kommuner i {county}",
                    "antall": "Antall",
                    "andel_kommuner": "Andel av kommunene",
                    "ambisjon_andel": "Fylkets andel av ambisjonen",
                    "andel_av_andelen": "Nådd av andelen",
                    "kategori": "Fremdrift",
                    "landet_antall": "Landet: antall",
                    "landet_andel": "Landet: andel av kommunene",
                    "landet_ambisjon": "Landet: ambisjon",
                },
                "percent": ["andel_kommuner", "andel_av_andelen", "landet_andel"],
                "synthetic": bool(c["syntetisk"].any()),
                "name": "status",
                "source": (
                    f"Antall: {counted_steps_note()}. Fylkets andel av ambisjonen: den nasjonale ambisjonen "
                    "fordelt etter fylkets andel av kommunene i omfanget." + carried_note
                ),
            },
        )
    ]


def summary(d: EditionData) -> Summary:
    texts = report_texts()
    return Summary(intro(d, texts), tiles(d, texts), summary_table(d))
