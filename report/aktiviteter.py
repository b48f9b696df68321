# %% [markdown]
# ---
# title: "Innføringsaktivitetene (ett kapittel av statusrapporten)"
# ---

# %%
#| tags: [parameters]
year = None
region = None
processed = None

# %%
#| output: asis
from datetime import date

import polars as pl

from analysis import messages as msg
from analysis import status as st
from analysis.figures import municipality_map, share_chart, show, trend_chart
from analysis.publish import (
    date_text,
    projection_path,
    published_points,
    report_data,
    report_params,
    report_texts,
)
from analysis.reference.geometry import SOURCE as GEOMETRY
from analysis.tables import (
    format_amount,
    format_date,
    format_expected,
    format_int,
    format_month,
    format_number,
    format_percent,
    notice,
    page_break,
    say,
    show_table,
)

p = report_params(year, region, processed)
d = report_data(p)
texts = report_texts()
county = d.region_name
MAP_PAGE = 880  # px at 700 px wide: a map of the whole country fills an A4 page with caption
STEP_TEXT = {"i_bruk": "tatt i bruk", "tilgjengelig": "tilgjengeliggjort", "planlagt": "planlagt"}
COUNTY_LABELS = {
    "fylke": "Fylke",
    "i_omfang": "Kommuner i omfanget",
    "antall": "Antall",
    "andel_kommuner": "Andel av kommunene",
    "ambisjon_andel": "Forholdsmessig andel av ambisjonen",
    "andel_av_andelen": "Nådd av andelen",
    "gjenstar": "Gjenstår",
}
MESSAGE_STATUS = {
    msg.OPPFYLT: "Oppfyller kravet",
    msg.UTDATERT: "Sender utdaterte versjoner",
    msg.UTEN_VERSJON: "Mangler versjonsnummer",
}
MESSAGE_COLOURS = {
    msg.OPPFYLT: "#0072B2",
    msg.UTDATERT: "#D55E00",
    msg.UTEN_VERSJON: "#E69F00",
}


def counted(r: dict, text: dict[str, str]) -> str:
    """What a counted municipality has done: "tatt i bruk DigiHelsestasjon"."""
    if r["losning"] == msg.LOSNING:
        return "oppfylt kravet om gjeldende meldingsversjoner"
    step = STEP_TEXT.get(r["telles_trinn"], r["telles_trinn"])
    return f"{step} {text.get('kort') or r['aktivitet']}"


def when(x: dict) -> str:
    """The expected date with its interval: "mars 2024 (februar 2024–april 2024)"."""
    return format_expected(
        x["kategori"], x["forventet_dato"], x["forventet_fra"], x["forventet_til"]
    )


def expected_text(x: dict) -> str:
    """The category with the expected date: "nådd i juli 2023", "begrenset fremgang;
    forventet august 2027 (desember 2024–april 2028)"."""
    when = format_expected(
        x["kategori"], x["forventet_dato"], x["forventet_fra"], x["forventet_til"]
    )
    if x["kategori"] == "nådd":
        return when.replace("nådd ", "nådd i ", 1)
    return f"{x['kategori']}; forventet {when}" if x["forventet_dato"] else x["kategori"]


def pace_text(value: float | None) -> str:
    return "–" if value is None else f"{format_number(value, 1)} kommuner per år"


