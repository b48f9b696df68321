"""The PDF without Quarto, by the chain Quarto itself uses: the executed notebook with static
SVG figures becomes markdown (``to_markdown``, over ``analysis.render.cells``), pandoc (from
pypandoc-binary) writes Typst, and the typst wheel compiles it with report/templates/ehelse.typ
(EHELSE_KEEP_BUILD=DIR keeps the intermediate files for a look).
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, Final

from analysis import _io
from analysis.escape import typst_string
from analysis.render import cells
from analysis.render.project import PUBLISHER, ProjectOptions, RenderError, project_options

KEEP_BUILD_ENV: Final = "EHELSE_KEEP_BUILD"


_FIGURE_SUFFIX: Final = {"image/svg+xml": ".svg", "image/png": ".png"}


def _figure(item: cells.Shown, build: Path) -> str:
    """A figure as raw Typst (pandoc's Typst writer would drop its alternative text), its
    file written into ``build``."""
    name = f"figurer/figur_{item.cell}_{item.output}{_FIGURE_SUFFIX[item.kind]}"
    target = build / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if item.kind == "image/png":
        target.write_bytes(base64.b64decode(item.text))
    else:
        target.write_text(item.text, encoding="utf-8")
    m = item.metadata.get("ehelse") or {}
    args = [typst_string(name), f"alt: {typst_string(m.get('alt', ''))}"]
    args.append(f"caption: {typst_string(m.get('caption', ''))}")
    if m.get("synthetic"):
        args.append("eksempel: true")
    return "```{=typst}\n#ehelse-figur(" + ", ".join(args) + ")\n```"


def to_markdown(nb: Any, build: Path) -> str:
    """The executed notebook as pandoc markdown: prose as written, tables as pipe tables,
    figures as raw Typst; the figures are written into ``build``."""
    parts = [
        _figure(item, build) if item.kind in _FIGURE_SUFFIX else item.text.strip("\n")
        for item in cells.shown(nb, cells.MARKDOWN_PRIORITY)
    ]
    return "\n\n".join(p for p in parts if p.strip()) + "\n"


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


def make_pdf(nb: Any, meta: dict[str, Any], folder: Path, synthetic: bool) -> bytes:
    """The PDF, checked against format.typst's pdf-standard (PDF/UA-1: Typst refuses a
    document without title, language, alternative text or a sound heading order)."""
    import typst

    options = project_options(folder)
    with tempfile.TemporaryDirectory(prefix="ehelse-pdf-") as tmp:
        build = Path(tmp)
        markdown = to_markdown(nb, build)
        (build / "body.md").write_text(markdown, encoding="utf-8")
        body = markdown_to_typst(markdown, options.heading_shift or -1)
        (build / "body.typ").write_text('#import "ehelse.typ": *\n\n' + body, encoding="utf-8")
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


__all__ = ["make_pdf", "markdown_to_typst", "page_count", "to_markdown", "typst_main"]
