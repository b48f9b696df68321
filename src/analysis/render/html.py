"""HTML without Quarto: report/templates/ehelse-html filled with what the notebook shows
(``analysis.render.cells``; lang="nb", code hidden, a table of contents filled from the
headings), its prose through mistune as Jupyter's HTML reads it. plotly.js, the page's scripts
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
from analysis.render import cells


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
def _markdown() -> Any:
    """CommonMark with the extensions Jupyter's HTML has (tables, strikethrough, bare urls,
    task lists, definition lists); HTML in the text is kept, as in a notebook. Data text
    reaches the prose escaped (``analysis.escape.markdown_text``), so only the chapters'
    own markup is read as such."""
    import mistune

    plugins = ["strikethrough", "table", "url", "task_lists", "def_list"]
    return mistune.create_markdown(escape=False, plugins=plugins)


def markdown_html(text: str) -> str:
    """Markdown prose as HTML."""
    return str(_markdown()(text))


@cache
def _jinja(templates: Path) -> Any:
    """One jinja2 environment per template folder (it reloads a template that changed)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates / "ehelse-html"),
        autoescape=False,  # the template escapes data itself; outputs are HTML already
    )
    env.filters |= {
        "escape_html": lambda s: html.escape(str(s)),
        "markdown2html": markdown_html,
        "b64encode_utf8": lambda s: base64.b64encode(str(s).encode("utf-8")).decode("ascii"),
    }
    return env


def write_html(page: str, out: Path) -> Path:
    return _io.write_file(out, lambda tmp: tmp.write_text(page, encoding="utf-8"))


def page_html(nb: Any, meta: dict[str, Any], folder: Path) -> str:
    """The executed notebook as one page."""
    blocks = list(cells.shown(nb, cells.HTML_PRIORITY))
    return add_toc(
        _jinja(folder / "templates").get_template("index.html.j2").render(e=meta, blocks=blocks)
    )


__all__ = ["add_toc", "markdown_html", "page_html", "write_html"]
