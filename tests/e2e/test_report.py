"""The report engine: parameters, chapters, the HTML page and the PDF, and a rendered report
(national and one regional edition, HTML and PDF) looked at the way a reader sees it.

The render tests are slow (a kernel, Chromium for the static figures, pandoc and Typst) and
render once per session from a processed folder built here from the embedded reference data.
"""

from __future__ import annotations

import asyncio
import base64
import io
import itertools
import json
import re
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.edition.data import projection_path, report_texts
from analysis.fmt import format_int, format_percent
from analysis.present.output import PLOTLY_JS
from analysis.reference.municipalities import municipality_table
from analysis.render import RenderError, render, stamp
from analysis.render.html import add_toc
from analysis.render.notebook import build_notebook
from analysis.render.pdf import markdown_to_typst
from analysis.render.project import TITLE, chapter_files, title_block

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "report"
runner = CliRunner()

AMBITIONS = [  # from the KS portfolio 2023 (status April 2023 against ambition)
    ("digihelsestasjon", "2.3", "Videreføre nasjonal utbredelse av DigiHelsestasjon", 170, 147),
    ("kjernejournal", "2.2", "Innføring av Kjernejournal i sykehjem- og hjemmetjenesten", 356, 215),
    ("helseplattformen", "2.4", "Innføring av Helseplattformen i Midt-Norge", 19, 10),
    ("meldinger", "2.6", "Innføre de gjeldende versjonene av meldingene", 356, None),
]


