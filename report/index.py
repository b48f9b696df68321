# %% [markdown]
# ---
# title: "Status for kommunenes innføring av nasjonale e-helseløsninger"
# subtitle: "Kommunal sektors e-helseportefølje"
# publisher: KS
# ---

# %%
#| tags: [parameters]
# Parameters: None means "from the environment" (EHELSE_YEAR, EHELSE_REGION, EHELSE_PROCESSED),
# which `ehelse report` sets; `quarto render -P year:2024` or papermill may set them here.
year = None
region = None
processed = None

# %%
#| output: asis
import polars as pl

from analysis.publish import date_text, report_data, report_params, report_texts
from analysis.tables import (
    Tile,
    format_amount,
    format_date,
    format_expected,
    format_int,
    format_percent,
    notice,
    say,
    show_table,
    show_tiles,
)

p = report_params(year, region, processed)
d = report_data(p)
texts = report_texts()
pub_date = d.published_date
overview = d.overview
published = d.overview_published
county = d.region_name


def heading(row: dict) -> str:
    short = texts.get(row["losning"], {}).get("kort") or row["aktivitet"]
    return f"{row['nr']} {short}" if row["nr"] else short


def expected_line(r: dict) -> str:
    """ "Nådd juli 2023" or "Forventet: mars 2024 (februar–april 2024)"."""
    when = format_expected(
        r["kategori"], r["forventet_dato"], r["forventet_fra"], r["forventet_til"]
    )
    if r["kategori"] == "nådd":
        return when[0].upper() + when[1:]
    return f"Forventet: {when}"


def published_line(losning: str) -> str | None:
    """The portfolio's own figure (April) beside the one computed for the same date."""
    if published is None or pub_date is None:
        return None
    r = published.filter(pl.col("losning") == losning).row(0, named=True)
    month = f"{date_text(pub_date).split(' ', 1)[1]}"
    if r["publisert"] is None:
        return f"Publisert {month}: ingen status"
    line = f"Publisert {month}: {format_int(r['publisert'])}"
    if r["antall"] is not None and r["avvik"]:
        line += f" (beregnet {format_int(r['antall'])})"
    return line


# %% [markdown]
# ## Sammendrag

# %%
#| output: asis
inndeling = d.kommuner["inndeling"][0]
pub_text = (
    f"Porteføljen publiserte selv status per {date_text(pub_date).split(' ', 1)[1]}"
    if pub_date is not None
    else "Porteføljen har ingen publisert status"
)
if p.regional:
    n_county = d.in_region(d.kommuner).height
    say(
        f"Dette er den regionale utgaven for **{county}** av statusrapporten for {p.year}. "
        f"Tallene gjelder fylkets {n_county} kommuner, med tallene for hele landet ved siden av "
        "til sammenligning. Fylkets ambisjon er dets forholdsmessige andel av den nasjonale "
        "ambisjonen, etter hvor mange av kommunene i aktivitetens omfang som ligger i fylket."
    )
say(
    f"Rapporten viser hvor langt kommunene har kommet i å ta i bruk de nasjonale "
    f"e-helseløsningene i kommunal sektors e-helseportefølje, målt mot sektorens ambisjoner. "
    f"**Statusdatoen er {date_text(d.as_of)}**, slutten av rapportåret: alle tall er regnet ut "
    f"fra kommunevise data per denne datoen, i kommuneinndelingen for {inndeling} med "
    f"{format_int(d.kommuner.height)} kommuner. {pub_text}; de publiserte tallene vises ved "
    "siden av tallene beregnet for samme dato, og der de er uenige, vises begge. Kapitlet "
    "*Data og metode* beskriver kildene og hvordan tallene er laget."
)
if d.synthetic_sources:
    notice(
        "Noen av tallene i rapporten er laget av eksempeldata for å vise hvordan rapporten ser "
        "ut, og er ikke virkelige. Figurer og tabeller bygd på dem er merket «Eksempeldata». "
        "Kildene er listet i kapitlet *Data og metode*.",
        kind="eksempeldata",
        title="Eksempeldata.",
    )

# %%
#| output: asis
main = d.overview_region if p.regional and d.overview_region is not None else overview
measured = main.filter(pl.col("antall").is_not_null() & (pl.col("i_omfang") > 0))
groups: dict[str, list[str]] = {}
for r in measured.iter_rows(named=True):
    groups.setdefault(r["kategori"], []).append(
        texts.get(r["losning"], {}).get("kort") or r["aktivitet"]
    )
where = f"I {county}" if p.regional else "For hele landet"
points = []
for kategori, label in (
    ("nådd", "er ambisjonen nådd"),
    ("på sporet", "er tempoet godt nok til å nå ambisjonen innen fristen (på sporet)"),
    ("akselerasjon nødvendig", "må tempoet øke (akselerasjon nødvendig)"),
    ("begrenset fremgang", "går det for sakte (begrenset fremgang)"),
    ("tilbakegang", "går det tilbake"),
    ("ikke beregnbar", "kan fremdriften ikke beregnes"),
):
    names = groups.get(kategori, [])
    if names:
        joined = ", ".join(names[:-1]) + (" og " if len(names) > 1 else "") + names[-1]
        points.append(f"- For {len(names)} av {measured.height} aktiviteter {label}: {joined}.")
say(f"{where}, per {date_text(d.as_of)}:\n\n" + "\n".join(points))

# %% [markdown]
# ### Status per aktivitet

