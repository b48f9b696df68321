"""HTML without Quarto: nbconvert's HTMLExporter with report/templates/ehelse-html (lang="nb",
inputs hidden, a table of contents filled from the headings). plotly.js, the page's scripts
and the boundaries are inside the page once (analysis.present.output), so it works offline.
"""

from __future__ import annotations

import base64
import html
import re
from functools import cache
from pathlib import Path
from typing import Any

from analysis import _io
from analysis.escape import slug


def _strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text).strip()


def add_toc(page: str, placeholder: str = "<!--EHELSE-TOC-->") -> str:
    """Fill the page's table of contents from the h2/h3 headings in <main>, giving every
    heading a unique id."""
    start = page.find("<main")
    if start < 0:
        return page
    head, main = page[:start], page[start:]
    used: set[str] = set(re.findall(r'\bid="([^"]+)"', head))
    entries: list[tuple[int, str, str]] = []

    def fix(m: re.Match[str]) -> str:
        level, attrs, inner = int(m.group(1)), m.group(2), m.group(3)
        text = _strip_tags(inner)
        found = re.search(r'\bid="([^"]*)"', attrs)
        base = slug(found.group(1) if found else text, "seksjon")
        hid, n = base, 2
        while hid in used:
            hid, n = f"{base}-{n}", n + 1
        used.add(hid)
        attrs = re.sub(r'\s*\bid="[^"]*"', "", attrs) + f' id="{hid}"'
        entries.append((level, hid, text))
        return f"<h{level}{attrs}>{inner}</h{level}>"

    main = re.sub(r"<h([23])([^>]*)>(.*?)</h\1>", fix, main, flags=re.S)

    items: list[str] = []
    open_sub = False
    for level, hid, text in entries:
        link = f'<a href="#{hid}">{html.escape(text)}</a>'
        if level == 2:
            if open_sub:
                items.append("</ol></li>")
                open_sub = False
            elif items:
                items.append("</li>")
            items.append(f"<li>{link}")
        else:
            if not items:
                items.append("<li>")
            if not open_sub:
                items.append("<ol>")
                open_sub = True
            items.append(f"<li>{link}</li>")
    if items:
        items.append("</ol></li>" if open_sub else "</li>")
    toc = "<ol>" + "".join(items) + "</ol>"
    return head.replace(placeholder, toc, 1) + main


@cache
def _exporter_class() -> Any:
    """nbconvert's HTMLExporter without its last step: it parses the finished page again with
    BeautifulSoup (about a second for a page of several MB) only to give an <img> without alt
    text a placeholder and to make Jupyter's own cells focusable, and this template has
    neither; the page is the template's output as it is."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    from analysis.render.notebook import NoRevalidation

    class Exporter(NoRevalidation, HTMLExporter):
        def from_notebook_node(
            self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
        ) -> Any:
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", Highlight2HTML(parent=self))
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                ),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return Exporter


def write_html(page: str, out: Path) -> Path:
    return _io.write_file(out, lambda tmp: tmp.write_text(page, encoding="utf-8"))


def page_html(nb: Any, meta: dict[str, Any], folder: Path) -> str:
    """The executed notebook as one page."""
    from traitlets.config import Config

    priority = ["text/html", "text/markdown", "image/svg+xml", "image/png", "text/plain"]
    exporter = _exporter_class()(
        config=Config({"NbConvertBase": {"display_data_priority": priority}}),
        extra_template_basedirs=[str(folder / "templates")],
        template_name="ehelse-html",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        sanitize_html=False,
    )
    exporter.register_filter(
        "b64encode_utf8", lambda s: base64.b64encode(str(s).encode("utf-8")).decode("ascii")
    )
    body, _ = exporter.from_notebook_node(nb, resources={"ehelse": meta})
    return add_toc(body)


__all__ = ["add_toc", "page_html", "write_html"]