def build_processed(folder: Path) -> Path:
    """A processed folder as the ingest writes it: the real municipalities and population,
    a manifest with one synthetic source, a few ambitions and two rejected rows."""
    folder.mkdir(parents=True, exist_ok=True)
    municipality_table(2023).write_parquet(folder / "kommuner.parquet")
    pl.DataFrame(
        {
            "losning": [a[0] for a in AMBITIONS],
            "nr": [a[1] for a in AMBITIONS],
            "aktivitet": [a[2] for a in AMBITIONS],
            "innsatsomrade": ["Innbyggertjenester"] * len(AMBITIONS),
            "eier": ["KS"] * len(AMBITIONS),
            "tidsramme": ["2023"] * len(AMBITIONS),
            "ambisjon": [a[3] for a in AMBITIONS],
            "status_publisert": [a[4] for a in AMBITIONS],
            "status_dato": [date(2023, 4, 30)] * len(AMBITIONS),
            "omfang": ["alle kommuner"] * len(AMBITIONS),
            "merknad": [None] * len(AMBITIONS),
            "kilde": ["KS: Kommunal sektors e-helseportefølje 2023"] * len(AMBITIONS),
            "syntetisk": [False] * len(AMBITIONS),
        },
        schema_overrides={"ambisjon": pl.Int64, "status_publisert": pl.Int64, "merknad": pl.String},
    ).write_parquet(folder / "ambisjoner.parquet")
    pl.DataFrame(
        {
            "kilde_id": ["eksempel_vkp", "eksempel_vkp"],
            "fil": ["example/vkp.csv", "example/vkp.csv"],
            "rad": [4, 9],
            "kolonne": ["kommune", "dato"],
            "verdier": ['{"kommune": "Qwxyz"}', '{"dato": "31.02.2023"}'],
            "grunn": ["ukjent kommune", "ugyldig dato"],
        },
        schema_overrides={"rad": pl.Int64},
    ).write_parquet(folder / "avvist.parquet")
    manifest = {
        "sources": [
            {
                "id": "portefolje_2023",
                "title": "Kommunal sektors e-helseportefølje 2023",
                "producer": "KS",
                "url": "https://www.ks.no/",
                "date_accessed": "2026-11-28",
                "license": "Offentlig publisert",
                "synthetic": False,
            },
            {
                "id": "eksempel_vkp",
                "title": "Eksempeldata: velferdsteknologisk knutepunkt",
                "producer": "e-helsestatus",
                "url": "src/analysis/example_data.py",
                "date_accessed": "2025-01-15",
                "license": "CC0",
                "synthetic": True,
            },
        ]
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


# --- fast: parameters, chapters, page mechanics -----------------------------------------------


def test_chapters_come_from_quarto_yml_and_must_exist(tmp_path: Path) -> None:
    names = [p.name for p in chapter_files(REPORT)]
    assert names[0] == "index.py" and names[-1] == "om-statistikken.py"
    assert "kommunene.py" in names
    (tmp_path / "_quarto.yml").write_text("project:\n  render: [a.py]\n", encoding="utf-8")
    with pytest.raises(RenderError, match=r"a\.py"):
        chapter_files(tmp_path)


def test_combined_notebook_has_front_matter_parameters_and_chapter_tags() -> None:
    nb, front = build_notebook(chapter_files(REPORT))
    assert front["title"] == TITLE
    assert not nb.cells[0].source.startswith("---")  # front matter is metadata, not content
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == len(chapter_files(REPORT))  # each chapter also renders on its own
    assert {c.metadata["ehelse_kapittel"] for c in nb.cells} == {
        p.name for p in chapter_files(REPORT)
    }
    ids = [c["id"] for c in nb.cells]
    assert len(ids) == len(set(ids))
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "read_parquet" not in source  # chapters read data only through analysis.load


def test_toc_is_built_from_headings_with_unique_ids() -> None:
    page = (
        '<nav><!--EHELSE-TOC--></nav><main><h2 id="Sammendrag">Sammendrag</h2><h3>Kilder</h3>'
        "<h3>Kilder</h3><h2>Data og metode</h2><h4>Ikke med</h4></main>"
    )
    out = add_toc(page)
    assert re.findall(r'<h[23][^>]*id="([^"]+)"', out) == [
        "sammendrag",
        "kilder",
        "kilder-2",
        "data-og-metode",
    ]
    toc = out[: out.index("<main")]
    assert toc.count("<a href=") == 4 and "Ikke med" not in toc
    assert '<li><a href="#sammendrag">Sammendrag</a><ol><li><a href="#kilder">' in toc


def test_pandoc_writes_typst_with_chapters_at_level_one() -> None:
    md = (
        "## Kommunene\n\nTekst med æøå.\n\n| A | B |\n|:---|---:|\n| x | 1 |\n\n: Tabell\n\n"
        '```{=typst}\n#merknad(kind: "x")[\n```\n\nInni\n\n```{=typst}\n]\n```\n'
    )
    typ = markdown_to_typst(md)
    assert typ.startswith("= Kommunene")
    assert "#table(" in typ and "caption: [Tabell]" in typ
    assert '#merknad(kind: "x")[' in typ and "æøå" in typ


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_processed(tmp_path_factory.mktemp("processed"))


def test_region_by_code_or_name(processed: Path) -> None:
    from analysis.edition import EditionError, edition

    assert edition(2023, "46", processed).region == "46"
    ed = edition(2023, "vestland", processed)
    assert (ed.region, ed.region_name, ed.stem) == ("46", "Vestland", "ehelse-status-2023-vestland")
    assert edition(2023, None, processed).region is None
    with pytest.raises(EditionError, match="ukjent fylke"):
        edition(2023, "99", processed)


def test_input_key_follows_data_and_parameters(processed: Path, tmp_path: Path) -> None:
    import os

    key = stamp.input_key(processed, REPORT, 2023, None)
    assert key == stamp.input_key(processed, REPORT, 2023, None)
    assert key != stamp.input_key(processed, REPORT, 2023, "46")
    assert key != stamp.input_key(processed, REPORT, 2024, None)
    manifest = processed / "manifest.json"
    st = manifest.stat()
    os.utime(manifest, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    try:
        assert stamp.input_key(processed, REPORT, 2023, None) != key
    finally:
        os.utime(manifest, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_fresh_formats_need_the_file_and_the_same_key(tmp_path: Path) -> None:
    stem = "ehelse-status-2023"
    stamp.write_stamp(tmp_path, stem, {"html": "k1", "pdf": "k1"})
    (tmp_path / f"{stem}.html").write_text("x", encoding="utf-8")
    assert stamp.fresh_formats(["html", "pdf"], tmp_path, stem, "k1") == ["html"]  # no PDF
    assert stamp.fresh_formats(["html"], tmp_path, stem, "k2") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "docx"], "Ukjent format docx"),
        (["--region", "99"], "ukjent fylke '99'"),
        (["--data", "/finnes/ikke"], "/finnes/ikke: mappen finnes ikke"),
    ],
)
def test_cli_bad_arguments_end_with_one_line(
    processed: Path, args: list[str], message: str
) -> None:
    if "--data" not in args:
        args = [*args, "--data", str(processed)]
    result = runner.invoke(app, ["report", *args])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_cli_without_processed_data_says_run_ingest(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert "ehelse ingest" in result.output


# --- fast: what the chapters are given -------------------------------------------------------


def test_the_front_page_gives_the_status_date_and_the_county() -> None:
    from analysis.edition.params import Edition

    ed = Edition(2023, 2020, date(2023, 12, 31), "46", "Vestland", Path("x"))
    meta = title_block({}, ed)
    assert meta["status_text"] == "Status per 31. desember 2023"
    assert meta["subtitle"].startswith("Regional utgave: Vestland")


def test_projection_runs_straight_to_the_expected_date_and_its_interval() -> None:
    start = date(2023, 12, 31)
    path = projection_path(
        start, 100.0, 200.0, date(2024, 12, 31), date(2024, 6, 30), date(2025, 12, 31)
    )
    assert path is not None
    rows = {d: (a, lo, hi) for d, a, lo, hi in path.iter_rows()}
    assert rows[start] == (100.0, 100.0, 100.0)  # from the last observation
    assert rows[date(2024, 6, 30)][2] == 200.0  # the earliest date reaches the target first
    a, lo, hi = rows[date(2024, 12, 31)]
    assert a == 200.0 and lo is not None and 100.0 < lo < 200.0 and hi == 200.0
    assert rows[date(2025, 12, 31)] == (200.0, 200.0, 200.0)  # never beyond the target
    assert max(rows) == date(2025, 12, 31)
    assert projection_path(start, 200.0, 170.0, date(2023, 7, 31)) is None  # reached
    assert projection_path(start, 10.0, 50.0, None) is None  # no expected date
    open_end = projection_path(start, 10.0, 50.0, date(2024, 6, 30), date(2024, 3, 31))
    assert open_end is not None and open_end["lav"].is_null().all()  # latest unknown: no band


def test_every_activity_has_its_text() -> None:
    from analysis.metrics.params import activities

    texts = report_texts(REPORT)
    for losning in activities()["losning"].to_list():
        assert texts[losning]["kort"] and len(texts[losning]["hva"]) > 100, losning
    assert "17. april 2023" in texts["digihelsestasjon_ungdom"]["hva"]


# --- slow: the rendered report --------------------------------------------------------------


class PageParser(HTMLParser):
    """What a reader and a screen reader meet: headings, figures, images, external refs."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.headings: list[tuple[int, str]] = []
        self.figures: list[dict[str, Any]] = []
        self.images: list[dict[str, str | None]] = []
        self.external: list[str] = []
        self.asides: list[str] = []  # the class of every aside, in order, with the headings
        self._heading: int | None = None
        self._text: list[str] = []
        self._figure: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._text = int(tag[1]), []
        if tag == "aside":
            self.asides.append(f"{len(self.headings)}:{a.get('class')}")
        if tag == "figure":
            self._figure = {"label": a.get("aria-label"), "caption": False, "id": a.get("id")}
            self.figures.append(self._figure)
        if tag == "figcaption" and self._figure is not None:
            self._figure["caption"] = True
        if tag == "img":
            self.images.append(a)
        for key in ("src", "href"):
            value = a.get(key) or ""
            if tag in ("script", "link", "img", "iframe", "source", "video", "audio") and re.match(
                r"(https?:)?//", value
            ):
                self.external.append(f"<{tag} {key}={value}>")

    def handle_endtag(self, tag: str) -> None:
        if self._heading is not None and tag == f"h{self._heading}":
            self.headings.append((self._heading, " ".join("".join(self._text).split())))
            self._heading = None
        if tag == "figure":
            self._figure = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._text.append(data)


class TableParser(HTMLParser):
    """The body rows of one table (by id), as cell texts."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.rows: list[list[str]] = []
        self._inside = self._body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self._inside = True
        elif self._inside and tag == "tbody":
            self._body = True
        elif self._body and tag == "tr":
            self.rows.append([])
        elif self._body and tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tbody":
            self._body = False
        elif tag == "table" and self._inside:
            self._inside = self._body = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


def table_rows(html: str, table_id: str) -> list[list[str]]:
    parser = TableParser(table_id)
    parser.feed(html)
    return parser.rows


def pdf_pages(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
    return [" ".join(page.split()) for page in out.stdout.split("\f") if page.strip()]


def pdf_text(path: Path) -> str:
    return " ".join(pdf_pages(path))  # \s includes the narrow no-break space


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)
    return dict(
        (k.strip(), v.strip())
        for k, _, v in (line.partition(":") for line in out.stdout.splitlines())
    )


def figure_specs(html: str) -> dict[str, dict[str, Any]]:
    """Every interactive figure's plotly spec, by the name its chapter gave it."""
    found = re.findall(
        r'<script[^>]*\bid="fig-(.+?)-\d+-plot-data"[^>]*>(.*?)</script>', html, re.S
    )
    return {name: json.loads(spec) for name, spec in found}


def maps(html: str) -> dict[str, list[str]]:
    """The maps on a page: name -> the municipalities drawn."""
    return {
        name: [c for t in spec["data"] for c in t["locations"]]
        for name, spec in figure_specs(html).items()
        if any(t.get("type") == "choropleth" for t in spec["data"])
    }


def labelled(spec: dict[str, Any]) -> bool:
    """The Eksempeldata label is drawn inside the figure."""
    notes = spec.get("layout", {}).get("annotations", [])
    return any("Eksempeldata" in str(a.get("text", "")) for a in notes)


PUBLISHED = date(2024, 3, 15)  # the national edition's --publisert; Vestland's has none
MAP_FILLED = 0.03  # share of a map canvas in colour when the map is drawn
A11Y = ROOT / "tests" / "e2e" / "a11y"

# Skipped on a machine without them; with CI=true a skip fails the run (tests/conftest.py).
needs_tools = pytest.mark.skipif(
    not (shutil.which("chromium") and shutil.which("pdftotext") and shutil.which("pdfinfo")),
    reason="trenger chromium og poppler-utils (make browser)",
)


def pdf_standard_part(path: Path) -> str | None:
    """The PDF/UA part the PDF declares in its XMP metadata (pdfuaid:part): pikepdf when it
    is installed, else poppler's `pdfinfo -meta`."""
    try:
        import pikepdf
    except ImportError:
        out = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True)
        m = re.search(r"<pdfuaid:part>\s*(\d+)\s*</pdfuaid:part>", out.stdout)
        return m.group(1) if m else None
    with pikepdf.open(path) as pdf:
        value = pdf.open_metadata().get("pdfuaid:part")
        return str(value) if value is not None else None


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded data (data/raw: the published facts and the example data), ingested."""
    from analysis.ingest.pipeline import run_ingest

    out = tmp_path_factory.mktemp("embedded") / "processed"
    run_ingest(out=out)
    return out


@pytest.fixture(scope="session")
def rendered(embedded: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The national report and Vestland's edition, HTML and PDF, rendered once."""
    out = tmp_path_factory.mktemp("rapport") / "_output"
    files: dict[str, Path] = {}
    for key, region, published in (("national", None, PUBLISHED), ("regional", "46", None)):
        result = render(
            2023, region, ("html", "pdf"), embedded, out, force=True, published=published
        )
        assert not result.skipped and result.pdf_pages
        for path in result.outputs:
            files[f"{key}.{path.suffix[1:]}"] = path
    return files