def status_paragraph(r: dict, where: str, text: dict[str, str], national: dict | None) -> str:
    """What the status table says about one activity, in a few sentences."""
    name = text.get("kort") or r["aktivitet"]
    if not r["i_omfang"]:
        return (
            f"{where} er ingen kommuner i omfanget for {name}, så aktiviteten gjelder ikke fylket."
        )
    if r["antall"] is None:
        return (
            f"{where} finnes det ingen status for {name} per {date_text(d.as_of)}: kildene har "
            "ingen data om aktiviteten, og manglende data er ikke det samme som null kommuner."
        )
    target = r["ambisjon_andel"] if p.regional else r["ambisjon"]
    target_text = (
        f"fylkets forholdsmessige andel av ambisjonen, {format_amount(target)} kommuner"
        if p.regional
        else f"ambisjonen på {format_amount(target)}"
    )
    share = (r["prosent_av_ambisjon"] or 0) / 100
    out = [
        f"{where} hadde **{format_int(r['antall'])}** av {format_int(r['i_omfang'])} kommuner "
        f"{counted(r, text)} per {date_text(d.as_of)}, mot {target_text} "
        f"({format_percent(share)} av {'andelen' if p.regional else 'ambisjonen'})."
    ]
    kat = r["kategori"]
    if kat == "nådd":
        out.append(
            f"Fremdriften er **nådd**: ambisjonen ble nådd i {format_month(r['forventet_dato'])}."
        )
    else:
        out.append(
            f"Fremdriften er **{kat}**: tempoet de siste 12 månedene var "
            f"{pace_text(r['tempo'])}, mot {pace_text(r['nodvendig_tempo'])} som trengtes for "
            "å nå ambisjonen innen fristen."
        )
        if r["forventet_dato"] is not None:
            out.append(f"Med dagens utvikling ventes ambisjonen nådd i {when(r)}.")
        elif r["merknad"]:
            out.append(f"Når ambisjonen nås, kan ikke anslås: {r['merknad']}.")
    if national is not None and national["antall"] is not None:
        out.append(
            f"For hele landet er tallet {format_int(national['antall'])} av "
            f"{format_int(national['i_omfang'])} kommuner "
            f"({format_percent(national['andel_kommuner'])}), "
            f"mot ambisjonen på {format_amount(national['ambisjon'])}; fremdriften er "
            f"{national['kategori']}."
        )
    return " ".join(out)


def published_paragraph(r: dict, text: dict[str, str]) -> str | None:
    """The portfolio's own figure beside the one computed for the same date, and the newest
    published figure near the status date."""
    parts = []
    if d.overview_published is not None and d.published_date is not None:
        pr = d.overview_published.filter(pl.col("losning") == r["losning"]).row(0, named=True)
        month = format_month(d.published_date)
        if pr["publisert"] is None:
            parts.append(f"Porteføljen oppga ingen status i {month}.")
            if pr["antall"] is not None:
                parts.append(
                    f"Beregnet fra dataene i denne rapporten var tallet {format_int(pr['antall'])} "
                    f"per {format_date(d.published_date)}."
                )
        elif pr["antall"] is not None and pr["avvik"]:
            n = abs(pr["avvik"])
            parts.append(
                f"Porteføljen publiserte {format_int(pr['publisert'])} i {month}. Beregnet fra "
                f"de kommunevise dataene per {format_date(d.published_date)} blir tallet "
                f"{format_int(pr['antall'])}, {n} {'kommune' if n == 1 else 'kommuner'} "
                f"{'færre' if pr['avvik'] < 0 else 'flere'}. Kildene er uenige, og begge tallene "
                "vises."
            )
        else:
            parts.append(
                f"Porteføljen publiserte {format_int(pr['publisert'])} i {month}, det samme som "
                f"tallet beregnet fra de kommunevise dataene per {format_date(d.published_date)}."
            )
    if r.get("publisert") is not None and r.get("publisert_dato") is not None:
        same = r["publisert"] == r["antall"]
        parts.append(
            f"Nyeste publiserte tall før statusdatoen er {format_int(r['publisert'])} per "
            f"{format_date(r['publisert_dato'])}"
            + (", det samme som det beregnede." if same else f" (avvik {r['avvik']:+d}).")
        )
    return " ".join(parts) or None


def key_figures(r: dict, national: dict | None) -> pl.DataFrame:
    """The activity's figures as a two-column table (three in a regional edition)."""

    def values(x: dict, regional: bool) -> list[str]:
        if x["antall"] is None:
            return ["ingen status"] + ["–"] * 8
        target = x["ambisjon_andel"] if regional else x["ambisjon"]
        return [
            format_int(x["antall"]),
            format_int(x["i_omfang"]),
            format_amount(target),
            format_percent((x["prosent_av_ambisjon"] or 0) / 100),
            format_amount(x["gjenstar"]),
            format_percent(x["andel_befolkning"]),
            pace_text(x["tempo"]),
            pace_text(x["nodvendig_tempo"]),
            expected_text(x),
        ]

    labels = [
        f"Antall per {format_date(d.as_of)}",
        "Kommuner i omfanget",
        "Fylkets andel av ambisjonen" if p.regional else "Ambisjon",
        "Nådd av ambisjonen",
        "Gjenstår",
        "Innbyggere i kommunene som telles",
        "Tempo siste 12 måneder",
        "Nødvendig tempo (samme periode)",
        "Fremdrift og forventet dato",
    ]
    frame = {"Nøkkeltall": labels}
    if p.regional and national is not None:
        frame[county or "Fylket"] = values(r, True)
        frame["Hele landet"] = values(national, False)
    else:
        frame["Verdi"] = values(r, False)
    return pl.DataFrame(frame)