# %%
#| output: asis
tiles = []
for r in overview.iter_rows(named=True):
    if not p.regional:
        lines = [expected_line(r)]
        if r["telles_trinn"] == "tilgjengelig":
            lines.append("Teller kommuner der løsningen er tilgjengeliggjort")
        if (line := published_line(r["losning"])) is not None:
            lines.append(line)
        tiles.append(
            Tile(
                aktivitet=heading(r),
                i_bruk=r["antall"],
                ambisjon=r["ambisjon"],
                kategori=r["kategori"] if r["antall"] is not None else None,
                linjer=tuple(lines),
            )
        )
        continue
    c = d.overview_region.filter(pl.col("losning") == r["losning"]).row(0, named=True)
    national = (
        f"Landet: {format_int(r['antall'])} av {format_int(r['i_omfang'])} kommuner "
        f"({format_percent(r['andel_kommuner'])}), ambisjon {format_amount(r['ambisjon'])}"
        if r["antall"] is not None
        else "Landet: ingen status"
    )
    if not c["i_omfang"]:
        tiles.append(
            Tile(
                aktivitet=heading(r),
                i_bruk=None,
                ambisjon=None,
                tekst="Gjelder ikke fylket",
                linjer=(national,),
                merknad=f"Ingen av kommunene i {county} er i aktivitetens omfang.",
            )
        )
        continue
    lines = [
        f"Andel av ambisjonen: {format_amount(c['ambisjon_andel'])} kommuner "
        f"({format_percent((c['prosent_av_ambisjon'] or 0) / 100)} nådd)",
        expected_line(c),
        national,
    ]
    tiles.append(
        Tile(
            aktivitet=heading(r),
            i_bruk=c["antall"],
            ambisjon=c["i_omfang"],
            enhet="kommuner",
            bar_label="av fylkets kommuner",
            kategori=c["kategori"] if c["antall"] is not None else None,
            linjer=tuple(lines),
        )
    )
show_tiles(tiles, synthetic=bool(main["syntetisk"].any()))
if p.regional:
    say(
        f"Hver flis viser antall kommuner i {county} som telles mot ambisjonen, av fylkets "
        "kommuner i aktivitetens omfang, fylkets forholdsmessige andel av ambisjonen og "
        f"fremdriften mot den, med tallene for hele landet under. Statusdato {date_text(d.as_of)}."
    )
else:
    say(
        "Hver flis viser antall kommuner som telles mot ambisjonen per "
        f"{date_text(d.as_of)}, mot ambisjonen for aktiviteten, med fremdriftskategori og "
        "forventet dato for å nå ambisjonen med dagens tempo (intervall i parentes). "
        "Porteføljens publiserte tall står under; der kildene er uenige, står tallet beregnet "
        "for samme dato i parentes."
    )

# %% [markdown]
# ### Statustabellen

# %%
#| output: asis
if not p.regional:
    rows = overview.select(
        pl.concat_str(pl.col("nr"), pl.lit(" "), pl.col("aktivitet")).alias("aktivitet"),
        "antall",
        "ambisjon",
        (pl.col("prosent_av_ambisjon") / 100).alias("andel"),
        "kategori",
        pl.Series(
            "forventet",
            [
                format_expected(
                    r["kategori"], r["forventet_dato"], r["forventet_fra"], r["forventet_til"]
                )
                for r in overview.iter_rows(named=True)
            ],
            dtype=pl.String,
        ),
        "losning",
    )
    if published is not None:
        rows = rows.join(
            published.select(
                "losning",
                pl.col("publisert").alias("publisert_april"),
                pl.col("antall").alias("beregnet_april"),
                pl.col("avvik").alias("avvik_april"),
            ),
            on="losning",
            how="left",
        )
    month = date_text(pub_date).split(" ", 1)[1] if pub_date else ""
    show_table(
        rows.drop("losning"),
        f"Status mot ambisjonene per {format_date(d.as_of)}",
        labels={
            "aktivitet": "Aktivitet",
            "antall": "Antall",
            "ambisjon": "Ambisjon",
            "andel": "Andel av ambisjonen",
            "kategori": "Fremdrift",
            "forventet": "Forventet nådd",
            "publisert_april": f"Publisert {month}",
            "beregnet_april": f"Beregnet {format_date(pub_date)}" if pub_date else "",
            "avvik_april": "Avvik",
        },
        percent=["andel"],
        synthetic=bool(overview["syntetisk"].any()),
        name="status",
        source=(
            "Antall: kommuner som har tatt løsningen i bruk (Kjernejournal: tilgjengeliggjort). "
            "Publisert: porteføljens tabell over innføringsaktivitetene. Beregnet: fra de samme "
            "kommunevise dataene som resten av tabellen. Avvik: beregnet minus publisert."
        ),
    )
else:
    c = d.overview_region
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
    show_table(
        rows.drop("losning"),
        f"Status mot ambisjonene per {format_date(d.as_of)}: {county} og hele landet",
        labels={
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
        percent=["andel_kommuner", "andel_av_andelen", "landet_andel"],
        synthetic=bool(c["syntetisk"].any()),
        name="status",
        source=(
            "Antall: kommuner som har tatt løsningen i bruk (Kjernejournal: tilgjengeliggjort). "
            "Fylkets andel av ambisjonen: den nasjonale ambisjonen fordelt etter fylkets andel "
            "av kommunene i omfanget."
        ),
    )
