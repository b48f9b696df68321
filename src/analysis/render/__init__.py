"""Rendering: the chapters to HTML and PDF, with Quarto when it is installed, else the same chain
in Python; ``render`` returns a ``RenderResult``.

* project: the report project (document, chapters, format options, title page), read by both
  paths;
* stamp: the no-change check (a format rendered from the same inputs is not rendered again);
* notebook: the chapters joined into one notebook and run in one kernel;
* html: nbconvert's HTML page; pdf: markdown -> pandoc -> Typst;
* quarto: ``quarto render`` of the project, and the cell that runs the chapters under Quarto.

What the chapters show comes from ``analysis.edition`` and is laid out by
``analysis.present``. This package imports no table or plotting library at import time: a
no-change render answers from the stamp.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any, Final

from analysis import _io, config, outputs
from analysis.edition.params import (
    ENV_REGION,
    ENV_TARGET,
    ENV_YEAR,
    Edition,
    edition,
)
from analysis.render import html, notebook, pdf, quarto, stamp
from analysis.render.project import RenderError, project_options, title_block

FORMATS: Final = ("html", "pdf")


@dataclass
class RenderResult:
    """What a render made and how long it took: the files (``outputs``, in the order the
    formats were asked for), the formats already up to date (``skipped``), the seconds per step
    (``timings``: execute, html, pdf or quarto), the PDF's pages, the kernel's figure
    statistics and the chapters' warnings."""

    outputs: list[Path]
    stem: str
    skipped: list[str] = field(default_factory=list)
    chapters: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    pdf_pages: int | None = None
    html_mb: float | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        """Nothing was rendered: every format was up to date."""
        return len(self.skipped) == len(self.outputs)


def render(
    year: int | None = None,
    region: str | None = None,
    formats: Sequence[str] = FORMATS,
    processed_dir: Path | str | None = None,
    output_dir: Path | str | None = None,
    *,
    folder: Path | None = None,
    use_quarto: bool | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RenderResult:
    """Render the report for one year (and optionally one county) into
    report/_output/ehelse-status-<year>[-<county>].html|.pdf (or ``output_dir``). A format
    whose file was rendered from the same inputs (data, chapters, templates, code) is not
    rendered again unless ``force``; ``RenderResult.skipped`` lists those."""
    say = progress or (lambda _msg: None)
    wanted = [f.strip().lower() for f in formats if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise RenderError(f"Ukjent format {', '.join(bad) or '(tomt)'}; bruk html, pdf eller begge")
    folder = Path(folder) if folder else config.REPORT_DIR
    ed = edition(year, region, processed_dir)
    named = ed.processed
    out_dir = Path(output_dir) if output_dir else folder / "_output"
    try:
        processed = outputs.current_dir(named)  # the set the pointer names, read throughout
    except _io.OutputError as exc:
        raise RenderError(str(exc)) from None
    # No ingest may replace the data while we read it, and no other report may write here.
    with outputs.locked(named, shared=True), outputs.locked(out_dir):
        return _render(ed, wanted, processed, out_dir, folder, use_quarto, force, say)


def _render(
    ed: Edition,
    wanted: list[str],
    processed: Path,
    out_dir: Path,
    folder: Path,
    use_quarto: bool | None,
    force: bool,
    say: Callable[[str], None],
) -> RenderResult:
    stem = ed.stem
    key = stamp.input_key(processed, folder, ed.year, ed.region)
    done = [] if force else stamp.fresh_formats(wanted, out_dir, stem, key)
    result = RenderResult(
        outputs=[stamp.output_path(out_dir, stem, f) for f in wanted], stem=stem, skipped=done
    )
    if result.unchanged:
        return result
    options = project_options(folder)
    chapters = options.chapter_paths()
    result.chapters = [c.name for c in chapters]
    meta = title_block(options.front, ed)
    meta["toc_title"] = options.toc_title
    synthetic = notebook.synthetic_sources(processed)
    meta |= {"synthetic": synthetic, "version": version("ehelsestatus")}
    todo = [f for f in wanted if f not in done]
    env = dict(os.environ) | {
        notebook.ENV_PARENT: str(os.getpid()),
        ENV_YEAR: str(ed.year),
        config.ENV_PROCESSED: str(processed.resolve()),
        ENV_TARGET: ",".join(todo),
    }
    if ed.region:
        env[ENV_REGION] = ed.region
    else:
        env.pop(ENV_REGION, None)

    use = shutil.which("quarto") is not None if use_quarto is None else use_quarto
    if use:
        say("Bygger rapporten med Quarto ...")
        t0 = time.perf_counter()
        params = {"year": ed.year, "region": ed.region, "processed": str(processed.resolve())}
        made = quarto.render_with_quarto(
            options, todo, params, quarto.quarto_metadata(meta, synthetic), stem, out_dir, env
        )
        for path in made:
            if path.suffix == ".pdf":
                result.pdf_pages = pdf.page_count(path.read_bytes())
        result.timings["quarto"] = round(time.perf_counter() - t0, 2)
        stamp.record(out_dir, stem, todo, key)
        return result

    say(f"Kjører {len(chapters)} kapitler ...")
    nb, _ = notebook.build_notebook(chapters)
    t0 = time.perf_counter()
    nb, result.warnings, result.figures = notebook.execute(nb, env, folder)
    result.timings["execute"] = round(time.perf_counter() - t0, 2)
    for w in result.warnings:
        say(f"Advarsel: {w}")
    if "html" in todo:
        t0 = time.perf_counter()
        path = html.export_html(nb, meta, stamp.output_path(out_dir, stem, "html"), folder)
        result.timings["html"] = round(time.perf_counter() - t0, 2)
        result.html_mb = round(path.stat().st_size / 1e6, 2)
    if "pdf" in todo:
        t0 = time.perf_counter()
        path = pdf.export_pdf(nb, meta, stamp.output_path(out_dir, stem, "pdf"), folder, synthetic)
        result.timings["pdf"] = round(time.perf_counter() - t0, 2)
        result.pdf_pages = pdf.page_count(path.read_bytes())
    stamp.record(out_dir, stem, todo, key)
    return result


__all__ = ["FORMATS", "RenderError", "RenderResult", "render"]
