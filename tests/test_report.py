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

from analysis import publish
from analysis.cli import app
from analysis.publish import (
    RenderError,
    add_toc,
    build_notebook,
    chapter_files,
    markdown_to_typst,
    output_stem,
    report_params,
    resolve_region,
)
from analysis.reference.municipalities import municipality_table

ROOT = Path(__file__).resolve().parents[1]
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


def test_parameters_come_from_the_cell_then_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EHELSE_YEAR", "2024")
    monkeypatch.setenv("EHELSE_REGION", "46")
    monkeypatch.setenv("EHELSE_PROCESSED", str(tmp_path))
    p = report_params()
    assert (p.year, p.region, p.processed, p.regional) == (2024, "46", tmp_path, True)
    p = report_params(year=2023, region="50", processed="x")
    assert (p.year, p.region, p.processed) == (2023, "50", Path("x"))
    monkeypatch.delenv("EHELSE_REGION")
    monkeypatch.delenv("EHELSE_YEAR")
    p = report_params()
    assert p.region is None and not p.regional and p.year == 2023  # report_year in the catalogue


def test_output_names() -> None:
    assert output_stem(2023) == "ehelse-status-2023"
    assert output_stem(2023, "46") == "ehelse-status-2023-46"


def test_chapters_come_from_quarto_yml_and_must_exist(tmp_path: Path) -> None:
    names = [p.name for p in chapter_files(REPORT)]
    assert names[0] == "index.py" and names[-1] == "data-og-metode.py"
    assert "kommunene.py" in names
    (tmp_path / "_quarto.yml").write_text("project:\n  render: [a.py]\n", encoding="utf-8")
    with pytest.raises(RenderError, match=r"a\.py"):
        chapter_files(tmp_path)


def test_combined_notebook_has_front_matter_parameters_and_chapter_tags() -> None:
    nb, front = build_notebook(chapter_files(REPORT))
    assert front["title"] == publish.TITLE
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
    assert resolve_region("46", processed) == ("46", "Vestland")
    assert resolve_region("vestland", processed) == ("46", "Vestland")
    assert resolve_region(None, processed) is None
    with pytest.raises(RenderError, match=r"Ukjent fylke .99.*46 Vestland"):
        resolve_region("99", processed)


def test_input_key_follows_data_and_parameters(processed: Path, tmp_path: Path) -> None:
    import os

    key = publish.input_key(processed, REPORT, 2023, None)
    assert key == publish.input_key(processed, REPORT, 2023, None)
    assert key != publish.input_key(processed, REPORT, 2023, "46")
    assert key != publish.input_key(processed, REPORT, 2024, None)
    manifest = processed / "manifest.json"
    st = manifest.stat()
    os.utime(manifest, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    try:
        assert publish.input_key(processed, REPORT, 2023, None) != key
    finally:
        os.utime(manifest, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_fresh_formats_need_the_file_and_the_same_key(tmp_path: Path) -> None:
    stem = "ehelse-status-2023"
    publish._write_stamp(tmp_path, stem, {"html": "k1", "pdf": "k1"})
    (tmp_path / f"{stem}.html").write_text("x", encoding="utf-8")
    assert publish.fresh_formats(["html", "pdf"], tmp_path, stem, "k1") == ["html"]  # no PDF
    assert publish.fresh_formats(["html"], tmp_path, stem, "k2") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "docx"], "Ukjent format docx"),
        (["--region", "99"], "Ukjent fylke '99'"),
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
        self._heading: int | None = None
        self._text: list[str] = []
        self._figure: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._text = int(tag[1]), []
        if tag == "figure":
            self._figure = {"label": a.get("aria-label"), "caption": False}
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


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
    return " ".join(out.stdout.split())  # \s includes the narrow no-break space


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)
    return dict(
        (k.strip(), v.strip())
        for k, _, v in (line.partition(":") for line in out.stdout.splitlines())
    )


def figure_specs(html: str) -> list[dict[str, Any]]:
    found = re.findall(r'<script[^>]*\bid="[^"]*-plot-data"[^>]*>(.*?)</script>', html, re.S)
    return [json.loads(s) for s in found]


def map_locations(html: str) -> list[int]:
    return [
        sum(len(t["locations"]) for t in spec["data"])
        for spec in figure_specs(html)
        if any(t.get("type") == "choroplethmap" for t in spec["data"])
    ]