@pytest.fixture(scope="session")
def expected(embedded: Path) -> dict[str, Any]:
    """The status table computed here from the same processed data, and the facts the
    report must agree with."""
    from analysis.load import load_table
    from analysis.metrics.overview import status_overview
    from analysis.metrics.params import activities
    from analysis.metrics.status import scope_members

    tables = {n: load_table(n, embedded) for n in ("adopsjon", "kommuner", "ambisjoner")}
    extra = {n: load_table(n, embedded) for n in ("meldinger", "publisert")}
    args = (tables["adopsjon"], tables["kommuner"], tables["ambisjoner"])
    published = tables["ambisjoner"]["status_dato"].max()
    scopes = scope_members(tables["kommuner"]).join(
        activities().select("losning", "omfang_id"), on="omfang_id"
    )
    return {
        "overview": status_overview(*args, date(2023, 12, 31), **extra),
        "april": status_overview(*args, published, **extra),
        "region": status_overview(*args, date(2023, 12, 31), county="46", **extra),
        "published_date": published,
        "kommuner": tables["kommuner"],
        "scopes": scopes,
        "short": {k: v["kort"] for k, v in report_texts(REPORT).items()},
    }


@pytest.mark.slow
@pytest.mark.xdist_group("render")
@needs_tools
class TestRenderedReport:
    def test_file_names(self, rendered: dict[str, Path]) -> None:
        assert rendered["national.html"].name == "ehelse-status-2023.html"
        assert rendered["national.pdf"].name == "ehelse-status-2023.pdf"
        assert rendered["regional.html"].name == "ehelse-status-2023-vestland.html"
        assert rendered["regional.pdf"].name == "ehelse-status-2023-vestland.pdf"

    def test_html_is_norwegian_self_contained_and_ordered(self, rendered: dict[str, Path]) -> None:
        html = rendered["national.html"].read_text(encoding="utf-8")
        page = parse(html)
        assert page.lang == "nb"
        assert page.external == []
        assert "@import" not in html and not re.search(r"url\(\s*['\"]?https?:", html)
        bundle = (ROOT / "report" / "templates" / PLOTLY_JS).read_text(encoding="utf-8")
        assert html.count(bundle[:200]) == 1  # the report's own plotly.js, inline, once
        assert html.count('id="ehelse-geo-') == 1  # eight maps, the boundaries once
        assert html.count('id="ehelse-tema-') == 1  # seventeen figures, the template once
        assert all(
            "template" not in spec["layout"] or isinstance(spec["layout"]["template"], str)
            for spec in figure_specs(html).values()
        )
        # one stylesheet for the 27 tables (great_tables), beside the page's own
        assert len(re.findall(r"<style>\s*\.ehelse-gt-", html)) == 1
        assert rendered["national.html"].stat().st_size <= 2.5e6
        levels = [level for level, _ in page.headings]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
        h2 = [text for level, text in page.headings if level == 2]
        assert h2 == [
            "Innhold",
            "Sammendrag",
            "Innføringsaktivitetene",
            "Felles tiltak for kommunal sektor",
            "Regional sammenligning",
            "Kommunene",
            "Data og metode",
            "Om statistikken",
        ]
        toc = html[html.index("<nav") : html.index("</nav>")]
        assert all(f">{name}</a>" in toc for name in h2[1:])

    def test_a_section_per_activity_in_the_portfolios_order(
        self, rendered: dict[str, Path], expected: dict[str, Any]
    ) -> None:
        overview = expected["overview"]
        names = [expected["short"][k] for k in overview["losning"]]
        assert len(names) == 7
        page = parse(rendered["national.html"].read_text(encoding="utf-8"))
        start = page.headings.index((2, "Innføringsaktivitetene"))
        end = page.headings.index((2, "Felles tiltak for kommunal sektor"))
        h3 = [text for level, text in page.headings[start:end] if level == 3]
        assert h3 == names
        pages = pdf_pages(rendered["national.pdf"])
        toc, text = pages[1], " ".join(pages[2:])  # the title page, the contents, the rest
        assert "Innhold" in toc
        for nr, name in zip(overview["nr"], names, strict=True):
            assert f"{nr} {name}" in toc and f"{nr} {name}" in text  # PDF numbers = portfolio's

    def test_every_figure_and_image_has_alt_text(self, rendered: dict[str, Path]) -> None:
        for key in ("national.html", "regional.html"):
            page = parse(rendered[key].read_text(encoding="utf-8"))
            assert len(page.figures) > 10, key
            assert all(f["label"] and f["label"].strip() and f["caption"] for f in page.figures)
            assert all((img.get("alt") or "").strip() for img in page.images)

    def test_status_table_has_the_computed_and_published_figures(
        self, rendered: dict[str, Path], expected: dict[str, Any]
    ) -> None:
        html = rendered["national.html"].read_text(encoding="utf-8")
        rows = table_rows(html, "tbl-status-t")
        overview, april = expected["overview"], expected["april"]
        assert len(rows) == overview.height == 7
        for row, r, a in zip(
            rows, overview.iter_rows(named=True), april.iter_rows(named=True), strict=True
        ):
            cells = [
                f"{r['nr']} {r['aktivitet']}",
                format_int(r["antall"]),
                format_int(r["ambisjon"]),
                format_percent(r["prosent_av_ambisjon"] / 100),
                r["kategori"],
            ]
            april_cells = [
                format_int(a["publisert"]),
                format_int(a["antall"]),
                format_int(a["avvik"]),
            ]
            assert row[:5] == [" ".join(c.split()) for c in cells]
            assert row[6:9] == april_cells
        hp = april.filter(pl.col("losning") == "helseplattformen").row(0, named=True)
        assert hp["publisert"] != hp["antall"]  # the list and the portfolio disagree ...
        assert f"blir tallet {hp['antall']}" in html  # ... and the section says so
        text = pdf_text(rendered["national.pdf"])
        for r in overview.iter_rows(named=True):  # the tiles, on paper
            assert f"{format_int(r['antall'])} av {format_int(r['ambisjon'])}" in text

    def test_the_status_date_is_on_the_front_page(self, rendered: dict[str, Path]) -> None:
        html = rendered["national.html"].read_text(encoding="utf-8")
        front = html[: html.index("<nav")]
        assert "Status per 31. desember 2023" in front
        assert "Status per 31. desember 2023" in pdf_pages(rendered["national.pdf"])[0]
        assert "Statusdatoen er 31. desember 2023" in html

    def test_example_data_is_labelled_on_every_page_section_and_chart(
        self, rendered: dict[str, Path], expected: dict[str, Any]
    ) -> None:
        overview = expected["overview"]
        synthetic = dict(overview.select("losning", "syntetisk").iter_rows())
        assert any(synthetic.values()) and not all(synthetic.values())  # HP is real data
        html = rendered["national.html"].read_text(encoding="utf-8")
        specs = figure_specs(html)
        for losning, fake in synthetic.items():
            charts = [n for n in specs if n in (f"utvikling-{losning}", f"kart-{losning}")]
            assert len(charts) == 2, losning
            assert all(labelled(specs[n]) == fake for n in charts), losning
        assert sum(labelled(s) for s in specs.values()) == sum(
            s.get("layout", {}).get("meta", {}).get("ehelse_synthetic", False)
            for s in specs.values()
        )
        page = parse(html)
        names = [expected["short"][k] for k in overview["losning"]]
        for losning, name in zip(overview["losning"], names, strict=True):
            at = page.headings.index((3, name))
            notices = [a for a in page.asides if a.startswith(f"{at + 1}:")]
            assert (notices == [f"{at + 1}:ehelse-eksempeldata"]) == synthetic[losning], name
        # The header marks exactly the pages that show synthetic figures or tables.
        unmarked = 0
        for i, text in enumerate(pdf_pages(rendered["national.pdf"])[1:], start=2):
            marked = text.lstrip().startswith("Eksempeldata")
            body = text.lstrip()[len("Eksempeldata") :] if marked else text
            if "(eksempeldata)" in body:  # a synthetic table's caption
                assert marked, f"side {i}"
            if marked:
                assert "eksempeldata" in body.lower(), f"side {i}"
            unmarked += not marked
        assert unmarked >= 2  # the contents and pages with real figures only

    def test_one_map_per_activity_and_the_population(
        self, rendered: dict[str, Path], expected: dict[str, Any]
    ) -> None:
        found = maps(rendered["national.html"].read_text(encoding="utf-8"))
        scopes = expected["scopes"]
        wanted = {
            f"kart-{k}": sorted(scopes.filter(pl.col("losning") == k)["kommunenummer"])
            for k in expected["overview"]["losning"]
        }
        assert set(found) == {*wanted, "kart-innbyggere"}
        for name, codes in wanted.items():
            assert sorted(found[name]) == codes, name
        assert len(found["kart-helseplattformen"]) == 66  # the Midt-Norge scope only
        text = pdf_text(rendered["national.pdf"])
        assert len(re.findall(r"Figur \d+:", text)) == len(
            parse(rendered["national.html"].read_text(encoding="utf-8")).figures
        )

    def test_regional_edition_is_the_county_beside_the_country(
        self, rendered: dict[str, Path], expected: dict[str, Any]
    ) -> None:
        vestland = expected["kommuner"].filter(pl.col("fylkesnummer") == "46").height
        assert vestland == 43  # the 2020-2023 division
        html = rendered["regional.html"].read_text(encoding="utf-8")
        assert "Regional utgave: Vestland" in html
        region = expected["region"]
        for r, n in zip(
            region.iter_rows(named=True), expected["overview"].iter_rows(named=True), strict=True
        ):
            if r["i_omfang"]:
                assert f"{format_int(r['antall'])} av {vestland}" in html, r["losning"]
            assert (
                f"Landet: {format_int(n['antall'])} av {format_int(n['i_omfang'])} kommuner" in html
            )
        found = maps(html)
        hp = region.filter(pl.col("losning") == "helseplattformen")["i_omfang"][0]
        assert hp == 0 and "kart-helseplattformen" not in found  # no county municipality in scope
        assert len(found) == 7 and all(len(c) == vestland for c in found.values())
        assert all(c.startswith("46") for codes in found.values() for c in codes)
        assert 'type="search"' in html  # 43 municipalities: a searchable table
        text = pdf_text(rendered["regional.pdf"])
        assert "Regional utgave: Vestland" in text and "Hele landet" in text
        assert "4601 Bergen" in text

    def test_pdf_is_a4_with_contents_and_page_numbers(self, rendered: dict[str, Path]) -> None:
        for key, low, high in (("national.pdf", 15, 23), ("regional.pdf", 12, 24)):
            info = pdf_info(rendered[key])
            pages = int(info["Pages"])
            assert low <= pages <= high, (key, pages)
            assert "(A4)" in info["Page size"]
            text = pdf_text(rendered[key])
            assert "Innhold" in text
            numbers = {int(n) for n, total in re.findall(r"Side (\d+) av (\d+)", text)}
            assert {int(t) for _, t in re.findall(r"Side (\d+) av (\d+)", text)} == {pages}
            assert numbers == set(range(2, pages + 1))  # every page but the title page

    def test_pdf_is_declared_pdf_ua_1(self, rendered: dict[str, Path]) -> None:
        """Typst checked it (pdf-standard: ua-1): title, language, alt text, heading order."""
        for key in ("national.pdf", "regional.pdf"):
            assert pdf_standard_part(rendered[key]) == "1", key
            info = pdf_info(rendered[key])
            assert info["Tagged"] == "yes" and info["Title"].startswith(TITLE), key

    def test_pdf_content(self, rendered: dict[str, Path], embedded: Path) -> None:
        from analysis.load import load_table

        text = pdf_text(rendered["national.pdf"])
        rejected = load_table("avvist", embedded).height
        # pdftotext gives the narrow no-break space between thousands as a plain space or none
        flat = re.sub(r"[\u202f\u00a0 ]", "", text)
        wanted = "Ingenraderbleavvist." if rejected == 0 else f"{rejected}raderbleavvist"
        assert wanted in flat
        for heading in (
            "1 Sammendrag",
            "2 Innføringsaktivitetene",
            "3 Felles tiltak for kommunal sektor",
            "4 Regional sammenligning",
            "5 Kommunene",
            "6 Data og metode",
            "7 Om statistikken",
        ):
            assert heading in text
        assert "5 550 203" in text  # the population table's national total
        assert "Endringer siden forrige utgave" in text

    def test_the_publication_metadata_is_on_the_front_page(self, rendered: dict[str, Path]) -> None:
        from analysis.fmt import date_text

        html = rendered["national.html"].read_text(encoding="utf-8")
        front = html[: html.index("<nav")]
        first = " ".join(pdf_pages(rendered["national.pdf"])[0].split())
        for text in (front, first):
            assert "Publisert 15. mars 2024" in text
            assert "Nasjonal utgave, versjon 1.0" in text
            assert "KS (2024). Status for kommunenes innføring" in text  # Siteres som
            for label in ("Utgiver", "Kontakt", "Siteres som", "Neste utgave"):
                assert label in text, label
            assert "Tilgjengelighetserklæring" in text
        assert re.search(r'<a href="https://[^"]+">Tilgjengelighetserklæring</a>', front)
        regional = " ".join(pdf_pages(rendered["regional.pdf"])[0].split())
        built = date.today()
        assert f"Laget {date_text(built)} (ingen publiseringsdato er satt)" in regional
        assert "Publisert" not in regional
        assert "Regional utgave for Vestland, versjon 1.0" in regional
        assert "Rettelser" in pdf_text(rendered["national.pdf"])  # the errata section

    def test_no_path_package_name_or_seed_in_the_text(self, rendered: dict[str, Path]) -> None:
        """What a reader reads (the HTML page's text and the PDF's) carries no file path,
        package name or seed: those belong in the catalogue and the code."""
        import tomllib

        project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        deps = [
            re.split(r"[\s\[<>=!~;]", d, maxsplit=1)[0] for d in project["project"]["dependencies"]
        ]
        # Names that are also Norwegian words ("typer": kinds) are left out.
        names = {d.lower() for d in deps} - {"typer", "hvor"} | {
            "ehelsestatus",
            "e-helsestatus",
            "hvor 0",
        }
        names |= {d.replace("-", "_") for d in names}
        path = re.compile(r"\b[\w.-]+/[\w./-]*\.(?:csv|md|py|ya?ml|parquet|json|geojson|xlsx)\b")
        for key in ("national", "regional"):
            page = rendered[f"{key}.html"].read_text(encoding="utf-8")
            page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
            from html import unescape

            texts = {
                "html": unescape(re.sub(r"<[^>]+>", " ", page)),
                "pdf": pdf_text(rendered[f"{key}.pdf"]),
            }
            for kind, text in texts.items():
                flat = " ".join(text.split())
                where = f"{key}.{kind}"
                assert not path.findall(flat), (where, path.findall(flat)[:5])
                assert "data/raw" not in flat and "src/" not in flat, where
                assert not re.search(r"\bseed\b", flat, flags=re.I), where
                assert "Python" not in flat, where
                found = [
                    n
                    for n in names
                    if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", flat.lower())
                ]
                assert not found, (where, found)

    def test_municipalities_by_name_where_readers_look(
        self, rendered: dict[str, Path], embedded: Path
    ) -> None:
        """The web page's «kommune × løsning» table, a regional PDF's table of the county's
        municipalities, and the names behind each printed map."""
        from analysis.edition import edition
        from analysis.edition.data import edition_data

        municipal = edition_data(edition(2023, None, embedded)).municipal
        html = rendered["national.html"].read_text(encoding="utf-8")
        assert html.count('class="ehelse-kommunetabell"') == 1
        table = html[html.index('class="ehelse-kommunetabell"') :]
        table = table[: table.index("</section>")]
        for key in ("fylke", "aktivitet", "status", "teller"):
            assert re.search(rf'<select [^>]*data-kolonne="{key}"', table), key
        assert re.search(r'<input [^>]*data-kolonne="kommune"', table)
        assert re.search(r'<input [^>]*type="search"', table)
        assert html.count("kommunetabell.js") == 0 and html.count('".ehelse-kommunetabell"') == 1
        agder_not_started = municipal.filter(
            (pl.col("losning") == "digihelse")
            & (pl.col("fylkesnavn") == "Agder")
            & pl.col("maalt")
            & pl.col("trinn").is_null()
        )
        wanted = sorted(
            f"{r['kommunenummer']} {r['kommunenavn']}"
            for r in agder_not_started.iter_rows(named=True)
        )
        assert wanted  # the question the table is for has an answer in these data
        # The rows as the reader's browser writes and filters them.
        shown = asyncio.run(
            filter_table(
                rendered["national.html"],
                {"fylke": "Agder", "aktivitet": "DigiHelse", "status": "ikke startet"},
            )
        )
        assert shown["rows"] == municipal.height
        assert sorted(shown["shown"]) == wanted
        assert shown["status"] == f"{len(wanted)} av {municipal.height} rader vises"
        # Vestland's PDF: every municipality in the table, and the names behind a map.
        text = " ".join(pdf_text(rendered["regional.pdf"]).split())
        assert "Status per kommune og aktivitet i Vestland" in text
        vestland = municipal.filter(pl.col("fylkesnummer") == "46")
        for name in vestland["kommunenavn"].unique():
            assert name in text, name
        behind = vestland.filter(
            (pl.col("losning") == "digihelse") & ~pl.col("telles").fill_null(False)
        )
        counted = vestland.filter((pl.col("losning") == "digihelse") & pl.col("telles"))
        listed = counted if counted.height < behind.height else behind
        label = re.escape("Ikke startet (") if listed is behind else "I bruk \\("
        assert re.search(label, text)
        national = " ".join(pdf_text(rendered["national.pdf"]).split())
        assert national.count("Kartgrunnlag: Kartverket") >= 7

    def test_unchanged_inputs_are_not_rendered_again(
        self, rendered: dict[str, Path], embedded: Path
    ) -> None:
        html = rendered["national.html"]
        args = (2023, None, ("html", "pdf"), embedded, html.parent)
        render(*args)  # brings the files up to date if the code changed meanwhile
        before = html.stat().st_mtime_ns
        result = render(*args)
        assert result.outputs == [html, rendered["national.pdf"]]
        assert result.skipped == ["html", "pdf"] and result.unchanged
        assert result.timings == {} and result.chapters == []
        assert html.stat().st_mtime_ns == before

    def test_figures_draw_offline_from_disk(self, rendered: dict[str, Path]) -> None:
        """Opened from disk with Chromium's normal security (no file-access flags), every map
        draws each of its municipalities (a screenshot of it is in colour), every chart its
        lines, nothing is fetched and nothing is logged as an error."""
        for key in ("national.html", "regional.html"):
            html = rendered[key].read_text("utf-8")
            specs = figure_specs(html)
            result = asyncio.run(look_at(rendered[key]))
            assert result["requests"] == [], key
            assert result["errors"] == [], key
            drawn = result["figures"]
            assert len(drawn) == len(specs), key
            for (name, spec), fig in zip(specs.items(), drawn, strict=True):
                locations = sum(len(t.get("locations") or []) for t in spec["data"])
                if name in maps(html):
                    assert fig["areas"] == locations > 0, (key, name, fig)
                    assert fig["coloured"] > MAP_FILLED, (key, name, fig)
                else:
                    assert fig["areas"] == 0 and fig["lines"] > 0, (key, name, fig)

    def test_every_trace_type_of_the_figures_is_in_the_bundle(
        self, rendered: dict[str, Path]
    ) -> None:
        """The trace types of the rendered report's figures, the national and the regional
        edition, are registered in the page's plotly.js (asked in the browser) and so in
        its entry file (report/vendor/plotly/entry.js; ``make plotly``)."""
        used = {
            t.get("type", "scatter")
            for key in ("national.html", "regional.html")
            for spec in figure_specs(rendered[key].read_text("utf-8")).values()
            for t in spec["data"]
        }
        assert used == {"scatter", "choropleth"}
        registered = set(asyncio.run(look_at(rendered["regional.html"]))["trace_types"])
        assert used <= registered
        entry = (ROOT / "report" / "vendor" / "plotly" / "entry.js").read_text(encoding="utf-8")
        assert registered == {"scatter", *re.findall(r'lib/(\w+)"\)', entry)} - {"core"}

    def test_no_serious_accessibility_violations(self, rendered: dict[str, Path]) -> None:
        """axe-core (from npm) in headless Chromium finds nothing serious or critical."""
        axe = axe_script()
        for key in ("national.html", "regional.html"):
            violations = asyncio.run(run_axe(rendered[key], axe))
            bad = [v for v in violations if v["impact"] in ("serious", "critical")]
            assert bad == [], (key, bad)


