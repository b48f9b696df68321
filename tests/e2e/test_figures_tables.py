"""Figure and table builders: what they draw and how both renderings carry it (fast, no kernel,
no browser)."""

from __future__ import annotations

import itertools
import json
import math
import re
import shutil
import subprocess
from datetime import date
from typing import Any

import plotly.graph_objects as go
import polars as pl
import pytest

from analysis import config, fmt
from analysis.edition.blocks import Tile
from analysis.escape import typst_string
from analysis.fmt import format_int, format_number, format_percent
from analysis.present import blocks, maps, output, static, theme
from analysis.present.charts import norwegian_date_ticks, share_chart, trend_chart
from analysis.present.maps import county_map, municipality_map
from analysis.present.output import FigureOutput
from analysis.present.static_spec import static_spec
from analysis.present.tables import table
from analysis.present.theme import INGEN_DATA, STATUS_COLOURS
from analysis.reference import geometry


def square(code: str, x: float, y: float) -> dict[str, Any]:
    ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]  # counter-clockwise
    return {
        "type": "Feature",
        "id": code,
        "properties": {"kommunenummer": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


GEO = {
    "type": "FeatureCollection",
    "features": [
        square("0301", 10, 59),
        square("4601", 5, 60),
        square("4602", 6, 61),
        square("4603", 7, 61),
    ],
}


def signed_area(ring: list[list[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2


@pytest.fixture(autouse=True)
def fresh_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test is a new page: nothing emitted yet, HTML only unless a test says otherwise."""
    output.new_page()
    static.reset_stats()
    monkeypatch.setenv("EHELSE_TARGET", "html")


# --- numbers ---------------------------------------------------------------------------------


def test_norwegian_number_formats() -> None:
    assert format_int(5550203) == "5\u202f550\u202f203"
    assert format_int(356) == "356"
    assert format_int(-1200) == "−1\u202f200"
    assert format_number(1234.56) == "1\u202f234,6"
    assert format_number(0.5, 2) == "0,50"
    assert format_percent(0.8647) == "86\u00a0%"
    assert format_percent(0.8647, 1) == "86,5\u00a0%"
    assert format_int(None) == format_number(None) == format_percent(None) == "–"


# --- tables ----------------------------------------------------------------------------------


def county_frame(n: int = 3) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "fylke": [f"Fylke {i} | del" for i in range(n)],
            "kommuner": list(range(1, n + 1)),
            "andel": [0.25] * n,
            "utvalgt": [i == 1 for i in range(n)],
        }
    )


def test_table_markdown_is_a_pipe_table_with_caption_and_bold_rows() -> None:
    t = table(
        county_frame(),
        "Kommuner per fylke",
        labels={"fylke": "Fylke", "kommuner": "Kommuner", "andel": "Andel"},
        percent=["andel"],
        emphasis="utvalgt",
        source="Kilde: SSB",
    )
    md = t.markdown()
    lines = [line for line in md.splitlines() if line.startswith("|")]
    assert lines[0] == "| Fylke | Kommuner | Andel |"
    assert re.fullmatch(r"\|:-+\|-+:\|-+:\|", lines[1])  # numbers right-aligned
    # Every ASCII punctuation mark of a cell is escaped (the pipe too): text, never markup.
    assert lines[2] == "| Fylke 0 \\| del | 1 | 25\u00a0\\% |"
    assert lines[3] == "| **Fylke 1 \\| del** | **2** | **25\u00a0\\%** |"  # the emphasised row
    # the caption, then a blank line: Quarto joins an asis cell's outputs as they come
    assert "\n: Kommuner per fylke. Kilde\\: SSB\n\n" in md
    # A short table is kept whole on its page.
    assert md.startswith("```{=typst}\n#block(breakable: false") and md.endswith("]\n```\n\n")
    assert "utvalgt" not in md


def test_table_html_has_caption_scoped_ids_and_keyboard_region() -> None:
    html = table(county_frame(), "Kommuner per fylke", name="fylker").html()
    assert "Kommuner per fylke" in html
    assert 'role="region" tabindex="0"' in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)) and all(i.startswith("tbl-fylker") for i in ids)
    assert 'type="search"' not in html  # three rows: no search field
    assert "http" not in html.lower().replace("xmlns", "")


def test_long_table_is_searchable_and_the_script_comes_once() -> None:
    first = table(county_frame(20), "Lang tabell").html()
    second = table(county_frame(20), "Lang tabell to").html()
    assert 'type="search"' in first and 'aria-controls="tbl-lang-tabell-t"' in first
    assert '<label for="tbl-lang-tabell-sok">Søk i tabellen</label>' in first
    assert 'aria-live="polite"' in first
    assert first.count("ehelse.filter = function") == 1
    assert "ehelse.filter = function" not in second


def test_table_bundle_follows_the_target(monkeypatch: pytest.MonkeyPatch) -> None:
    t = table(county_frame(), "Tabell")
    data, meta = t._repr_mimebundle_()
    assert "text/html" in data and "text/markdown" not in data
    monkeypatch.setenv("EHELSE_TARGET", "pdf")
    data, _ = t._repr_mimebundle_()
    assert "text/markdown" in data and "text/html" not in data
    assert meta["ehelse"]["kind"] == "table"


def test_table_rejects_unknown_columns_and_empty_caption() -> None:
    with pytest.raises(KeyError, match="andel_x"):
        table(county_frame(), "Tabell", percent=["andel_x"])
    with pytest.raises(ValueError, match="tabelltekst"):
        table(county_frame(), "  ")


def test_tiles_show_count_against_ambition_in_both_renderings() -> None:
    tiles = blocks.Tiles(
        [
            Tile("DigiHelsestasjon", 147, 170),
            Tile("Meldingsversjoner", None, 356),
        ],
        synthetic=True,
    )
    html = tiles.html()
    assert "147 av 170" in html
    assert 'aria-label="86 prosent av ambisjonen"' in html
    assert "Ingen status" in html and "Eksempeldata" in html
    typst = tiles.markdown()
    # example data also set the state the template's page header and title page read
    assert typst.startswith("```{=typst}\n#ehelse-eksempeldata.update(true)\n#fliser((")
    assert 'tall: "147", ambisjon: "170", andel: 0.8647' in typst
    assert 'tall: none, ambisjon: "356", andel: none' in typst
    assert "eksempeldata: true" in typst


def test_tiles_carry_lines_units_and_a_text_instead_of_a_count() -> None:
    tiles = blocks.Tiles(
        [
            Tile(
                "DigiHelsestasjon",
                26,
                43,
                kategori="nådd",
                linjer=("Landet: 196 av 356 kommuner",),
                enhet="kommuner",
                bar_label="av fylkets kommuner",
            ),
            Tile("Helseplattformen", None, None, tekst="Gjelder ikke fylket"),
        ]
    )
    html = tiles.html()
    assert "26 av 43" in html and "kommuner</span>" in html
    assert 'aria-label="60 prosent av fylkets kommuner"' in html
    assert 'class="kategori kategori-nadd"' in html and "Landet: 196 av 356 kommuner" in html
    assert "Gjelder ikke fylket" in html and "Ingen status" not in html
    typst = tiles.markdown()
    assert 'enhet: "kommuner", linjer: ("Landet: 196 av 356 kommuner", )' in typst
    assert 'tall: "Gjelder ikke fylket"' in typst


def test_expected_date_text() -> None:
    assert fmt.format_month(date(2024, 3, 30)) == "mars 2024"
    assert (
        fmt.format_expected("på sporet", date(2024, 3, 30), date(2024, 2, 1), date(2024, 4, 15))
        == "mars 2024 (februar 2024–april 2024)"
    )
    assert fmt.format_expected("nådd", date(2023, 7, 31)) == "nådd juli 2023"
    assert fmt.format_expected("ikke beregnbar", None) == "–"
    assert fmt.format_amount(20.53) == "20,5" and fmt.format_amount(170.0) == "170"


def test_pdf_column_widths_keep_numbers_whole_and_share_the_rest() -> None:
    df = pl.DataFrame(
        {
            "aktivitet": ["2.3 DigiHelsestasjon", "2.4 Helseplattformen"],
            "antall": [196, 18],
            "forventet": ["august 2027 (desember 2024–april 2028) " * 2, "juli 2023"],
        }
    )
    t = table(df, "Status", labels={"antall": "Ambisjon"})
    narrow = t.widths(budget=40)
    assert narrow[1] >= round(len("Ambisjon") * 1.15) + 2  # the heading word fits
    assert narrow[2] < t.widths(budget=400)[2]  # the long text column gives way
    pipes = [line for line in t.markdown().splitlines() if line.startswith("|")]
    dashes = [len(c) for c in pipes[1].strip("|").split("|")]
    assert dashes == t.widths()


def test_page_break_is_for_the_pdf_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EHELSE_TARGET", "html,pdf")
    bundle = blocks.PageBreak()._repr_mimebundle_()
    assert bundle["text/html"] == "" and "#ny-side()" in bundle["text/markdown"]


def test_typst_string_cannot_break_out() -> None:
    assert typst_string('a "b" \\ #c\n d') == '"a \\"b\\" \\\\ #c d"'


# --- maps ------------------------------------------------------------------------------------


def status_frame() -> pl.DataFrame:
    # 4603 is absent: "ingen data"; 4602 is explicitly not started.
    return pl.DataFrame(
        {
            "kommunenummer": ["0301", "4601", "4602"],
            "kommunenavn": ["Oslo", "Bergen", "Kinn"],
            "trinn": ["i_bruk", "planlagt", "ikke_startet"],
        }
    )


def traces_by_name(fig: go.Figure) -> dict[str, go.Choropleth]:
    return {t.name.split(" (")[0]: t for t in fig.data}


def test_status_map_keeps_no_data_apart_from_not_started() -> None:
    fig = municipality_map(status_frame(), "trinn", geojson=GEO)
    traces = traces_by_name(fig)
    assert list(traces) == ["I bruk", "Planlagt", "Ikke startet", "Ingen data"]
    assert list(traces["Ingen data"].locations) == ["4603"]
    assert list(traces["Ikke startet"].locations) == ["4602"]
    no_data = traces["Ingen data"].colorscale[0][1]
    not_started = traces["Ikke startet"].colorscale[0][1]
    assert no_data == STATUS_COLOURS[INGEN_DATA] and not_started != no_data
    assert traces["I bruk"].name == "I bruk (1)"
    # on plotly's geo subplot, fitted to the areas, without plotly's own coastlines
    assert {t.type for t in fig.data} == {"choropleth"}
    assert fig.layout.geo.fitbounds == "locations" and fig.layout.geo.visible is False
    # every trace names the same boundaries (drawn once on the page), with its own locations
    assert len({t.geojson for t in fig.data}) == 1
    assert maps.geojson_of(fig.data[0].geojson) is GEO


def test_region_limits_the_map_to_the_county() -> None:
    fig = municipality_map(status_frame(), "trinn", geojson=GEO, region="46")
    shown = sorted(c for t in fig.data for c in t.locations)
    assert shown == ["4601", "4602", "4603"]
    with pytest.raises(ValueError, match="fylke '99'"):
        municipality_map(status_frame(), "trinn", geojson=GEO, region="99")


def test_bins_cut_numbers_into_labelled_classes() -> None:
    df = pl.DataFrame(
        {
            "kommunenummer": ["0301", "4601", "4602", "4603"],
            "kommunenavn": list("abcd"),
            "befolkning": [717_710, 1_500, 4_999, None],
        }
    )
    fig = municipality_map(df, "befolkning", bins=[2_000, 5_000], geojson=GEO)
    traces = traces_by_name(fig)
    assert list(traces["under 2\u00a0000"].locations) == ["4601"]
    assert list(traces["2\u00a0000–4\u00a0999"].locations) == ["4602"]
    assert list(traces["5\u00a0000 og over"].locations) == ["0301"]
    assert list(traces["Ingen data"].locations) == ["4603"]


def test_unknown_category_and_missing_column_are_errors() -> None:
    with pytest.raises(ValueError, match="uten kategori"):
        municipality_map(status_frame(), "trinn", geojson=GEO, categories=["i_bruk"])
    with pytest.raises(KeyError, match="'status'"):
        municipality_map(status_frame(), "status", geojson=GEO)


def test_synthetic_label_is_inside_the_figure() -> None:
    fig = municipality_map(status_frame(), "trinn", geojson=GEO, synthetic=True)
    assert theme.is_synthetic(fig)
    assert any("Eksempeldata" in a.text for a in fig.layout.annotations)
    assert not theme.is_synthetic(municipality_map(status_frame(), "trinn", geojson=GEO))


def test_static_version_of_a_map_is_a_vector_geo_trace_with_clockwise_rings() -> None:
    fig = municipality_map(status_frame(), "trinn", geojson=GEO, synthetic=True)
    spec = static_spec(fig, 700, 880)
    main = [t for t in spec["data"] if "geo" not in t]
    assert {t["type"] for t in spec["data"]} == {"choropleth"}
    geo = spec["layout"]["geo"]
    assert geo["fitbounds"] == "locations" and geo["visible"] is False
    assert "map" not in spec["layout"]
    ring = main[0]["geojson"]["features"][0]["geometry"]["coordinates"][0][0]
    assert signed_area(ring) < 0  # d3-geo wants clockwise exterior rings
    assert [f["id"] for f in main[0]["geojson"]["features"]] == list(main[0]["locations"])
    source = GEO["features"][0]["geometry"]["coordinates"][0]
    assert signed_area(source) > 0  # the interactive map keeps GeoJSON's orientation
    assert any("Eksempeldata" in a["text"] for a in spec["layout"]["annotations"])
    # on paper, a map of the whole country repeats the Oslo area enlarged in a framed inset
    inset = [t for t in spec["data"] if t.get("geo") == "geo2"]
    assert [list(t["locations"]) for t in inset] == [["0301"]]  # only what the inset shows
    assert spec["layout"]["geo2"]["showframe"] is True and not inset[0]["showlegend"]
    county = static_spec(municipality_map(status_frame(), "trinn", geojson=GEO, region="46"))
    assert "geo2" not in county["layout"] and {t.get("geo") for t in county["data"]} == {None}


def test_static_map_boundaries_are_snapped_to_the_pages_pixels() -> None:
    """A ring of many points a fraction of a pixel apart keeps only the points the page can
    show; neighbours snap the same points alike, so they still meet."""
    fine = [
        [10 + 0.5 * math.cos(a / 5000 * math.tau), 60 + 0.25 * math.sin(a / 5000 * math.tau)]
        for a in range(5001)
    ]
    geo = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "0301",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": [fine]},
            },
            square("4601", 5, 60),
            square("4602", 20, 70),
        ],
    }
    frame = pl.DataFrame(
        {
            "kommunenummer": ["0301", "4601", "4602"],
            "kommunenavn": ["a", "b", "c"],
            "trinn": ["i_bruk"] * 3,
        }
    )
    spec = static_spec(municipality_map(frame, "trinn", geojson=geo, region="03"), 700, 720)
    ring = spec["data"][0]["geojson"]["features"][0]["geometry"]["coordinates"][0][0]
    assert 4 <= len(ring) < len(fine)  # a county map: the ring fills the page, keeps detail
    whole = static_spec(municipality_map(frame, "trinn", geojson=geo), 700, 720)
    main = next(t for t in whole["data"] if "geo" not in t)
    small = main["geojson"]["features"][0]["geometry"]["coordinates"][0][0]
    assert 4 <= len(small) < len(ring)  # the whole country: fewer points for the same ring
    assert small[0] == small[-1]


# --- trend chart -----------------------------------------------------------------------------


def test_trend_chart_draws_ambition_projection_and_band() -> None:
    series = pl.DataFrame({"dato": [date(2022, 4, 30), date(2023, 4, 30)], "antall": [101, 147]})
    projection = pl.DataFrame(
        {
            "dato": [date(2023, 4, 30), date(2024, 4, 30)],
            "antall": [147.0, 175.0],
            "lav": [147.0, 160.0],
            "hoy": [147.0, 190.0],
        }
    )
    published = pl.DataFrame(
        {"dato": [date(2023, 4, 30)], "antall": [147], "kilde": ["KS: porteføljen 2023"]}
    )
    fig = trend_chart(
        series, ambition=170, projection=projection, published=published, synthetic=True
    )
    names = [t.name for t in fig.data]
    assert names == [
        "Kommuner (eksempeldata)",  # the computed series is example data ...
        "Publisert (virkelige tall)",  # ... the published markers are not
        "Framskrevet (intervall)",
        "Framskrevet",
    ]
    assert fig.data[1].mode == "markers" and list(fig.data[1].y) == [147]
    assert fig.data[3].line.dash == "dash" and fig.data[2].fill == "toself"
    plain = trend_chart(series, ambition=20.53, published=published)
    assert [t.name for t in plain.data] == ["Kommuner", "Publisert"]
    assert any(a.text == "Ambisjon: 20,5" for a in plain.layout.annotations)  # a county share
    assert not theme.is_synthetic(plain)
    line = [s for s in fig.layout.shapes if s.y0 == 170]
    assert line and line[0].y1 == 170
    assert any(a.text == "Ambisjon: 170" for a in fig.layout.annotations)
    assert fig.layout.xaxis.ticktext[0] == "apr. 2022"
    assert fig.layout.separators == ",\u00a0"


def test_share_chart_draws_one_line_per_group_in_percent_with_the_threshold() -> None:
    df = pl.DataFrame(
        {
            "navn": ["PLO", "PLO", "Epikrise", "Epikrise"],
            "dato": [date(2023, 1, 31), date(2023, 2, 28)] * 2,
            "andel": [0.5, 0.9, 0.2, None],
        }
    )
    fig = share_chart(df, group_col="navn", threshold=0.95, synthetic=True)
    assert [t.name for t in fig.data] == ["Epikrise", "PLO"]
    assert list(fig.data[1].y) == [50.0, 90.0] and list(fig.data[0].y) == [20.0, None]
    assert fig.data[0].line.dash != fig.data[1].line.dash  # apart without colour too
    assert [s.y0 for s in fig.layout.shapes] == [95.0]
    assert theme.is_synthetic(fig)


def test_codes_limit_the_map_to_a_scope_and_bad_codes_are_an_error() -> None:
    fig = municipality_map(status_frame(), "trinn", geojson=GEO, codes=["4601", "4602"])
    assert sorted(c for t in fig.data for c in t.locations) == ["4601", "4602"]
    with pytest.raises(ValueError, match="utvalget"):
        municipality_map(status_frame(), "trinn", geojson=GEO, codes=["9999"])


def test_norwegian_date_ticks_by_span() -> None:
    assert norwegian_date_ticks(date(2023, 1, 15), date(2023, 3, 1))[1] == [
        "jan. 2023",
        "feb. 2023",
        "mar. 2023",
    ]
    ticks, labels = norwegian_date_ticks(date(2019, 1, 1), date(2024, 6, 1))
    assert labels == ["2019", "2020", "2021", "2022", "2023", "2024"]
    assert ticks[0] == "2019-01-01"


# --- showing a figure ------------------------------------------------------------------------


def test_html_output_embeds_plotly_template_and_boundaries_once() -> None:
    data = pl.DataFrame({"kommunenummer": ["0301"], "navn": [["a", "b"]]})
    first, meta = FigureOutput(
        municipality_map(status_frame(), "trinn", geojson=GEO),
        caption="Status per kommune.",
        alt="Kart over fire kommuner.",
        data=data,
    )._repr_mimebundle_()
    second, _ = FigureOutput(
        municipality_map(status_frame(), "trinn", geojson=GEO),
        caption="Samme kart igjen.",
        alt="Kart over fire kommuner igjen.",
    )._repr_mimebundle_()
    html1, html2 = first["text/html"], second["text/html"]
    assert "image/svg+xml" not in first  # HTML target only: no browser needed
    assert html1.count("plotly.js v") >= 1 and "plotly.js v" not in html2
    assert html1.count('id="ehelse-geo-') == 1 and 'id="ehelse-geo-' not in html2
    # the chart template: once on the page, named by every figure
    assert html1.count('id="ehelse-tema-') == 1 and 'id="ehelse-tema-' not in html2
    assert (
        '<figure class="ehelse-figur"' in html1 and 'aria-label="Kart over fire kommuner."' in html1
    )
    assert "<figcaption>Status per kommune." in html1
    assert "data:text/csv;charset=utf-8;base64," in html1  # nested columns left out of the CSV
    found = re.search(r'<script[^>]*\bid="[^"]*-plot-data"[^>]*>(.*?)</script>', html2, re.S)
    assert found is not None
    spec = json.loads(found.group(1))
    assert all(t["geojson"].startswith("ehelse-geo-") for t in spec["data"])
    assert spec["layout"]["template"].startswith("ehelse-tema-")
    assert spec["layout"]["template"] in html1
    # a map's mode bar: its zoom buttons only, while the pointer is over it
    assert spec["config"]["displayModeBar"] == "hover" and spec["config"]["scrollZoom"] is False
    assert spec["config"]["modeBarButtons"] == [["zoomInGeo", "zoomOutGeo", "resetGeo"]]
    chart, _ = FigureOutput(
        trend_chart(pl.DataFrame({"dato": [date(2023, 1, 31)], "antall": [3]})),
        caption="Utvikling.",
        alt="Linje.",
    )._repr_mimebundle_()
    found = re.search(r'<script[^>]*\bid="[^"]*-plot-data"[^>]*>(.*?)</script>', chart["text/html"])
    assert found is not None and json.loads(found.group(1))["config"]["displayModeBar"] is False
    assert meta["ehelse"] == {
        "caption": "Status per kommune.",
        "alt": "Kart over fire kommuner.",
        "name": "fig-status-per-kommune-1",
        "synthetic": False,
    }
    assert not re.search(r"<script[^>]+src=", html1)


def run_loader(expression: str, data: Any) -> Any:
    """``expression`` evaluated by node with the page's loader (report/templates/ehelse.js)
    and ``data`` (as JSON) in scope."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("trenger node (make browser)")
    script = (
        "globalThis.window = globalThis;\n"
        + (config.REPORT_DIR / "templates" / "ehelse.js").read_text(encoding="utf-8")
        + "\nconst data = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        + f"process.stdout.write(JSON.stringify({expression}));\n"
    )
    done = subprocess.run(
        [node, "-e", script], input=json.dumps(data), capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_the_pages_boundaries_are_the_boundaries_clockwise() -> None:
    """What the page carries is a third of the GeoJSON, and the loader makes exactly the
    boundaries of it again (on their 4-decimal grid), every ring reversed for d3-geo."""
    geo = geometry.load_municipality_geojson()
    page = maps.page_boundaries(geo)
    assert len(output.script_json(page)) * 3 < len(output.script_json(geo))
    decoded = run_loader("ehelse.boundaries(data)", page)
    assert [f["id"] for f in decoded["features"]] == [f["id"] for f in geo["features"]]
    for want, got in zip(geo["features"], decoded["features"], strict=True):
        polygons = want["geometry"]["coordinates"]
        if want["geometry"]["type"] == "Polygon":
            polygons = [polygons]
        rings = [ring[::-1] for polygon in polygons for ring in polygon]
        drawn = [ring for polygon in got["geometry"]["coordinates"] for ring in polygon]
        assert len(drawn) == len(rings), want["id"]
        for ring, back in zip(rings, drawn, strict=True):
            assert len(back) == len(ring)
            moved = [
                abs(a - b)
                for p, q in zip(ring, back, strict=True)
                for a, b in zip(p, q, strict=True)
            ]
            assert max(moved) < 1e-9, want["id"]
    assert signed_area(drawn[0]) < 0  # clockwise, as d3-geo wants an exterior ring


def test_every_figure_needs_caption_and_alt() -> None:
    with pytest.raises(ValueError, match="alternativ tekst"):
        FigureOutput(go.Figure(), caption="Noe", alt=" ")


def test_a_map_with_boundaries_draws_their_areas_and_captions_them() -> None:
    from analysis.reference.areas import Boundaries

    b = Boundaries(
        division=2024,
        municipalities={
            "type": "FeatureCollection",
            "features": [square("0301", 10, 59), square("1508+1580", 6, 62)],
        },
        counties={
            "type": "FeatureCollection",
            "features": [square("03", 10, 59), square("15", 6, 62)],
        },
        area_of={"0301": "0301", "1508": "1508+1580", "1580": "1508+1580"},
        area_names={"0301": "Oslo", "1508+1580": "Ålesund og Haram"},
        county_of={"0301": "03", "1508+1580": "15"},
        derived=True,
        note="Ålesund og Haram vises som ett område.",
        attribution="Kommunegrenser: testkilde.",
    )
    areas = pl.DataFrame({"omrade": ["1508+1580"], "trinn": ["planlagt"]})
    fig = municipality_map(areas, "trinn", code_col="omrade", name_col=None, boundaries=b)
    traces = traces_by_name(fig)
    assert list(traces["Planlagt"].locations) == ["1508+1580"]
    assert list(traces["Planlagt"].customdata[0]) == ["Ålesund og Haram"]  # the area's name
    assert list(traces["Ingen data"].locations) == ["0301"]
    regional = municipality_map(
        areas, "trinn", code_col="omrade", name_col=None, boundaries=b, region="15"
    )
    assert [c for t in regional.data for c in t.locations] == ["1508+1580"]
    with pytest.raises(ValueError, match="to_areas"):
        municipality_map(
            pl.DataFrame({"omrade": ["1508"], "trinn": ["i_bruk"]}),
            "trinn",
            code_col="omrade",
            name_col=None,
            boundaries=b,
        )
    caption = FigureOutput(fig, caption="Status.", alt="Kart.").caption
    assert caption == "Status. Ålesund og Haram vises som ett område. Kommunegrenser: testkilde."
    said = FigureOutput(fig, caption="Status. Kommunegrenser: testkilde.", alt="Kart.").caption
    assert said.count("testkilde") == 1 and said.endswith("ett område.")
    counties = county_map(
        pl.DataFrame(
            {"fylkesnummer": ["03", "15"], "fylkesnavn": ["Oslo", "Møre og Romsdal"], "n": [1, 2]}
        ),
        "n",
        boundaries=b,
        bins=[2],
    )
    assert sorted(c for t in counties.data for c in t.locations) == ["03", "15"]
    # The default call keeps drawing the given (or embedded) boundaries, with no caption text.
    plain = municipality_map(status_frame(), "trinn", geojson=GEO)
    assert FigureOutput(plain, caption="Status.", alt="Kart.").caption == "Status."


def test_make_figure_is_the_checked_figure_and_checks_what_follows() -> None:
    """The builders' figure (template put in unchecked, as plotly puts in its default) is the
    figure plotly makes when it checks everything, and a later change is checked as usual."""
    data = [{"type": "scatter", "x": [date(2024, 1, 31)], "y": [3], "name": "Kommuner"}]
    layout = {"yaxis": {"title": {"text": "Antall"}}, "meta": {"ehelse_synthetic": True}}
    fig = theme.make_figure(data, layout, "Tittel", 420)
    house = theme.house_layout("Tittel", 420)
    checked = go.Figure({"data": data, "layout": {**layout, **house}})
    assert fig.to_dict() == checked.to_dict()
    assert fig.layout.template.layout.font.color == checked.layout.template.layout.font.color
    fig.update_layout(title="Ny")
    assert fig.layout.title.text == "Ny"
    with pytest.raises(ValueError):
        fig.update_layout(no_such_property=1)
    with pytest.raises(ValueError):
        theme.make_figure([{"type": "scatter", "no_such": 1}], {}, None, 420)