def county_table(losning: str) -> pl.DataFrame:
    """Status per county with each county's proportional share, and the country."""
    rows = d.by_county.filter(pl.col("losning") == losning).select(
        pl.concat_str("fylkesnummer", pl.lit(" "), "fylkesnavn").alias("fylke"),
        "i_omfang",
        "antall",
        "andel_kommuner",
        "ambisjon_andel",
        (pl.col("prosent_av_ambisjon") / 100).alias("andel_av_andelen"),
        "gjenstar",
        (pl.col("fylkesnummer") == (p.region or "")).alias("utvalgt"),
    )
    total = d.overview.filter(pl.col("losning") == losning).select(
        pl.lit("Hele landet").alias("fylke"),
        "i_omfang",
        "antall",
        "andel_kommuner",
        pl.col("ambisjon").cast(pl.Float64).alias("ambisjon_andel"),
        (pl.col("prosent_av_ambisjon") / 100).alias("andel_av_andelen"),
        "gjenstar",
        pl.lit(False).alias("utvalgt"),
    )
    return pl.concat([rows, total], how="vertical_relaxed")


def map_frame(losning: str) -> pl.DataFrame:
    """Each municipality in the activity's scope with its step on the status date."""
    return d.in_region(d.municipal.filter(pl.col("losning") == losning)).select(
        "kommunenummer",
        "kommunenavn",
        "fylkesnavn",
        pl.when(pl.col("maalt"))
        .then(pl.col("trinn").fill_null("ikke_startet"))
        .otherwise(None)
        .alias("trinn"),
        "siden",
    )