MAP_FILLED = 0.03  # share of the map canvas in colour when the map is drawn

needs_tools = pytest.mark.skipif(
    not (shutil.which("chromium") and shutil.which("pdftotext") and shutil.which("pdfinfo")),
    reason="trenger chromium og poppler-utils (make browser)",
)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("rapport")
    data = build_processed(base / "processed")
    out = base / "_output"
    files: dict[str, Path] = {}
    for key, region in (("national", None), ("regional", "46")):
        paths = publish.render(2023, region, ("html", "pdf"), data, out)
        for path in paths:
            files[f"{key}.{path.suffix[1:]}"] = path
    return files


@pytest.mark.slow
@pytest.mark.xdist_group("render")
@needs_tools
class TestRenderedReport:
    def test_file_names(self, rendered: dict[str, Path]) -> None:
        assert rendered["national.html"].name == "ehelse-status-2023.html"
        assert rendered["national.pdf"].name == "ehelse-status-2023.pdf"
        assert rendered["regional.html"].name == "ehelse-status-2023-46.html"
        assert rendered["regional.pdf"].name == "ehelse-status-2023-46.pdf"

    def test_html_is_norwegian_self_contained_and_ordered(self, rendered: dict[str, Path]) -> None:
        html = rendered["national.html"].read_text(encoding="utf-8")
        page = parse(html)
        assert page.lang == "nb"
        assert page.external == []
        assert "@import" not in html and not re.search(r"url\(\s*['\"]?https?:", html)
        from plotly.offline import get_plotlyjs

        assert html.count(get_plotlyjs()[:60]) == 1  # plotly.js inline, once
        assert rendered["national.html"].stat().st_size < 12e6
        levels = [level for level, _ in page.headings]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
        h2 = [text for level, text in page.headings if level == 2]
        assert h2 == ["Innhold", "Sammendrag", "Kommunene", "Data og metode"]
        toc = html[html.index("<nav") : html.index("</nav>")]
        assert all(f">{name}</a>" in toc for name in h2[1:])

    def test_every_figure_and_image_has_alt_text(self, rendered: dict[str, Path]) -> None:
        for key in ("national.html", "regional.html"):
            page = parse(rendered[key].read_text(encoding="utf-8"))
            assert page.figures, key
            assert all(f["label"] and f["label"].strip() and f["caption"] for f in page.figures)
            assert all((img.get("alt") or "").strip() for img in page.images)

    def test_html_content(self, rendered: dict[str, Path]) -> None:
        html = rendered["national.html"].read_text(encoding="utf-8")
        assert "Status for kommunenes innføring av nasjonale e-helseløsninger 2023" in html
        for figure in ("147 av 170", "215 av 356", "10 av 19", "Ingen status"):
            assert figure in html
        assert "Eksempeldata" in html  # the manifest lists a synthetic source
        assert "5\u202f550\u202f203" in html  # the county table's national total
        assert "ukjent kommune" in html  # the rejects summary
        assert map_locations(html) == [356]

    def test_regional_edition_is_the_county_beside_the_country(
        self, rendered: dict[str, Path]
    ) -> None:
        html = rendered["regional.html"].read_text(encoding="utf-8")
        assert "Regional utgave: Vestland (46)" in html
        assert "Hele landet" in html and "Kommunene i Vestland" in html
        assert 'type="search"' in html  # 43 municipalities: a searchable table
        assert map_locations(html) == [43]
        text = pdf_text(rendered["regional.pdf"])
        assert "Regional utgave: Vestland (46)" in text and "Hele landet" in text
        assert "4601 Bergen" in text

    def test_pdf_is_a4_with_contents_and_page_numbers(self, rendered: dict[str, Path]) -> None:
        for key in ("national.pdf", "regional.pdf"):
            info = pdf_info(rendered[key])
            pages = int(info["Pages"])
            assert pages > 1
            assert "(A4)" in info["Page size"]
            text = pdf_text(rendered[key])
            assert "Innhold" in text
            numbers = {int(n) for n, total in re.findall(r"Side (\d+) av (\d+)", text)}
            assert {int(t) for _, t in re.findall(r"Side (\d+) av (\d+)", text)} == {pages}
            assert numbers == set(range(2, pages + 1))  # every page but the title page

    def test_pdf_content(self, rendered: dict[str, Path]) -> None:
        text = pdf_text(rendered["national.pdf"])
        for heading in ("1 Sammendrag", "2 Kommunene", "3 Data og metode"):
            assert heading in text
        for figure in ("147 av 170", "215 av 356", "5 550 203", "Eksempeldata"):
            assert figure in text
        assert len(re.findall(r"Figur \d+:", text)) == 1  # one map, with its caption

    def test_unchanged_inputs_are_not_rendered_again(self, rendered: dict[str, Path]) -> None:
        html = rendered["national.html"]
        args = (2023, None, ("html", "pdf"), html.parent.parent / "processed", html.parent)
        publish.render(*args)  # brings the files up to date if the code changed meanwhile
        before = html.stat().st_mtime_ns
        assert publish.render(*args) == [html, rendered["national.pdf"]]
        assert publish.LAST_RUN["skipped"] == ["html", "pdf"]
        assert html.stat().st_mtime_ns == before

    def test_maps_render_offline_from_disk(self, rendered: dict[str, Path]) -> None:
        """Opened from disk with Chromium's normal security (no file-access flags), the map is
        drawn, nothing is fetched and nothing is logged as an error."""
        result = asyncio.run(look_at(rendered["national.html"]))
        assert result["requests"] == []
        assert result["errors"] == []
        assert result["coloured"] > MAP_FILLED, result


