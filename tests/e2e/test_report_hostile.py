"""A catalogue entry and a municipality name full of markup, through the real `ehelse ingest`
and `ehelse report` on a copy of the raw data: both the HTML and the PDF show them as written,
run no script and keep the whole page."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from analysis.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

TITLE = 'Tittel @ola #panic("t") $E=mc^2$ *x* _y_ <script>alert(1)</script> \\ [/]'
LICENSE = "Lisens <img src=x onerror=alert(2)> [lenke](javascript:alert(3))"
URL = "https://example.org/<script>alert(4)</script>"
NAME = 'Zqx@ola `#panic("k")`{=typst} $a^2$ <script>alert(5)</script> *b*'


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.hrefs: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_script = tag == "script"
        for k, v in attrs:
            if k == "href" and v:
                self.hrefs.append(v)
            if k.startswith("on") and tag != "input":
                self.tags.append(f"{tag}[{k}]")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
        else:
            self.text.append(data)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.slow
@pytest.mark.xdist_group("render")
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="trenger poppler-utils")
def test_hostile_catalogue_and_municipality_name_are_shown_literally(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data" / "raw", raw)
    catalogue = yaml.safe_load((raw / "sources.yaml").read_text(encoding="utf-8"))
    vkp = next(s for s in catalogue["sources"] if s["id"] == "eksempel_vkp")
    # A real source is cited field by field (the example data are described together).
    real = next(s for s in catalogue["sources"] if s["id"] == "helseplattformen_innforing")
    real.update(title=TITLE, license=LICENSE, url=URL, producer="Eier @firma")
    real.pop("sha256", None)
    vkp.pop("sha256", None)  # a name is added to its file below
    (raw / "sources.yaml").write_text(yaml.safe_dump(catalogue, allow_unicode=True), "utf-8")
    with (raw / vkp["path"]).open("a", encoding="utf-8") as f:
        f.write(f',"{NAME.replace(chr(34), chr(34) * 2)}",I bruk,2023-05\n')

    processed = tmp_path / "processed"
    done = runner.invoke(app, ["ingest", "--raw", str(raw), "--out", str(processed)])
    assert done.exit_code == 0, done.output
    out = tmp_path / "rapport"
    made = runner.invoke(
        app, ["report", "--year", "2023", "--data", str(processed), "--out", str(out), "--force"]
    )
    assert made.exit_code == 0, made.output

    html = (out / "ehelse-status-2023.html").read_text(encoding="utf-8")
    page = Page()
    page.feed(html)
    assert not any("alert(" in s for s in page.scripts)
    assert "img" not in page.tags and not any("[on" in t for t in page.tags)
    assert not [h for h in page.hrefs if h.lower().startswith("javascript")]
    assert "https://example.org/%3Cscript%3Ealert%284%29%3C/script%3E" in page.hrefs
    shown = unescape("".join(page.text))
    for text in (TITLE, LICENSE, URL, "Eier @firma", NAME):
        assert _squash(text) in _squash(shown), text
    # The page is whole: the chapters after the source list are there.
    assert "Endringer siden forrige utgave" in shown and html.rstrip().endswith("</html>")

    pdf = subprocess.run(
        ["pdftotext", str(out / "ehelse-status-2023.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = _squash(pdf).replace("-", "")  # a line may break (and hyphenate) anywhere
    # The rejected name is listed on the web page (the printed report lists only a short
    # list of rejects); the catalogue's fields are cited in both.
    for text in (TITLE, LICENSE, URL, "Eier @firma"):
        assert _squash(text).replace("-", "") in flat, text