def trend(r: dict, series: pl.DataFrame, synthetic: bool, text: dict[str, str]) -> None:
    s = series.filter(pl.col("losning") == r["losning"]).select("dato", "antall")
    if s.height == 0:
        return
    target = r["ambisjon_andel"] if p.regional else r["ambisjon"]
    proj = projection_path(
        d.as_of,
        float(r["antall"] or 0),
        None if target is None else float(target),
        r["forventet_dato"],
        r["forventet_fra"],
        r["forventet_til"],
    )
    pub = None if p.regional else published_points(d, r["losning"])
    frist = d.activities.filter(pl.col("losning") == r["losning"])["frist"][0]
    name = text.get("kort") or r["aktivitet"]
    fig = trend_chart(
        s,
        ambition=target,
        ambition_label="Fylkets andel av ambisjonen" if p.regional else "Ambisjon",
        projection=proj,
        published=pub,
        published_label="Publisert nasjonalt tall",
        deadline=frist,
        name=f"Kommuner i {county}" if p.regional else "Kommuner",
        synthetic=synthetic,
    )
    start = s["dato"].min()
    where = f"i {county} " if p.regional else ""
    caption = (
        f"{name}: kommuner {where}som har {counted(r, text)}, ved hvert månedsskifte til "
        f"{format_date(d.as_of)}, med {'fylkets andel av ' if p.regional else ''}ambisjonen "
        f"({format_amount(target)}) og fristen ({format_date(frist)})."
    )
    if proj is not None:
        caption += (
            " Den stiplede linjen går til forventet dato for å nå ambisjonen, "
            f"{when(r)}"
            "; det skraverte feltet viser intervallet."
        )
    if pub is not None and pub.height:
        caption += " Rutene er publiserte nasjonale tall."
    if synthetic:
        caption += " Linjen bygger på eksempeldata."
    alt = (
        f"Linjediagram. Antallet kommuner {where}som har {counted(r, text)}, steg fra "
        f"{format_int(s['antall'][0])} i {format_month(start)} til {format_int(s['antall'][-1])} "
        f"per {format_date(d.as_of)}. Ambisjonen er {format_amount(target)}"
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
    show(fig, caption=caption, alt=alt, name=f"utvikling-{r['losning']}", data=s)


def status_map(r: dict, synthetic: bool, text: dict[str, str]) -> None:
    frame = map_frame(r["losning"])
    name = text.get("kort") or r["aktivitet"]
    if frame.height == 0:
        say(f"Ingen av kommunene i {county} er i omfanget for {name}, så kartet er utelatt.")
        return
    scope = None if r["omfang_id"] == st.ALL else frame["kommunenummer"].to_list()
    fig = municipality_map(
        frame,
        "trinn",
        legend_title="Status",
        region=p.region,
        codes=scope,
        synthetic=synthetic,
    )
    tall = p.region is None and scope is None  # the whole country: a full page on paper
    counts = frame.group_by("trinn").len().sort("len", descending=True)
    from analysis.figures import STATUS_LABELS

    parts = [
        f"{STATUS_LABELS.get(t or 'ingen_data', t or 'Ingen data').lower()}: {format_int(n)}"
        for t, n in counts.iter_rows()
    ]
    area = f"{county}s" if p.regional else "landets"
    scope_text = "" if scope is None else " i aktivitetens omfang (Helse Midt-Norges område)"
    alt = (
        f"Kart over {area} kommuner{scope_text}, farget etter status for {name} per "
        f"{format_date(d.as_of)}. Antall kommuner per status, {'; '.join(parts)}."
    )
    caption = (
        f"{name}: status per kommune {format_date(d.as_of)}. «Ikke startet» er kommuner uten "
        "noe registrert trinn; «Ingen data» er kommuner kildene ikke sier noe om."
        + (" Bare kommunene i omfanget er vist." if scope is not None else "")
        + (" Bygger på eksempeldata." if synthetic else "")
        + f" {GEOMETRY.attribution}"
    )
    show(
        fig,
        caption=caption,
        alt=alt,
        name=f"kart-{r['losning']}",
        data=frame,
        static_height=MAP_PAGE if tall else None,
    )


def message_map(synthetic: bool) -> None:
    """Which municipalities met the requirement in the last complete month, and why not."""
    if d.compliance is None:
        return
    month = msg.latest_period(d.meldinger, d.as_of)
    comp = d.compliance.filter(pl.col("periode") == month).select(
        "kommunenummer", "status", "typer_ikke_oppfylt"
    )
    frame = (
        d.in_region(d.kommuner)
        .select("kommunenummer", "kommunenavn", "fylkesnavn")
        .join(comp, on="kommunenummer", how="left")
        .with_columns(
            status=pl.when(pl.col("status") == msg.IKKE_VURDERT)
            .then(None)
            .otherwise(pl.col("status"))
        )
    )
    fig = municipality_map(
        frame,
        "status",
        categories=list(MESSAGE_STATUS),
        labels=MESSAGE_STATUS,
        colours=MESSAGE_COLOURS,
        legend_title="Meldingsversjoner",
        region=p.region,
        synthetic=synthetic,
    )
    counts = {k: frame.filter(pl.col("status") == k).height for k in MESSAGE_STATUS}
    missing = frame.filter(pl.col("status").is_null()).height
    area = f"{county}s" if p.regional else "landets"
    alt = (
        f"Kart over {area} kommuner for {format_month(month)}: "
        + "; ".join(f"{MESSAGE_STATUS[k].lower()}: {format_int(n)}" for k, n in counts.items())
        + f"; ingen data: {format_int(missing)}."
    )
    caption = (
        f"Meldingsversjoner per kommune i {format_month(month)}: om hver meldingstype ble sendt "
        "minst 95 % i gjeldende versjon. «Mangler versjonsnummer»: kravet er ikke nådd bare fordi "
        "systemet ikke oppgir versjon. «Ingen data»: ingen meldinger i statistikken."
        + (" Bygger på eksempeldata." if synthetic else "")
        + f" {GEOMETRY.attribution}"
    )
    frame = frame.with_columns(pl.col("typer_ikke_oppfylt").list.join(", "))
    show(
        fig,
        caption=caption,
        alt=alt,
        name="kart-meldinger",
        data=frame,
        static_height=None if p.regional else MAP_PAGE,
    )


def messages_detail(synthetic: bool) -> None:
    """Share current per type over time, the types in the last month, and who still sends
    outdated versions."""
    if d.meldinger is None or d.compliance is None:
        return
    month = msg.latest_period(d.meldinger, d.as_of)
    data = d.in_region(d.meldinger).filter(pl.col("periode") <= month)
    shares = msg.version_shares(data, d.versions)
    per_type = (
        shares.group_by("meldingstype", "periode")
        .agg(pl.col("totalt", "gjeldende", "utdatert", "uten_versjon").sum())
        .with_columns(andel=pl.col("gjeldende") / pl.col("totalt"))
        .join(d.versions.select("meldingstype", "navn"), on="meldingstype", how="inner")
        .sort("meldingstype", "periode")
    )
    say("#### Meldingstypene")
    chart = per_type.select(pl.col("navn"), pl.col("periode").dt.month_end().alias("dato"), "andel")
    fig = share_chart(
        chart,
        group_col="navn",
        threshold=msg.THRESHOLD,
        threshold_label="Krav per kommune",
        y_title="Andel i gjeldende versjon",
        synthetic=synthetic,
    )
    last = per_type.filter(pl.col("periode") == month).sort("meldingstype")
    where = f"i {county}" if p.regional else "nasjonalt"
    show(
        fig,
        caption=(
            f"Andelen meldinger sendt i gjeldende versjon per meldingstype og måned, {where}, til "
            f"{format_month(month)}. Meldinger uten versjonsnummer regnes ikke som gjeldende."
            + (" Bygger på eksempeldata." if synthetic else "")
        ),
        alt=(
            "Linjediagram med én linje per meldingstype. Andelen i gjeldende versjon i "
            f"{format_month(month)}: "
            + "; ".join(
                f"{n}: {format_percent(a)}" for n, a in last.select("navn", "andel").iter_rows()
            )
            + "."
        ),
        name="meldingstyper",
        data=chart,
    )
    current = d.versions.select(
        "meldingstype", pl.col("gjeldende_versjoner").list.join(", ").alias("gjeldende")
    )
    table = last.join(current, on="meldingstype", how="left").select(
        "navn",
        "gjeldende",
        "totalt",
        "andel",
        (pl.col("utdatert") / pl.col("totalt")).alias("andel_utdatert"),
        "uten_versjon",
        (pl.col("uten_versjon") / pl.col("totalt")).alias("andel_uten"),
    )
    show_table(
        table,
        f"Meldinger per type i {format_month(month)}, {where}",
        labels={
            "navn": "Meldingstype",
            "gjeldende": "Gjeldende versjon",
            "totalt": "Meldinger",
            "andel": "I gjeldende versjon",
            "andel_utdatert": "I utdatert versjon",
            "uten_versjon": "Uten versjonsnummer",
            "andel_uten": "Andel uten versjonsnummer",
        },
        percent=["andel", "andel_utdatert", "andel_uten"],
        decimals={"andel": 1, "andel_utdatert": 1, "andel_uten": 1},
        synthetic=synthetic,
        source="Gjeldende versjoner: src/analysis/data/meldingsversjoner.csv (ehelse.no).",
    )
    comp = d.in_region(d.compliance.filter(pl.col("periode") == month))
    no_version = comp.filter(pl.col("status") == msg.UTEN_VERSJON).height
    total = table["uten_versjon"].sum()
    say(
        f"**Meldinger uten versjonsnummer telles for seg.** I {format_month(month)} manglet "
        f"{format_int(total)} meldinger {where} versjonsnummer "
        f"({format_percent(total / max(table['totalt'].sum(), 1), 1)} av alle). De regnes aldri "
        f"som gjeldende. {format_int(no_version)} kommuner når ikke kravet bare fordi systemet "
        "ikke oppgir versjon; de er ikke regnet blant dem som sender utdaterte versjoner."
    )
    say("#### Kommuner som fortsatt sender utdaterte versjoner")
    old = d.in_region(msg.outdated(d.meldinger, d.versions, month))
    if old.height == 0:
        say(
            f"Ingen kommuner {where} sendte meldinger i utdaterte versjoner i "
            f"{format_month(month)}."
        )
        return
    listing = (
        old.join(d.kommuner.select("kommunenummer", "kommunenavn"), on="kommunenummer")
        .with_columns(
            hva=pl.concat_str(
                "meldingstype",
                pl.lit(" "),
                "versjon",
                pl.lit(" ("),
                pl.col("antall").cast(pl.String),
                pl.lit(")"),
            )
        )
        .group_by("kommunenummer", "kommunenavn", maintain_order=True)
        .agg(pl.col("hva").str.join("; "), pl.col("antall").sum())
        .select(
            pl.concat_str("kommunenummer", pl.lit(" "), "kommunenavn").alias("kommune"),
            "hva",
            "antall",
        )
    )
    say(
        f"{format_int(listing.height)} kommuner {where} sendte fortsatt meldinger i utdaterte "
        f"versjoner i {format_month(month)}. Tabellen viser meldingstype og versjon med antall "
        "meldinger, flest utdaterte meldinger først."
    )
    show_table(
        listing,
        f"Kommuner som sendte utdaterte meldingsversjoner i {format_month(month)}",
        labels={
            "kommune": "Kommune",
            "hva": "Meldingstype, versjon (antall)",
            "antall": "Utdaterte meldinger",
        },
        synthetic=synthetic,
        name="utdaterte-meldinger",
    )


def youth_section(synthetic_parent: bool) -> None:
    """DigiHelsestasjon's youth solution: no ambition of its own, counted like an activity."""
    text = texts.get("digihelsestasjon_ungdom", {})
    losning = "digihelsestasjon_ungdom"
    if d.events.filter(pl.col("losning") == losning).height == 0:
        return
    acts = pl.DataFrame(
        {
            "losning": [losning],
            "navn": [text.get("kort", "DigiHelsestasjon ungdom")],
            "telles_trinn": ["i_bruk"],
            "omfang_id": [st.ALL],
            "frist": [d.as_of],
            "maal": ["adopsjon"],
            "merknad": [None],
        },
        schema_overrides={"merknad": pl.String},
    )
    scopes = st.scope_members(d.kommuner).filter(pl.col("omfang_id") == st.ALL)
    municipal = d.in_region(st.municipal_status(d.events, d.kommuner, acts, scopes, d.as_of))
    series = st.count_series(d.events, municipal, d.as_of).filter(
        pl.col("dato") >= date(d.as_of.year - 1, 12, 31)
    )
    count = int(municipal["telles"].fill_null(False).sum())
    parent = set(
        d.in_region(d.municipal)
        .filter((pl.col("losning") == "digihelsestasjon") & pl.col("telles").fill_null(False))[
            "kommunenummer"
        ]
        .to_list()
    )
    youth = set(municipal.filter(pl.col("telles").fill_null(False))["kommunenummer"].to_list())
    synthetic = bool(d.events.filter((pl.col("losning") == losning) & pl.col("syntetisk")).height)
    say(f"#### {text.get('kort', 'DigiHelsestasjon ungdom')}")
    say(text.get("hva", ""))
    where = f"i {county}" if p.regional else ""
    say(
        f"Per {date_text(d.as_of)} hadde {format_int(count)} kommuner {where} tatt "
        f"ungdomsløsningen i bruk; {format_int(len(youth & parent))} av dem har også "
        "DigiHelsestasjon i bruk." + (" Tallene bygger på eksempeldata." if synthetic else "")
    )
    if series.height and count:
        fig = trend_chart(series.select("dato", "antall"), name="Kommuner", synthetic=synthetic)
        show(
            fig,
            caption=(
                f"DigiHelsestasjon ungdom: kommuner {where} som har tatt løsningen i bruk, ved "
                f"hvert månedsskifte i {d.as_of.year}. Porteføljen setter ingen ambisjon."
                + (" Bygger på eksempeldata." if synthetic else "")
            ),
            alt=(
                f"Linjediagram. Antallet kommuner {where} med DigiHelsestasjon ungdom i bruk steg "
                f"fra {format_int(series['antall'][0])} til {format_int(series['antall'][-1])} "
                f"gjennom {d.as_of.year}."
            ),
            name="utvikling-digihelsestasjon-ungdom",
            data=series,
        )


def section(r: dict) -> None:
    text = texts.get(r["losning"], {})
    region_row = (
        d.overview_region.filter(pl.col("losning") == r["losning"]).row(0, named=True)
        if p.regional and d.overview_region is not None
        else None
    )
    row = region_row or r
    synthetic = bool(row["syntetisk"])
    name = text.get("kort") or r["aktivitet"]
    page_break()
    say(f"### {name}")
    if synthetic:
        notice(
            f"Tallene for {name} i dette avsnittet bygger på syntetiske eksempeldata og er ikke "
            "virkelige.",
            kind="eksempeldata",
            title="Eksempeldata.",
        )
    owner = " · ".join(
        f"{k}: {v}"
        for k, v in (
            ("Innsatsområde", r.get("innsatsomrade")),
            ("Eier", r.get("eier")),
            ("Tidsramme", r.get("tidsramme")),
        )
        if v
    )
    say(f"*Porteføljens aktivitet {r['nr']}: «{r['aktivitet_full']}».* {owner}.")
    if text.get("hva"):
        say(text["hva"])
    if text.get("anbefaling"):
        say(
            "**Porteføljen anbefaler kommunene** å "
            f"{text['anbefaling'][0].lower()}{text['anbefaling'][1:]}"
        )
    say("#### Status mot ambisjonen")
    where = f"I {county}" if p.regional else "I hele landet"
    say(status_paragraph(row, where, text, r if p.regional else None))
    if text.get("maaling"):
        say(f"*Hva som telles:* {text['maaling']}")
    if not p.regional and (para := published_paragraph(r, text)):
        say(para)
    if text.get("status_april") and d.published_date is not None:
        say(
            f"*Porteføljens statustekst ({format_month(d.published_date)}):* {text['status_april']}"
        )
    show_table(
        key_figures(row, r if p.regional else None),
        f"Nøkkeltall for {name} per {format_date(d.as_of)}",
        synthetic=synthetic,
        name=f"nokkeltall-{r['losning']}",
    )
    if row["antall"] is None or not row["i_omfang"]:
        return
    say("#### Utvikling over tid")
    series = d.series_region if p.regional and d.series_region is not None else d.series
    trend(row, series, synthetic, text)
    if r["losning"] == "meldinger":
        say("#### Kommunene")
        message_map(synthetic)
        messages_detail(synthetic)
    else:
        say("#### Kommunene")
        status_map(r, synthetic, text)
    say("#### Fylkene")
    table = county_table(r["losning"])
    ranked = d.by_county.filter(pl.col("losning") == r["losning"]).sort(
        "andel_kommuner", descending=True
    )
    if ranked.height > 1:
        top = ranked.row(0, named=True)
        low = ranked.row(-1, named=True)
        text_rank = (
            f"Høyest andel har {top['fylkesnavn']} ({format_percent(top['andel_kommuner'])}), "
            f"lavest {low['fylkesnavn']} ({format_percent(low['andel_kommuner'])})."
        )
        own = ranked.filter(pl.col("fylkesnummer") == (p.region or ""))
        if p.regional and own.height:
            share = own["andel_kommuner"][0]
            place = ranked.filter(pl.col("andel_kommuner") > share).height + 1
            text_rank += f" {county} er nummer {place} av {ranked.height}."
        say(
            "Hvert fylke har en forholdsmessig andel av ambisjonen etter hvor mange av omfangets "
            f"kommuner det har. {text_rank}"
        )
    show_table(
        table,
        f"{name}: status per fylke {format_date(d.as_of)}",
        labels=COUNTY_LABELS,
        percent=["andel_kommuner", "andel_av_andelen"],
        emphasis="utvalgt",
        synthetic=synthetic,
        name=f"fylker-{r['losning']}",
    )
    if r["losning"] == "digihelsestasjon":
        youth_section(synthetic)


# %% [markdown]
# ## Innføringsaktivitetene
#
# Porteføljen anbefaler kommunene sju innføringsaktiviteter, i prioritert rekkefølge. Hvert
# avsnitt under tar for seg én av dem, med samme nummer som i porteføljen: hva løsningen er,
# status mot ambisjonen med porteføljens publiserte tall ved siden av, utviklingen over tid med
# forventet dato for å nå ambisjonen, kommunene på kart og fylkene i en tabell.

# %%
#| output: asis
full_titles = dict(d.ambisjoner.select("losning", "aktivitet").iter_rows())
info = d.ambisjoner.select("losning", "innsatsomrade", "eier", "tidsramme")
for activity in d.overview.join(info, on="losning", how="left").iter_rows(named=True):
    section(
        activity | {"aktivitet_full": full_titles.get(activity["losning"], activity["aktivitet"])}
    )