async def look_at(path: Path, timeout: float = 30.0) -> dict[str, Any]:
    import choreographer as choreo
    from choreographer.browsers.chromium import Chromium
    from PIL import Image

    class StrictChromium(Chromium):  # what a reader's browser allows a file:// page
        def get_cli(self) -> list[str]:
            permissive = {"--allow-file-access-from-files", "--disable-web-security"}
            return [a for a in super().get_cli() if a not in permissive]

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

    width, height = 1280, 6000
    async with choreo.Browser(browser_cls=StrictChromium, headless=True) as browser:
        tab = await browser.create_tab("")
        tab.subscribe("Network.requestWillBeSent", on_request)
        tab.subscribe("Runtime.exceptionThrown", on_exception)
        tab.subscribe("Runtime.consoleAPICalled", on_console)
        tab.subscribe("Log.entryAdded", on_log)
        for domain in ("Page.enable", "Runtime.enable", "Network.enable", "Log.enable"):
            await tab.send_command(domain)
        await tab.send_command(
            "Emulation.setDeviceMetricsOverride",
            params={"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        loaded = tab.subscribe_once("Page.loadEventFired")
        await tab.send_command("Page.navigate", params={"url": path.resolve().as_uri()})
        await loaded
        coloured = 0.0
        rect: dict[str, float] = {}
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while loop.time() < end:
            await asyncio.sleep(1.0)
            res = await tab.send_command(
                "Runtime.evaluate",
                params={
                    "expression": "(() => { const c = document.querySelector("
                    "'.maplibregl-canvas'); return c ? JSON.stringify("
                    "c.getBoundingClientRect()) : ''; })()",
                    "returnByValue": True,
                },
            )
            value = res["result"]["result"].get("value")
            if not value:
                continue
            rect = json.loads(value)
            shot = await tab.send_command(
                "Page.captureScreenshot",
                params={
                    "format": "png",
                    "clip": {
                        "x": rect["x"],
                        "y": rect["y"],
                        "width": rect["width"],
                        "height": rect["height"],
                        "scale": 1,
                    },
                },
            )
            image = Image.open(io.BytesIO(base64.b64decode(shot["result"]["data"]))).convert("RGB")
            raw = image.tobytes()
            # Saturated pixels: the map's fills. Legend swatches and text are about 0.1 % of
            # the canvas; Norway's municipalities fill about 9 % of it.
            hits = sum(
                1 for i in range(0, len(raw), 3) if max(raw[i : i + 3]) - min(raw[i : i + 3]) > 40
            )
            coloured = hits / max(len(raw) // 3, 1)
            if coloured > MAP_FILLED:
                break
    webgl_notice = "Automatic fallback to software WebGL"
    return {
        "requests": requests,
        "errors": [e for e in errors if webgl_notice not in e],
        "coloured": coloured,
        "rect": rect,
    }
