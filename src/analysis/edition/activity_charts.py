"""One activity's trend chart and its map of the municipalities' steps on the status date."""

from __future__ import annotations

from typing import Any, Final

import polars as pl

from analysis.edition import sentences as sn
from analysis.edition.blocks import Block, ChartBlock, Text
from analysis.edition.data import EditionData, projection_path, published_points
from analysis.edition.maps import (
    HALF,
    MAP_PAGE,
    NO_ANSWER_COLOURS,
    NO_ANSWER_LABELS,
    STATUS_ORDER,
    TREND_HALF,
    half_height,
    map_areas,
    map_options,
)
from analysis.edition.municipality_status import behind_list
from analysis.edition.skjema import with_unanswered
from analysis.escape import markdown_text as md
from analysis.fmt import date_text, format_amount, format_date, format_int, format_month
from analysis.metrics.params import scope_names

STATUS_WORDS: Final = {
    "i_bruk": "i bruk",
    "tilgjengelig": "tilgjengeliggjort",
    "planlagt": "planlagt",
    "ikke_startet": "ikke startet",
    "ikke_svart": "ikke svart",
    None: "ingen data",
}


def status_frame(d: EditionData, losning: str, synthetic: bool) -> pl.DataFrame:
    """Each municipality in the activity's scope with its step on the status date; one that
    got a status form, did not answer and has no step is «ikke svart», not «ikke startet»."""
    frame = d.in_region(d.municipal.filter(pl.col("losning") == losning)).select(
        "kommunenummer",
        "kommunenavn",
        "fylkesnavn",
        pl.when(pl.col("maalt"))
        .then(pl.col("trinn").fill_null("ikke_startet"))
        .otherwise(None)
        .alias("trinn"),
        "siden",
    )
    return with_unanswered(frame, losning, d.edition.processed, synthetic)


def trend(d: EditionData, r: dict[str, Any], synthetic: bool, short: str) -> ChartBlock | None:
    series = d.series_region if d.regional and d.series_region is not None else d.series
    s = series.filter(pl.col("losning") == r["losning"]).select("dato", "antall")
    if s.height == 0:
        return None
    county = d.region_name
    target = r["ambisjon_andel"] if d.regional else r["ambisjon"]
    proj = projection_path(
        d.as_of,
        float(r["antall"] or 0),
        None if target is None else float(target),
        r["forventet_dato"],
        r["forventet_fra"],
        r["forventet_til"],
    )
    pub = None if d.regional else published_points(d, r["losning"])
    frist = d.activities.filter(pl.col("losning") == r["losning"])["frist"][0]
    where = f"i {county} " if d.regional else ""
    caption = (
        f"{short}: kommuner {where}som har {sn.counted(r, short)}, ved hvert månedsskifte til "
        f"{format_date(d.as_of)}, med {'fylkets andel av ' if d.regional else ''}ambisjonen "
        f"({format_amount(target)}) og fristen ({format_date(frist)})."
    )
    if proj is not None:
        caption += (
            " Den stiplede linjen går til forventet dato for å nå ambisjonen, "
            f"{sn.when(r)}; det skraverte feltet viser intervallet."
        )
    if pub is not None and pub.height:
        caption += " Rutene er publiserte nasjonale tall."
    alt = (
        f"Linjediagram. Antallet kommuner {where}som har {sn.counted(r, short)}, steg fra "
        f"{format_int(s['antall'][0])} i {format_month(s['dato'].min())} til "
        f"{format_int(s['antall'][-1])} per {format_date(d.as_of)}. Ambisjonen er "
        f"{format_amount(target)}"
    )
    if r["kategori"] == "nådd":
        alt += f", nådd i {format_month(r['forventet_dato'])}."
    elif r["forventet_dato"] is not None:
        alt += f", og med dagens utvikling nås den i {format_month(r['forventet_dato'])}."
    else:
        alt += "."
    if pub is not None and pub.height:
        alt += (
            " Publiserte tall: "
            + "; ".join(
                f"{format_int(n)} per {format_date(t)}"
                for t, n in pub.select("dato", "antall").iter_rows()
            )
            + "."
        )
    return ChartBlock(
        "trend",
        s,
        {
            "ambition": target,
            "ambition_label": "Fylkets andel av ambisjonen" if d.regional else "Ambisjon",
            "projection": proj,
            "published": pub,
            "published_label": "Publisert nasjonalt tall",
            "deadline": frist,
            "name": f"Kommuner i {county}" if d.regional else "Kommuner",
            "synthetic": synthetic,
        },
        caption=caption,
        alt=alt,
        name=f"utvikling-{r['losning']}",
        data=s,
        static_height=TREND_HALF,
        static_width=HALF,
    )


def status_counts(frame: pl.DataFrame) -> str:
    """ "i bruk: 215; ikke startet: 74; ...": most municipalities first, a tie in the legend's
    order (group_by's own order differs from run to run)."""
    rank = {t: i for i, t in enumerate(STATUS_ORDER)}
    counts = frame.group_by("trinn").len().iter_rows()
    ranked = sorted(counts, key=lambda tn: (-tn[1], rank.get(tn[0], len(rank)), str(tn[0])))
    return "; ".join(f"{STATUS_WORDS.get(t, t)}: {format_int(n)}" for t, n in ranked)


def status_map(d: EditionData, r: dict[str, Any], synthetic: bool, short: str) -> list[Block]:
    frame = status_frame(d, r["losning"], synthetic)
    if frame.height == 0:
        return [
            Text(
                f"Ingen av kommunene i {md(d.region_name)} er i omfanget for {short}, så kartet er "
                "utelatt."
            )
        ]
    whole = r["omfang_id"] == "alle"
    areas, b = map_areas(d, frame, "trinn", order=STATUS_ORDER)
    scope = None if whole else areas["omrade"].to_list()
    area = f"{d.region_name}s" if d.regional else "landets"
    scope_text = "" if whole else f" i aktivitetens omfang ({scope_names()[r['omfang_id']]})"
    alt = (
        f"Kart over {area} kommuner{scope_text}, farget etter status for {short} per "
        f"{format_date(d.as_of)}. Antall kommuner per status, {status_counts(frame)}."
    )
    no_answer = "ikke_svart" in frame["trinn"].to_list()
    caption = (
        f"{short}: status per kommune {date_text(d.as_of)}. Ikke startet: ikke noe registrert "
        "trinn. Ingen data: kildene sier ikke noe om kommunen."
        + (
            " Ikke svart: kommunen fikk statusskjema, har ikke svart og har ikke noe trinn fra "
            "andre kilder."
            if no_answer
            else ""
        )
        + ("" if whole else " Bare kommunene i omfanget er vist.")
        + (" Bygger på eksempeldata." if synthetic else "")
    )
    return [
        ChartBlock(
            "map",
            areas,
            map_options(
                b,
                "trinn",
                legend_title="Status",
                region=d.region,
                codes=scope,
                synthetic=synthetic,
                **(
                    {
                        "labels": NO_ANSWER_LABELS,
                        "colours": NO_ANSWER_COLOURS,
                        "categories": STATUS_ORDER,
                    }
                    if no_answer
                    else {}
                ),
            ),
            caption=caption,
            alt=alt,
            name=f"kart-{r['losning']}",
            data=frame,
            static_height=half_height(MAP_PAGE) if d.region is None and whole else None,
            static_width=HALF,
        ),
        behind_list(d, r["losning"], frame, synthetic),
    ]
