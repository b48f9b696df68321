"""The report as a Quarto project, and what both render paths read from it.

Quarto renders one document, ``report/ehelse-status.py`` (``project.render`` in
_quarto.yml). Its front matter holds the report's title and the chapter list, its
parameters cell takes ``-P year:2024 -P region:46``, and its one ``#| output: asis`` cell
calls ``run_chapters``, which runs every chapter's cells in that kernel, in order. So
``quarto render report`` gives one HTML file and one PDF with all chapters, computed once, as
the Python chain does (analysis.render.publish, which reads the same chapter list and the same format
options through ``project_options``).

Why not a book: Quarto's HTML book is a website with a page per chapter (no single
self-contained file), its Typst books use their own template, and every chapter runs in a
kernel of its own (report_data and the browser for static figures once per chapter).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from analysis._io import first_line
from analysis.errors import EhelseError

DOCUMENT: Final = "ehelse-status.py"
# Our formats -> the Quarto format that makes them (the PDF comes from Typst).
QUARTO_FORMATS: Final = {"html": "html", "pdf": "typst"}
PARAMETERS: Final = ("year", "region", "processed")
OPTION_LINE: Final = re.compile(r"^#\|\s?(.*)$")


class ProjectError(EhelseError, RuntimeError):
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


def project_options(folder: Path) -> ProjectOptions:
    """Read _quarto.yml and the document it renders; every chapter must exist."""
    config = _yaml(folder / "_quarto.yml")
    project = config.get("project") or {}
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
    formats = config.get("format") or {}
    params = config.get("params") or {}
    return ProjectOptions(
        folder=folder,
        document=render[0],
        output_dir=str(project.get("output-dir") or "_output"),
        front=front,
        chapters=tuple(chapters),
        html=dict(formats.get("html") or {}),
        typst=dict(formats.get("typst") or {}),
        lang=str(config.get("lang") or "nb"),
        params=tuple(str(k) for k in params) or PARAMETERS,
    )


# ---------------------------------------------------------------------------------------------
# Cell options in Quarto's form


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


# ---------------------------------------------------------------------------------------------
# The chapters in one kernel


def _line_of(text: str, source: str) -> int:
    """The line (0-based) where a cell's source starts in its file, for tracebacks."""
    at = text.find(source)
    return text.count("\n", 0, at) if at >= 0 else 0


def run_chapters(
    year: int | str | None = None,
    region: str | int | None = None,
    processed: str | Path | None = None,
    folder: str | Path | None = None,
) -> None:
    """Run every chapter in this kernel, in the order of the document's front matter: a
    markdown cell is shown as markdown, a code cell runs in the chapter's own namespace with
    the parameters given here set after its parameters cell. Meant for an ``#| output: asis``
    cell, so what the chapters show reaches pandoc as they wrote it."""
    import jupytext
    from IPython.display import display

    from analysis.present import figures
    from analysis.present.tables import Markdown

    base = Path(folder) if folder else Path(os.environ.get("QUARTO_DOCUMENT_PATH") or ".")
    options = project_options(base.resolve())
    given = {"year": year, "region": region, "processed": processed}
    figures.prewarm()
    try:
        for path in options.chapter_paths():
            text = path.read_text(encoding="utf-8")
            cells = list(jupytext.reads(text, fmt="py:percent").cells)
            if cells and cells[0].cell_type == "markdown" and front_matter(path):
                cells = cells[1:]
            namespace: dict[str, Any] = {"__name__": f"kapittel_{path.stem.replace('-', '_')}"}
            for cell in cells:
                if cell.cell_type == "markdown":
                    display(Markdown(cell.source))
                    continue
                if cell.cell_type != "code":
                    continue
                opts, _ = cell_options(cell.source)
                padded = "\n" * _line_of(text, cell.source) + cell.source
                exec(compile(padded, str(path), "exec", dont_inherit=True), namespace)
                if "parameters" in (opts.get("tags") or []):
                    namespace.update({k: v for k, v in given.items() if v is not None})
    finally:
        figures.close()


# ---------------------------------------------------------------------------------------------
# `ehelse report` through Quarto


def quarto_error(stderr: str, stdout: str = "") -> str:
    """Quarto's own error in one line: its ERROR line, else the last line it wrote."""
    lines = [ln.strip() for ln in (stderr or stdout).splitlines() if ln.strip()]
    for line in lines:
        if line.startswith("ERROR:"):
            return line
    return lines[-1] if lines else "ukjent feil"


def quarto_command(
    quarto: str,
    options: ProjectOptions,
    fmt: str,
    params: Mapping[str, Any],
    metadata_file: Path,
) -> list[str]:
    """``quarto render <document> --to <format> -P name:value ... --metadata-file FILE``:
    the project's own document and options; parameters by name (only those the project
    declares), their values as JSON, which Quarto reads as YAML."""
    unknown = [k for k in params if k not in options.params]
    if unknown:
        raise ProjectError(f"ukjente parametere {unknown}; prosjektet har {list(options.params)}")
    cmd = [quarto, "render", options.document, "--to", QUARTO_FORMATS[fmt]]
    for name, value in params.items():
        if value is not None:
            cmd += ["-P", f"{name}:{json.dumps(value, ensure_ascii=False)}"]
    return [*cmd, "--metadata-file", str(metadata_file)]


def render_with_quarto(
    options: ProjectOptions,
    formats: Sequence[str],
    params: Mapping[str, Any],
    metadata: Mapping[str, Any],
    stem: str,
    out_dir: Path,
    env: Mapping[str, str],
    quarto: str | None = None,
) -> list[Path]:
    """Render each format with Quarto in the project, then move the file from the
    project's output-dir to ``out_dir/<stem>.<ext>``; Quarto's error comes back in one line."""
    import yaml

    from analysis.render.publish import RenderError

    exe = quarto or shutil.which("quarto")
    if exe is None:
        raise RenderError("Fant ikke quarto på PATH")
    produced = options.folder / options.output_dir
    base = Path(options.document).stem
    paths = []
    with tempfile.TemporaryDirectory(prefix="ehelse-quarto-") as tmp:
        meta_file = Path(tmp) / "metadata.yml"
        front = yaml.safe_dump(dict(metadata), allow_unicode=True, sort_keys=False)
        meta_file.write_text(f"---\n{front}---\n", encoding="utf-8")
        for fmt in formats:
            ext = "html" if fmt == "html" else "pdf"
            cmd = quarto_command(exe, options, fmt, params, meta_file)
            run = subprocess.run(
                cmd,
                cwd=options.folder,
                env=dict(env) | {"EHELSE_TARGET": fmt},
                capture_output=True,
                text=True,
                check=False,
            )
            if run.returncode != 0:
                raise RenderError(
                    f"quarto render feilet ({fmt}): {quarto_error(run.stderr, run.stdout)}"
                )
            made = produced / f"{base}.{ext}"
            if not made.is_file():
                raise RenderError(f"quarto render laget ikke {made}")
            target = out_dir / f"{stem}.{ext}"
            out_dir.mkdir(parents=True, exist_ok=True)
            if made.resolve() != target.resolve():
                shutil.move(str(made), target)
            paths.append(target)
    return paths


__all__ = [
    "DOCUMENT",
    "QUARTO_FORMATS",
    "ProjectError",
    "ProjectOptions",
    "cell_options",
    "front_matter",
    "project_options",
    "quarto_command",
    "quarto_error",
    "render_with_quarto",
    "run_chapters",
]