def axe_script() -> str:
    """axe.min.js from tests/e2e/a11y (npm ci when node_modules is missing)."""
    script = A11Y / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("trenger npm for axe-core")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=A11Y, check=True, capture_output=True
        )
    return script.read_text(encoding="utf-8")


def _strict_browser() -> Any:
    from choreographer.browsers.chromium import Chromium

    class StrictChromium(Chromium):  # what a reader's browser allows a file:// page
        def get_cli(self) -> list[str]:
            permissive = {"--allow-file-access-from-files", "--disable-web-security"}
            return [a for a in super().get_cli() if a not in permissive]

    return StrictChromium


async def _open(browser: Any, path: Path, width: int, height: int) -> Any:
    tab = await browser.create_tab("")
    for domain in ("Page.enable", "Runtime.enable", "Network.enable", "Log.enable"):
        await tab.send_command(domain)
    await tab.send_command(
        "Emulation.setDeviceMetricsOverride",
        params={"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    return tab


async def _evaluate(tab: Any, expression: str, promise: bool = False) -> Any:
    res = await tab.send_command(
        "Runtime.evaluate",
        params={"expression": expression, "returnByValue": True, "awaitPromise": promise},
    )
    return res["result"]["result"].get("value")


async def run_axe(path: Path, axe: str) -> list[dict[str, Any]]:
    import choreographer as choreo

    async with choreo.Browser(browser_cls=_strict_browser(), headless=True) as browser:
        tab = await _open(browser, path, 1280, 1000)
        loaded = tab.subscribe_once("Page.loadEventFired")
        await tab.send_command("Page.navigate", params={"url": path.resolve().as_uri()})
        await loaded
        await _evaluate(tab, axe)
        value = await _evaluate(
            tab,
            "axe.run(document).then(r => JSON.stringify(r.violations.map(v => ({id: v.id, "
            "impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target)}))))",
            promise=True,
        )
    return list(json.loads(value))


async def look_at(path: Path, timeout: float = 20.0) -> dict[str, Any]:
    """Open the page as a reader would, offline, then look at every figure where it is on the
    page: a map's municipalities drawn (plotly's SVG paths) and the share of saturated pixels
    in a screenshot of it (the fills; legend and text are about 0.1 %), a chart's lines; and
    the trace types the page's plotly.js has registered."""
    import choreographer as choreo
    from PIL import Image

    requests: list[str] = []
    errors: list[str] = []

    async def on_request(msg: dict[str, Any]) -> None:
        url = msg["params"]["request"]["url"]
        if not url.startswith(("file:", "data:", "blob:")):
            requests.append(url)

    async def on_exception(msg: dict[str, Any]) -> None:
        errors.append(str(msg["params"].get("exceptionDetails", {}).get("text")))

    async def on_console(msg: dict[str, Any]) -> None:
        if msg["params"].get("type") == "error":
            errors.append(str(msg["params"].get("args")))

    async def on_log(msg: dict[str, Any]) -> None:
        entry = msg["params"]["entry"]
        if entry.get("level") == "error":
            errors.append(str(entry.get("text")))

    figures: list[dict[str, Any]] = []
    async with choreo.Browser(browser_cls=_strict_browser(), headless=True) as browser:
        tab = await _open(browser, path, 1280, 1000)
        await tab.send_command(  # networking off: a request that tried would fail and log
            "Network.emulateNetworkConditions",
            params={
                "offline": True,
                "latency": 0,
                "downloadThroughput": -1,
                "uploadThroughput": -1,
            },
        )
        tab.subscribe("Network.requestWillBeSent", on_request)
        tab.subscribe("Runtime.exceptionThrown", on_exception)
        tab.subscribe("Runtime.consoleAPICalled", on_console)
        tab.subscribe("Log.entryAdded", on_log)
        loaded = tab.subscribe_once("Page.loadEventFired")
        await tab.send_command("Page.navigate", params={"url": path.resolve().as_uri()})
        await loaded
        loop = asyncio.get_running_loop()
        count = await _evaluate(tab, "document.querySelectorAll('.ehelse-figur').length")
        for i in range(int(count or 0)):
            figure = f"document.querySelectorAll('.ehelse-figur')[{i}]"
            seen: dict[str, Any] = {}
            end = loop.time() + timeout
            while loop.time() < end:
                seen = json.loads(
                    await _evaluate(
                        tab,
                        f"(() => {{ const f = {figure}; f.scrollIntoView({{block: 'start'}}); "
                        "const svg = f.querySelector('.js-plotly-plot .main-svg'); "
                        "const r = svg ? svg.getBoundingClientRect() : {x: 0, y: 0, width: 0, "
                        "height: 0}; return JSON.stringify({areas: f.querySelectorAll("
                        "'path.choroplethlocation').length, lines: Array.from(f.querySelectorAll("
                        "'.scatterlayer path.js-line')).filter(p => (p.getAttribute('d') || '')"
                        ".length > 1).length, rect: {x: r.x + scrollX, y: r.y + scrollY, "
                        "width: r.width, height: r.height}}); })()",
                    )
                )
                if seen["areas"] or seen["lines"]:
                    break
                await asyncio.sleep(0.25)
            share = 0.0
            if seen["areas"]:
                shot = await tab.send_command(
                    "Page.captureScreenshot",
                    params={"format": "png", "clip": seen["rect"] | {"scale": 1}},
                )
                image = Image.open(io.BytesIO(base64.b64decode(shot["result"]["data"])))
                raw = image.convert("RGB").tobytes()
                hits = sum(
                    1
                    for j in range(0, len(raw), 3)
                    if max(raw[j : j + 3]) - min(raw[j : j + 3]) > 40
                )
                share = hits / max(len(raw) // 3, 1)
            figures.append({"areas": seen["areas"], "lines": seen["lines"], "coloured": share})
        types = json.loads(
            await _evaluate(tab, "JSON.stringify(Object.keys(Plotly.PlotSchema.get().traces))")
        )
    return {"requests": requests, "errors": errors, "figures": figures, "trace_types": types}


async def filter_table(path: Path, filters: dict[str, str]) -> dict[str, Any]:
    """The «kommune × løsning» table as the browser writes it: its rows, and the first cell
    of those shown, with the live status, after choosing ``filters`` (column -> value)."""
    import choreographer as choreo

    async with choreo.Browser(browser_cls=_strict_browser(), headless=True) as browser:
        tab = await _open(browser, path, 1280, 1000)
        loaded = tab.subscribe_once("Page.loadEventFired")
        await tab.send_command("Page.navigate", params={"url": path.resolve().as_uri()})
        await loaded
        value = await _evaluate(
            tab,
            "(() => { const s = document.querySelector('.ehelse-kommunetabell'); "
            f"const want = {json.dumps(filters)}; "
            "for (const [k, v] of Object.entries(want)) { "
            "const e = s.querySelector('select[data-kolonne=\"' + k + '\"]'); e.value = v; "
            "e.dispatchEvent(new Event('change', {bubbles: true})); } "
            "const rows = Array.from(s.querySelector('tbody').rows); "
            "return JSON.stringify({rows: rows.length, shown: rows.filter(r => !r.hidden)"
            ".map(r => r.cells[0].textContent), status: s.querySelector("
            "'.ehelse-sok-status').textContent}); })()",
        )
    return dict(json.loads(value))


@pytest.mark.slow
@pytest.mark.xdist_group("render")
def test_region_all_renders_every_county_in_one_run(embedded: Path, tmp_path: Path) -> None:
    """`--region all`: every county edition of the division, the national data computed once
    for all of them; a second run changes nothing and says so from the stamps."""
    from analysis.edition import data
    from analysis.edition.params import county_codes, edition
    from analysis.render import render_editions

    out = tmp_path / "_output"
    counties = county_codes(edition(2023, None, embedded).division)
    eds = [edition(2023, c, embedded) for c in counties]
    data._national.cache_clear()
    results = render_editions(2023, None, ("html",), embedded, out, force=True)
    assert [r.stem for r in results] == [ed.stem for ed in eds] and len(results) == len(counties)
    assert data._national.cache_info().misses == 1  # one national computation for every county
    for result, ed in zip(results, eds, strict=True):
        assert not result.skipped and result.outputs[0].is_file()
        assert f"Regional utgave: {ed.region_name}" in result.outputs[0].read_text(encoding="utf-8")
    again = render_editions(2023, None, ("html",), embedded, out)
    assert [r.stem for r in again] == [ed.stem for ed in eds] and all(r.unchanged for r in again)
