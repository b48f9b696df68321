"""The report project (report/): what both render paths read from it, the one source of the
document, its chapters, the format options and the title page.

Quarto renders one document, ``report/ehelse-status.py`` (``project.render`` in
_quarto.yml), whose front matter holds the report's title and the chapter list; the Python
chain reads the same list and the same format options here, so the two cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from analysis import config
from analysis._io import first_line
from analysis.errors import EhelseError
from analysis.fmt import date_text

if TYPE_CHECKING:
    from analysis.edition.params import Edition

DOCUMENT: Final = "ehelse-status.py"
PARAMETERS: Final = ("year", "region", "processed")
OPTION_LINE: Final = re.compile(r"^#\|\s?(.*)$")
TITLE: Final = "Status for kommunenes innføring av nasjonale e-helseløsninger"
PUBLISHER: Final = "KS"


class RenderError(EhelseError, RuntimeError):
    """The report could not be rendered; the message is one line for the user."""


class ProjectError(RenderError):
    """_quarto.yml or the report document is not what the report needs (one line)."""


@dataclass(frozen=True)
class ProjectOptions:
    """What both paths take from the project: the document, its chapters and front matter,
    the format options (numbering, contents, template, PDF standard) and the parameters."""

    folder: Path
    document: str
    output_dir: str
    front: Mapping[str, Any]
    chapters: tuple[str, ...]
    html: Mapping[str, Any] = field(default_factory=dict)
    typst: Mapping[str, Any] = field(default_factory=dict)
    lang: str = "nb"
    params: tuple[str, ...] = PARAMETERS

    def chapter_paths(self) -> list[Path]:
        return [self.folder / c for c in self.chapters]

    def typst_args(self) -> dict[str, Any]:
        """The options `rapport` (templates/ehelse.typ) takes, as typst-show.typ maps them."""
        t = self.typst
        return {
            "numbering": str(t.get("section-numbering") or "1.1"),
            "toc": bool(t.get("toc", True)),
            "toc-title": str(t.get("toc-title") or "Innhold"),
            "toc-depth": int(t.get("toc-depth") or 2),
            "lang": str(t.get("lang") or self.lang),
            "paper": str(t.get("papersize") or "a4"),
            "font": [str(t["mainfont"])] if t.get("mainfont") else [],
        }

    @property
    def pdf_standards(self) -> list[str]:
        raw = self.typst.get("pdf-standard") or []
        return [str(s) for s in ([raw] if isinstance(raw, str) else raw)]

    @property
    def heading_shift(self) -> int:
        return int(self.typst.get("shift-heading-level-by") or 0)

    @property
    def toc_title(self) -> str:
        return str(self.html.get("toc-title") or "Innhold")


def _yaml(path: Path) -> dict[str, Any]:
    import yaml

    if not path.is_file():
        raise ProjectError(f"{path} finnes ikke")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ProjectError(f"{path}: ugyldig YAML ({first_line(exc)})") from exc
    if not isinstance(data, dict):
        raise ProjectError(f"{path}: forventet en YAML-ordbok")
    return data


def front_matter(path: Path) -> dict[str, Any]:
    """The YAML header of a percent script: its first cell, ``# %% [markdown]`` with ---."""
    import yaml

    text = path.read_text(encoding="utf-8")
    m = re.match(r"\s*# %% \[markdown\]\n# ---\n(.*?)\n# ---\n", text, flags=re.S)
    if not m:
        return {}
    body = "\n".join(re.sub(r"^# ?", "", line) for line in m.group(1).splitlines())
    data = yaml.safe_load(body) or {}
    return data if isinstance(data, dict) else {}


def project_options(folder: Path | None = None) -> ProjectOptions:
    """Read _quarto.yml and the document it renders (in report/ unless ``folder``); every
    chapter must exist."""
    folder = folder or config.REPORT_DIR
    settings = _yaml(folder / "_quarto.yml")
    project = settings.get("project") or {}
    render = [str(r) for r in project.get("render") or []]
    if len(render) != 1:
        raise ProjectError(
            f"{folder / '_quarto.yml'}: project.render skal liste ett dokument (rapporten), "
            f"ikke {len(render)}"
        )
    document = folder / render[0]
    if not document.is_file():
        raise ProjectError(f"{folder / '_quarto.yml'}: {document} finnes ikke")
    front = front_matter(document)
    chapters = [str(c) for c in front.get("kapitler") or []]
    if not chapters:
        raise ProjectError(f"{document}: front matter lister ingen kapitler (kapitler:)")
    missing = [str(folder / c) for c in chapters if not (folder / c).is_file()]
    if missing:
        raise ProjectError(f"{document}: kapitlene finnes ikke: {', '.join(missing)}")
    formats = settings.get("format") or {}
    params = settings.get("params") or {}
    return ProjectOptions(
        folder=folder,
        document=render[0],
        output_dir=str(project.get("output-dir") or "_output"),
        front=front,
        chapters=tuple(chapters),
        html=dict(formats.get("html") or {}),
        typst=dict(formats.get("typst") or {}),
        lang=str(settings.get("lang") or "nb"),
        params=tuple(str(k) for k in params) or PARAMETERS,
    )


def chapter_files(folder: Path | None = None) -> list[Path]:
    """The chapters in order: ``kapitler`` in the front matter of the document that
    ``project.render`` in _quarto.yml names (report/ehelse-status.py), the one list of them."""
    return project_options(folder).chapter_paths()


def cell_options(source: str) -> tuple[dict[str, Any], str]:
    """A code cell's ``#|`` lines (at its top) as YAML, and the rest of its code."""
    import yaml

    lines = source.splitlines()
    head: list[str] = []
    while lines and (m := OPTION_LINE.match(lines[0])):
        head.append(m.group(1))
        lines.pop(0)
    options = yaml.safe_load("\n".join(head)) if head else {}
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise ProjectError(f"cellevalgene er ikke en YAML-ordbok: {head!r}")
    return options, "\n".join(lines)


def title_block(
    front: Mapping[str, Any],
    ed: Edition,
    published: date | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """The edition's title page: title with the year, the regional subtitle, publisher, dates
    and the colophon, as both paths put it on the page."""
    from analysis.edition.colophon import colophon

    title = f"{front.get('title') or TITLE} {ed.year}"
    subtitle = front.get("subtitle")
    if ed.region is not None:
        subtitle = f"Regional utgave: {ed.region_name}" + (f". {subtitle}" if subtitle else "")
    c = colophon(ed, dict(front), published, software_version=version)
    return {
        "title": title,
        "subtitle": subtitle,
        "publisher": c.publisher,
        "date": (c.published or c.built).isoformat(),
        "date_text": c.date_line,
        "status_text": f"Status per {date_text(ed.as_of)}",
        "region_code": ed.region,
        "region_name": ed.region_name,
        "colophon": c.lines(),
        "cite_as": c.cite_as,
        "accessibility_url": c.accessibility_url,
    }


__all__ = [
    "DOCUMENT",
    "PUBLISHER",
    "TITLE",
    "ProjectError",
    "ProjectOptions",
    "RenderError",
    "cell_options",
    "chapter_files",
    "front_matter",
    "project_options",
    "title_block",
]
