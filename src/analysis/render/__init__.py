"""Rendering: the chapters to HTML and PDF, with Quarto when it is installed, else the same chain
in Python; ``render`` returns a ``RenderResult``.

* project: the report project (document, chapters, format options, title page), read by both
  paths;
* stamp: the no-change check (a format rendered from the same inputs is not rendered again);
* notebook: the chapters joined into one notebook and run in this process;
* cells: what the formats show of the executed notebook; html: the page from its template;
  pdf: markdown -> pandoc -> Typst;
* quarto: ``quarto render`` of the project, and the cell that runs the chapters under Quarto.

What the chapters show comes from ``analysis.edition`` and is laid out by
``analysis.present``. This package imports no table or plotting library at import time: a
no-change render answers from the stamp. ``render_editions`` renders several editions (every
county: ``--region all``) in one run.
"""

from __future__ import annotations

import concurrent.futures
import copy
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

from analysis import _io, config, outputs
from analysis.edition.params import (
    ENV_REGION,
    ENV_TARGET,
    ENV_YEAR,
    Edition,
    county_codes,
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


def _formats(formats: Sequence[str]) -> list[str]:
    wanted = [f.strip().lower() for f in formats if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise RenderError(f"Ukjent format {', '.join(bad) or '(tomt)'}; bruk html, pdf eller begge")
    return wanted


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
    published: date | str | None = None,
) -> RenderResult:
    """Render the report for one year (and optionally one county) into
    report/_output/<Edition.stem>.html|.pdf (or ``output_dir``). A format whose file was
    rendered from the same inputs (data, chapters, templates, code) is not rendered again
    unless ``force``; ``RenderResult.skipped`` lists those. ``published`` is the publication
    date on the front page (without it, the front page gives the build date as such)."""
    results = render_editions(
        year,
        [region],
        formats,
        processed_dir,
        output_dir,
        folder=folder,
        use_quarto=use_quarto,
        force=force,
        progress=progress,
        published=published,
    )
    return results[0]


def render_editions(
    year: int | None = None,
    regions: Sequence[str | None] | None = None,
    formats: Sequence[str] = FORMATS,
    processed_dir: Path | str | None = None,
    output_dir: Path | str | None = None,
    *,
    folder: Path | None = None,
    use_quarto: bool | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    published: date | str | None = None,
) -> list[RenderResult]:
    """Render several editions of one year in one run (``regions``: county numbers or names,
    None for the national edition; ``regions=None`` gives every county of the year's
    division, ``ehelse report --region all``). The imports, the edition's national data and
    the browser for static figures are shared by all of them; each edition is rendered as
    ``render`` renders it, with its own file names and stamp."""
    from analysis.edition.colophon import published_date

    say = progress or (lambda _msg: None)
    wanted = _formats(formats)
    when = published_date(published)
    folder = Path(folder) if folder else config.REPORT_DIR
    out_dir = Path(output_dir) if output_dir else folder / "_output"
    run = stamp.run_key(
        {
            "year": year,
            "regions": regions,
            "processed": processed_dir,
            "folder": folder,
            "published": when,
        }
    )
    if not force and (same := unchanged(run, wanted, out_dir, folder)) is not None:
        return same
    first = edition(year, None, processed_dir)
    codes = county_codes(first.division) if regions is None else list(regions)
    eds = [first if r is None else edition(year, r, processed_dir) for r in codes]
    named = first.processed
    try:
        processed = outputs.current_dir(named)  # the set the pointer names, read throughout
    except _io.OutputError as exc:
        raise RenderError(str(exc)) from None
    results: list[RenderResult] = []
    # No ingest may replace the data while we read it, and no other report may write here.
    with outputs.locked(named, shared=True), outputs.locked(out_dir):
        try:
            for i, ed in enumerate(eds):
                if len(eds) > 1:
                    say(f"Utgave {i + 1} av {len(eds)}: {ed.region_name or 'hele landet'}")
                results.append(
                    _render(ed, wanted, processed, out_dir, folder, use_quarto, force, say, when)
                )
        finally:
            if "analysis.present.static" in sys.modules:
                sys.modules["analysis.present.static"].close()
        remembered = [
            {
                "stem": ed.stem,
                "named": str(named),
                "year": ed.year,
                "region": ed.region,
                "published": when.isoformat() if when else None,
            }
            for ed in eds
        ]
        stamp.remember_run(out_dir, run, remembered)
    return results


def unchanged(
    run: str, wanted: Sequence[str], out_dir: Path, folder: Path
) -> list[RenderResult] | None:
    """The results of a run whose every edition is up to date, answered from the stamps alone
    (no edition worked out, no table library imported); None when something must be built,
    or the raw data changed after the data were read in."""
    remembered = stamp.recall_run(out_dir, run)
    if not remembered:
        return None
    results = []
    for e in remembered:
        named = Path(str(e["named"]))
        if stamp.newer_than(named / "current", stamp.raw_roots()):
            return None
        try:
            processed = outputs.current_dir(named)
        except _io.OutputError:
            return None
        stem, region = str(e["stem"]), e.get("region")
        day = e.get("published")
        key = stamp.input_key(
            processed,
            folder,
            int(str(e["year"])),
            str(region) if region else None,
            date.fromisoformat(str(day)) if day else None,
        )
        if stamp.fresh_formats(wanted, out_dir, stem, key) != list(wanted):
            return None
        files = [stamp.output_path(out_dir, stem, f) for f in wanted]
        results.append(RenderResult(outputs=files, stem=stem, skipped=list(wanted)))
    return results


def _figures_path(out_dir: Path, stem: str) -> Path:
    """The cache keys of the static figures an edition's last PDF drew: when all are cached,
    the next render starts no browser."""
    return out_dir / f".{stem}.figurer.json"


def _expected_figures(out_dir: Path, stem: str) -> list[str] | None:
    try:
        keys = json.loads(_figures_path(out_dir, stem).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return [str(k) for k in keys] if isinstance(keys, list) else None


def _make_pdf(
    nb: Any,
    meta: dict[str, Any],
    folder: Path,
    synthetic: bool,
    timings: dict[str, float],
    chapters: pdf.Chapters,
) -> bytes:
    t0 = time.perf_counter()
    notebook.resolve_figures(nb)
    timings["figures_wait"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    made = pdf.make_pdf(nb, meta, folder, chapters, synthetic)
    timings["pdf"] = round(time.perf_counter() - t0, 2)
    return made


def _render(
    ed: Edition,
    wanted: list[str],
    processed: Path,
    out_dir: Path,
    folder: Path,
    use_quarto: bool | None,
    force: bool,
    say: Callable[[str], None],
    published: date | None = None,
) -> RenderResult:
    stem = ed.stem
    key = stamp.input_key(processed, folder, ed.year, ed.region, published)
    done = [] if force else stamp.fresh_formats(wanted, out_dir, stem, key)
    result = RenderResult(
        outputs=[stamp.output_path(out_dir, stem, f) for f in wanted], stem=stem, skipped=done
    )
    if result.unchanged:
        return result
    options = project_options(folder)
    chapters = options.chapter_paths()
    result.chapters = [c.name for c in chapters]
    from analysis import __version__ as software

    meta = title_block(options.front, ed, published, software)
    meta["toc_title"] = options.toc_title
    synthetic = notebook.synthetic_sources(processed)
    meta |= {"synthetic": synthetic, "version": software}
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

    from analysis.present import static

    expected = _expected_figures(out_dir, stem) if "pdf" in todo else None
    if "pdf" in todo:
        # Missing figures are drawn in the background, the browser starting now, while the
        # chapters run and the page is written; the PDF waits for them.
        static.defer()
        if not (expected is not None and static.all_cached(expected)):
            static.start_in_background()
    # pandoc converts each chapter for the PDF while the next one runs.
    converted = pdf.Chapters(options) if "pdf" in todo else None
    try:
        say(f"Kjører {len(chapters)} kapitler ...")
        nb, _ = notebook.build_notebook(chapters)
        t0 = time.perf_counter()
        nb, result.warnings, result.figures = notebook.execute(
            nb,
            env,
            folder,
            expected_figures=expected,
            keep_browser=True,
            progress=say,
            chapter_done=converted.add if converted is not None else None,
        )
        result.timings["execute"] = round(time.perf_counter() - t0, 2)
        for w in result.warnings:
            say(f"Advarsel: {w}")
        page: str | None = None
        document: bytes | None = None
        # The PDF is made in a thread beside the page: waiting for its figures, pandoc and
        # Typst (which lets go of the GIL) overlap with the HTML export. It gets its own copy
        # of the notebook, whose figures it fills in. Both files are written only once both
        # are made, so a failed run leaves them as they were; leaving the block waits for the
        # thread, so a failed page does not leave it drawing.
        with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="ehelse-pdf") as pool:
            pdf_job = None
            if converted is not None:
                pdf_nb = copy.deepcopy(nb) if "html" in todo else nb
                pdf_job = pool.submit(
                    _make_pdf, pdf_nb, meta, folder, synthetic, result.timings, converted
                )
            if "html" in todo:
                t0 = time.perf_counter()
                page = html.page_html(nb, meta, folder)
                result.timings["html"] = round(time.perf_counter() - t0, 2)
            if pdf_job is not None:
                document = pdf_job.result()
        if page is not None:
            path = html.write_html(page, stamp.output_path(out_dir, stem, "html"))
            result.html_mb = round(path.stat().st_size / 1e6, 2)
        if document is not None:
            path = stamp.output_path(out_dir, stem, "pdf")
            _io.write_file(path, lambda tmp: tmp.write_bytes(document))
            result.pdf_pages = pdf.page_count(document)
            keys = result.figures.get("keys")
            if isinstance(keys, list):
                text = json.dumps(keys) + "\n"
                _io.write_file(
                    _figures_path(out_dir, stem),
                    lambda tmp: tmp.write_text(text, encoding="utf-8"),
                )
    finally:
        if converted is not None:
            converted.close()
        static.finish()  # the browser stays for the next edition; render_editions closes it
    stamp.record(out_dir, stem, todo, key)
    return result


__all__ = [
    "FORMATS",
    "RenderError",
    "RenderResult",
    "render",
    "render_editions",
    "unchanged",
]
