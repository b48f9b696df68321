"""The report through Quarto: the document's one cell that runs every chapter in its kernel
(``run_chapters``), and ``ehelse report`` calling ``quarto render`` when Quarto is installed.

Quarto renders one document, ``report/ehelse-status.py``. Its parameters cell takes
``-P year:2024 -P region:46`` and its one ``#| output: asis`` cell calls ``run_chapters``, so
``quarto render report`` gives one HTML file and one PDF with all chapters, computed once, as
the Python chain does (analysis.render.notebook).

Why not a book: Quarto's HTML book is a website with a page per chapter (no single
self-contained file), its Typst books use their own template, and every chapter runs in a
kernel of its own (the edition's data and the browser for static figures once per chapter).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from analysis.edition.params import ENV_TARGET
from analysis.render.project import (
    ProjectError,
    ProjectOptions,
    RenderError,
    cell_options,
    front_matter,
    project_options,
)

# Our formats -> the Quarto format that makes them (the PDF comes from Typst).
QUARTO_FORMATS: Final = {"html": "html", "pdf": "typst"}


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

    from analysis.present import output, static
    from analysis.present.blocks import Markdown

    base = Path(folder) if folder else Path(os.environ.get("QUARTO_DOCUMENT_PATH") or ".")
    options = project_options(base.resolve())
    given = {"year": year, "region": region, "processed": processed}
    output.prewarm()
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
        static.close()


# ---------------------------------------------------------------------------------------------
# `ehelse report` through Quarto


def quarto_metadata(meta: dict[str, Any], synthetic: bool) -> dict[str, Any]:
    """The edition's title page for Quarto (``--metadata-file``): what the Python chain puts
    on it, so the two title pages agree."""
    data = {
        "title": meta["title"],
        "subtitle": meta.get("subtitle"),
        "date": meta.get("date_text"),
        "status": meta.get("status_text"),
        "eksempeldata": synthetic,
        # typst-show.typ lists these on the title page, as the Python chain does.
        "kolofon": [{"etikett": k, "tekst": v} for k, v in meta.get("colophon") or []],
    }
    return {k: v for k, v in data.items() if v is not None and v is not False}


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
                env=dict(env) | {ENV_TARGET: fmt},
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
    "QUARTO_FORMATS",
    "quarto_command",
    "quarto_error",
    "quarto_metadata",
    "render_with_quarto",
    "run_chapters",
]
