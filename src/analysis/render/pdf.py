"""The PDF without Quarto, by the chain Quarto itself uses: the executed notebook with static
SVG figures becomes markdown (``to_markdown``, over ``analysis.render.cells``), pandoc (from
pypandoc-binary) writes Typst, and the typst wheel compiles it with report/templates/ehelse.typ
(EHELSE_KEEP_BUILD=DIR keeps the intermediate files for a look).
"""

from __future__ import annotations

import base64
import concurrent.futures
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any, Final

from analysis import _io
from analysis.escape import typst_string
from analysis.render import cells
from analysis.render.project import PUBLISHER, ProjectOptions, RenderError

KEEP_BUILD_ENV: Final = "EHELSE_KEEP_BUILD"


_FIGURE_SUFFIX: Final = {"image/svg+xml": ".svg", "image/png": ".png"}


def _figure_name(item: cells.Shown) -> str:
    return f"figurer/figur_{item.cell}_{item.output}{_FIGURE_SUFFIX[item.kind]}"


def _figure(item: cells.Shown) -> str:
    """A figure as raw Typst: pandoc's Typst writer would drop its alternative text."""
    m = item.metadata.get("ehelse") or {}
    args = [typst_string(_figure_name(item)), f"alt: {typst_string(item.alt)}"]
    args.append(f"caption: {typst_string(m.get('caption', ''))}")
    if m.get("synthetic"):
        args.append("eksempel: true")
    return "```{=typst}\n#ehelse-figur(" + ", ".join(args) + ")\n```"


def to_markdown(nb: Any, start: int = 0, stop: int | None = None) -> str:
    """The executed notebook (its cells ``start:stop``) as pandoc markdown: prose as written,
    tables as pipe tables, figures as raw Typst naming their files (``write_figures``)."""
    parts = [
        _figure(item) if item.kind in _FIGURE_SUFFIX else item.text.strip("\n")
        for item in cells.shown(nb, cells.MARKDOWN_PRIORITY, start, stop)
    ]
    return "\n\n".join(p for p in parts if p.strip()) + "\n"


def write_figures(nb: Any, build: Path) -> None:
    """The figures ``to_markdown`` names, written into ``build``."""
    for item in cells.shown(nb, cells.MARKDOWN_PRIORITY):
        if item.kind not in _FIGURE_SUFFIX:
            continue
        target = build / _figure_name(item)
        target.parent.mkdir(parents=True, exist_ok=True)
        if item.kind == "image/png":
            target.write_bytes(base64.b64decode(item.text))
        else:
            target.write_text(item.text, encoding="utf-8")


class Chapters:
    """pandoc's Typst of the document, converted in a thread while the chapters run (pandoc is
    a process of its own, so the conversion overlaps with the chapters instead of following
    them). ``add`` a chapter's cells once they have run, ``typst`` at the end. Chapters done
    while pandoc is busy are converted together in its next call, so a run of short chapters
    does not queue one pandoc start each."""

    def __init__(self, options: ProjectOptions) -> None:
        self.options = options
        self._shift = options.heading_shift or -1
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="ehelse-pandoc")
        self._lock = threading.Lock()
        self._waiting: list[str] = []
        self._markdown: list[str] = []
        self._jobs: list[concurrent.futures.Future[str]] = []

    def add(self, nb: Any, start: int, stop: int) -> None:
        markdown = to_markdown(nb, start, stop)
        if not markdown.strip():
            return
        self._markdown.append(markdown)
        with self._lock:
            self._waiting.append(markdown)
        self._jobs.append(self._pool.submit(self._convert))

    def _convert(self) -> str:
        with self._lock:
            batch, self._waiting = self._waiting, []
        return markdown_to_typst("\n".join(batch), self._shift) if batch else ""

    def markdown(self) -> str:
        return "\n".join(self._markdown)

    def typst(self) -> str:
        """The whole body; the first failed conversion is raised."""
        try:
            return "\n".join(text for job in self._jobs if (text := job.result()))
        finally:
            self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def markdown_to_typst(markdown: str, shift: int = -1) -> str:
    """pandoc's Typst, with the heading shift of format.typst (``##`` chapters -> level 1)."""
    import pypandoc

    return str(
        pypandoc.convert_text(
            markdown,
            "typst",
            format="markdown",
            extra_args=[f"--shift-heading-level-by={shift}", "--wrap=preserve"],
        )
    )


def _typst_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "(" + "".join(f"{_typst_value(v)}, " for v in value) + ")"
    return typst_string(str(value))


def typst_main(meta: dict[str, Any], options: ProjectOptions, synthetic: bool) -> str:
    """main.typ of the Python chain: the call typst-show.typ makes on the Quarto path."""
    args = {
        "title": meta["title"],
        "subtitle": meta.get("subtitle"),
        "publisher": meta.get("publisher") or PUBLISHER,
        "date": meta.get("date_text"),
        "status": meta.get("status_text"),
        "synthetic": synthetic,
        "colophon": [list(pair) for pair in meta.get("colophon") or []],
        **options.typst_args(),
    }
    lines = [f"  {k}: {'none' if v is None else _typst_value(v)}," for k, v in args.items()]
    return (
        '#import "ehelse.typ": *\n#show: rapport.with(\n'
        + "\n".join(lines)
        + '\n)\n#include "body.typ"\n'
    )


def page_count(pdf: bytes) -> int:
    """The pages of a PDF: its page objects."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def make_pdf(
    nb: Any, meta: dict[str, Any], folder: Path, chapters: Chapters, synthetic: bool
) -> bytes:
    """The PDF of the executed notebook, its body what ``chapters`` converted while the
    chapters ran; checked against format.typst's pdf-standard (PDF/UA-1: Typst refuses a
    document without title, language, alternative text or a sound heading order)."""
    import typst

    options = chapters.options
    with tempfile.TemporaryDirectory(prefix="ehelse-pdf-") as tmp:
        build = Path(tmp)
        write_figures(nb, build)
        (build / "body.md").write_text(chapters.markdown(), encoding="utf-8")
        body = '#import "ehelse.typ": *\n\n' + chapters.typst()
        (build / "body.typ").write_text(body, encoding="utf-8")
        shutil.copy(folder / "templates" / "ehelse.typ", build / "ehelse.typ")
        (build / "main.typ").write_text(typst_main(meta, options, synthetic), encoding="utf-8")
        keep = os.environ.get(KEEP_BUILD_ENV)
        if keep:
            shutil.copytree(build, Path(keep), dirs_exist_ok=True)
        try:
            standards: Any = options.pdf_standards  # checked by Typst itself
            pdf = typst.compile(str(build / "main.typ"), root=str(build), pdf_standards=standards)
        except Exception as exc:  # typst raises its own error types with multi-line text
            raise RenderError(f"Typst kunne ikke lage PDF-en: {_io.first_line(exc)}") from exc
    return bytes(pdf)


__all__ = [
    "Chapters",
    "make_pdf",
    "markdown_to_typst",
    "page_count",
    "to_markdown",
    "typst_main",
    "write_figures",
]
