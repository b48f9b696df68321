"""Render the report: Quarto when it is installed, otherwise the same chain in Python.

The chapters (report/*.py, percent format, listed in the front matter of the document that
``project.render`` in report/_quarto.yml names) are joined into one notebook and run in one
kernel, so the Chromium that kaleido keeps open for static figures is started once for the
whole report; with Quarto, that document runs them in one kernel (analysis.render.quarto). Parameters reach
the chapters the same way on both paths: environment variables (EHELSE_YEAR, EHELSE_REGION,
EHELSE_PROCESSED, EHELSE_TARGET) that the chapters' parameters cell reads through
``analysis.edition.edition``; a value set in the parameters cell itself (papermill or ``quarto -P``)
wins.

Without Quarto (it cannot be installed from the package registries we reach):

* HTML: nbconvert's HTMLExporter with report/templates/ehelse-html (lang="nb", inputs
  hidden, a table of contents); plotly.js and the boundaries are inside the page once.
* PDF: the chain Quarto itself uses. The executed notebook with static SVG figures becomes
  markdown (MarkdownExporter, report/templates/ehelse-md), pandoc (from pypandoc-binary)
  writes Typst, and the typst wheel compiles it with report/templates/ehelse.typ
  (EHELSE_KEEP_BUILD=DIR keeps the intermediate files for a look).

A format already rendered from the same inputs (a fingerprint of the data, chapters,
templates and code, kept in a stamp beside the output) is not rendered again, so a no-change
`make report` takes about as long as starting Python.

What the chapters show comes from ``analysis.edition``: the processed tables and the metrics
for the edition's status date (the end of the report year), composed from the
metric functions once per kernel, so seven activity sections and the summary agree.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from analysis import config
from analysis._io import first_line
from analysis.edition.params import ENV_PROCESSED, ENV_REGION, ENV_YEAR, Edition, edition
from analysis.errors import EhelseError
from analysis.fmt import date_text

if TYPE_CHECKING:
    from analysis.render.quarto import ProjectOptions

ENV_TARGET: Final = "EHELSE_TARGET"
ENV_PARENT: Final = "EHELSE_REPORT_PID"
FORMATS: Final = ("html", "pdf")
TITLE: Final = "Status for kommunenes innføring av nasjonale e-helseløsninger"
PUBLISHER: Final = "KS"
STATS_MARK: Final = "EHELSE_STATS "
KERNEL_TIMEOUT_S: Final = 900

# Timings and sizes of the last render in this process (for the CLI and the benchmark).
LAST_RUN: dict[str, Any] = {}


class RenderError(EhelseError, RuntimeError):
    """The report could not be rendered; the message is one line for the user."""


def report_dir() -> Path:
    return config.REPORT_DIR


def project_options(folder: Path | None = None) -> ProjectOptions:
    """The project's document, chapters and format options (analysis.render.quarto), the one
    source both render paths read."""
    from analysis.render.quarto import ProjectError
    from analysis.render.quarto import project_options as read

    try:
        return read(folder or report_dir())
    except ProjectError as exc:
        raise RenderError(str(exc)) from exc


def chapter_files(folder: Path | None = None) -> list[Path]:
    """The chapters in order: ``kapitler`` in the front matter of the document that
    ``project.render`` in _quarto.yml names (report/ehelse-status.py), the one list of them."""
    return project_options(folder).chapter_paths()


def _synthetic_sources(processed: Path) -> bool:
    from analysis.load import MissingDataError, load_manifest

    try:
        manifest = load_manifest(processed)
    except MissingDataError:
        return False
    sources = manifest.get("sources") or []
    return any(isinstance(s, dict) and s.get("synthetic") for s in sources)


# ---------------------------------------------------------------------------------------------
# The combined notebook


def _front_matter(cell: Any) -> dict[str, Any] | None:
    """Quarto's front matter in a percent script: a first markdown cell of YAML in ---."""
    import yaml

    if cell.cell_type not in ("markdown", "raw"):
        return None
    text = cell.source.strip()
    m = re.fullmatch(r"---\s*\n(.*?)\n---", text, flags=re.S)
    if not m:
        return None
    data = yaml.safe_load(m.group(1)) or {}
    return data if isinstance(data, dict) else None


def build_notebook(chapters: Sequence[Path]) -> tuple[Any, dict[str, Any]]:
    """All chapters in one notebook; the first chapter's front matter is the report's."""
    import jupytext
    import nbformat

    from analysis.render.quarto import cell_options

    combined = nbformat.v4.new_notebook()
    combined.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    combined.metadata["language_info"] = {"name": "python"}
    front: dict[str, Any] = {}
    for i, path in enumerate(chapters):
        nb = jupytext.read(path, fmt="py:percent")
        cells = list(nb.cells)
        if cells:
            meta = _front_matter(cells[0])
            if meta is not None:
                cells = cells[1:]
                if i == 0:
                    front = meta
        for cell in cells:
            if cell.cell_type == "code":
                tags = cell_options(cell.source)[0].get("tags") or []
                if tags:  # Quarto's `#| tags: [...]`, as papermill reads them
                    cell.metadata["tags"] = list(tags)
            cell.metadata["ehelse_kapittel"] = path.name
            cell["id"] = f"c{len(combined.cells)}"
            combined.cells.append(cell)
    return combined, front


def _title_block(
    front: dict[str, Any], ed: Edition, published: date | None = None, version: str | None = None
) -> dict[str, Any]:
    from analysis.edition.colophon import colophon

    title = f"{front.get('title') or TITLE} {ed.year}"
    subtitle = front.get("subtitle")
    if ed.region is not None:
        subtitle = f"Regional utgave: {ed.region_name}" + (f". {subtitle}" if subtitle else "")
    c = colophon(ed, front, published, software_version=version)
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


# ---------------------------------------------------------------------------------------------
# Execution


def follow_parent(interval_s: float = 0.5) -> bool:
    """In the report's kernel: end the kernel and everything it started (kaleido's Chromium)
    when the process rendering the report is gone, however it ended (a kill leaves no chance
    to shut the kernel down). Returns whether a watch was started."""
    import threading

    want = os.environ.get(ENV_PARENT)
    if not want or not want.isdigit() or os.getppid() != int(want):
        return False  # not started by render() (a notebook, Quarto): nothing to follow
    parent = int(want)

    def watch() -> None:
        import signal

        import psutil  # ipykernel's own dependency, so always there in a kernel

        while os.getppid() == parent:
            time.sleep(interval_s)
        me = psutil.Process()
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                child.kill()
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="ehelse-follow-parent", daemon=True).start()
    return True


def _chapter_of(nb: Any, index: int) -> str:
    return str(nb.cells[index].metadata.get("ehelse_kapittel", "?"))


def execute(nb: Any, env: dict[str, str], cwd: Path) -> tuple[Any, list[str], dict[str, Any]]:
    """Run the notebook in one kernel; returns it with the warnings (stderr) and the figure
    statistics the kernel reported."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb.cells.insert(
        0,
        nbformat.v4.new_code_cell(
            "from analysis.present import figures as _figures\nfrom analysis.render import publish as _publish\n"
            "_publish.follow_parent()\n_figures.prewarm()",
            metadata={"ehelse_kapittel": "_start"},
        ),
    )
    nb.cells[0]["id"] = "ehelse-start"
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import json as _json\nfrom analysis.present import figures as _figures\n"
            f"print({STATS_MARK!r} + _json.dumps(_figures.STATS))\n_figures.close()",
            metadata={"ehelse_kapittel": "_stats"},
        )
    )
    nb.cells[-1]["id"] = "ehelse-stats"
    client = NotebookClient(
        nb,
        timeout=KERNEL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
        allow_errors=False,
    )
    try:
        # The kernel's own log (an unencrypted-TCP notice on every start) is noise here;
        # its errors come back through the notebook.
        client.execute(env=env, stderr=subprocess.DEVNULL)
    except CellExecutionError as exc:
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    chapter = _chapter_of(nb, i)
                    raise RenderError(
                        f"{chapter}: {out.get('ename')}: {out.get('evalue')}".strip()
                    ) from exc
        raise RenderError(str(exc).strip().splitlines()[-1]) from exc
    stats: dict[str, Any] = {}
    nb.cells.pop(0)
    last = nb.cells.pop()
    for out in last.get("outputs", []):
        text = out.get("text", "")
        for line in text.splitlines():
            if line.startswith(STATS_MARK):
                stats = json.loads(line[len(STATS_MARK) :])
    warnings: list[str] = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                text = out.get("text", "").strip()
                if text:
                    warnings.append(f"{_chapter_of(nb, i)}: {text.splitlines()[-1]}")
    return nb, warnings, stats


# ---------------------------------------------------------------------------------------------
# HTML


def _strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text).strip()


def _id_slug(text: str) -> str:
    from analysis.fmt import slug

    return slug(text, "seksjon")


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
        base = _id_slug(found.group(1) if found else text)
        hid, n = base, 2
        while hid in used:
            hid, n = f"{base}-{n}", n + 1
        used.add(hid)
        attrs = re.sub(r'\s*\bid="[^"]*"', "", attrs) + f' id="{hid}"'
        entries.append((level, hid, text))
        return f"<h{level}{attrs}>{inner}</h{level}>"

    main = re.sub(r"<h([23])([^>]*)>(.*?)</h\1>", fix, main, flags=re.S)
    import html as html_mod

    items: list[str] = []
    open_sub = False
    for level, hid, text in entries:
        link = f'<a href="#{hid}">{html_mod.escape(text)}</a>'
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


def _templates(folder: Path) -> Path:
    return folder / "templates"


def export_html(nb: Any, meta: dict[str, Any], out: Path, folder: Path) -> Path:
    import base64

    from nbconvert import HTMLExporter
    from traitlets.config import Config

    priority = ["text/html", "text/markdown", "image/svg+xml", "image/png", "text/plain"]
    exporter = HTMLExporter(
        config=Config({"NbConvertBase": {"display_data_priority": priority}}),
        extra_template_basedirs=[str(_templates(folder))],
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
    page = add_toc(body)
    from analysis import _io

    return _io.write_file(out, lambda tmp: tmp.write_text(page, encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# PDF


def _typst_string(text: str | None) -> str:
    from analysis.present.tables import typst_string

    return "none" if text is None else typst_string(text)


def to_markdown(nb: Any, folder: Path, build: Path) -> str:
    """The executed notebook as pandoc markdown; figures are written into ``build``."""
    from nbconvert import MarkdownExporter
    from traitlets.config import Config

    from analysis.present.tables import typst_string

    priority = ["text/markdown", "image/svg+xml", "image/png", "text/plain"]
    exporter = MarkdownExporter(
        config=Config({"NbConvertBase": {"display_data_priority": priority}}),
        extra_template_basedirs=[str(_templates(folder))],
        template_name="ehelse-md",
        exclude_input=True,
    )
    exporter.register_filter("typst_string", typst_string)
    body, resources = exporter.from_notebook_node(
        nb, resources={"output_files_dir": "figurer", "unique_key": "figur"}
    )
    for name, data in (resources.get("outputs") or {}).items():
        target = build / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data if isinstance(data, bytes) else str(data).encode("utf-8"))
    return str(body)


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
    return _typst_string(str(value))


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
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def export_pdf(nb: Any, meta: dict[str, Any], out: Path, folder: Path, synthetic: bool) -> Path:
    """The PDF, checked against format.typst's pdf-standard (PDF/UA-1: Typst refuses a
    document without title, language, alternative text or a sound heading order)."""
    import typst

    options = project_options(folder)
    with tempfile.TemporaryDirectory(prefix="ehelse-pdf-") as tmp:
        build = Path(tmp)
        markdown = to_markdown(nb, folder, build)
        (build / "body.md").write_text(markdown, encoding="utf-8")
        body = markdown_to_typst(markdown, options.heading_shift or -1)
        (build / "body.typ").write_text('#import "ehelse.typ": *\n\n' + body, encoding="utf-8")
        shutil.copy(_templates(folder) / "ehelse.typ", build / "ehelse.typ")
        (build / "main.typ").write_text(typst_main(meta, options, synthetic), encoding="utf-8")
        keep = os.environ.get("EHELSE_KEEP_BUILD")
        if keep:
            shutil.copytree(build, Path(keep), dirs_exist_ok=True)
        try:
            standards: Any = options.pdf_standards  # checked by Typst itself
            pdf = typst.compile(str(build / "main.typ"), root=str(build), pdf_standards=standards)
        except Exception as exc:  # typst raises its own error types with multi-line text
            raise RenderError(f"Typst kunne ikke lage PDF-en: {first_line(exc)}") from exc
    from analysis import _io

    _io.write_file(out, lambda tmp: tmp.write_bytes(bytes(pdf)))
    LAST_RUN["pdf_pages"] = page_count(bytes(pdf))
    return out


# ---------------------------------------------------------------------------------------------
# Quarto


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


# ---------------------------------------------------------------------------------------------
# Up to date: a render is skipped when nothing it reads has changed since the last one


def _input_files(processed: Path, folder: Path) -> list[Path]:
    """Everything a render reads: the processed data, the chapters and templates, the code."""
    files = [*processed.rglob("*"), *folder.glob("*.py"), *folder.glob("*.yml")]
    files += (folder / "templates").rglob("*")
    files += Path(__file__).resolve().parents[1].rglob("*")
    files.append(config.ROOT / "uv.lock")
    from analysis.edition.colophon import errata_path

    files += [p for p in (errata_path(), config.RAW_DIR / "sources.yaml") if p is not None]
    return sorted(f for f in files if f.is_file() and "__pycache__" not in f.parts)


def input_key(
    processed: Path, folder: Path, year: int, region: str | None, published: date | None = None
) -> str:
    """A fingerprint of the parameters and of every input's path, size and modification time:
    stat calls only, so a no-change check costs milliseconds. Without a publication date the
    front page carries the build date, so a render of another day is not the same."""
    import hashlib

    day = published or f"bygd {date.today()}"
    h = hashlib.sha1(f"{processed.resolve()}|{year}|{region}|{day}\n".encode())
    for f in _input_files(processed, folder):
        st = f.stat()
        h.update(f"{f}\t{st.st_size}\t{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _stamp_path(out_dir: Path, stem: str) -> Path:
    return out_dir / f".{stem}.stamp.json"


def _read_stamp(out_dir: Path, stem: str) -> dict[str, str]:
    try:
        data = json.loads(_stamp_path(out_dir, stem).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_stamp(out_dir: Path, stem: str, stamp: dict[str, str]) -> None:
    from analysis import _io

    text = json.dumps(stamp, indent=1) + "\n"
    _io.write_file(_stamp_path(out_dir, stem), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def fresh_formats(formats: Sequence[str], out_dir: Path, stem: str, key: str) -> list[str]:
    """The formats whose output exists and was rendered from exactly these inputs."""
    stamp = _read_stamp(out_dir, stem)
    ext = {"html": "html", "pdf": "pdf"}
    return [f for f in formats if stamp.get(f) == key and (out_dir / f"{stem}.{ext[f]}").is_file()]


# ---------------------------------------------------------------------------------------------


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
) -> list[Path]:
    """Render the report for one year (and optionally one county); returns the files,
    report/_output/ehelse-status-<year>[-<county>].html|.pdf (the county's name as a slug).
    ``published`` is the publication date on the front page (without it, the front page
    gives the build date as such). A format whose file was rendered
    from the same inputs (data, chapters, templates, code) is not rendered again unless
    ``force``; ``LAST_RUN["skipped"]`` lists those."""
    say = progress or (lambda _msg: None)
    wanted = [f.strip().lower() for f in formats if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise RenderError(f"Ukjent format {', '.join(bad) or '(tomt)'}; bruk html, pdf eller begge")
    folder = Path(folder) if folder else report_dir()
    ed = edition(year, region, processed_dir)
    from analysis.edition.colophon import published_date

    when = published_date(published)
    named = ed.processed
    out_dir = Path(output_dir) if output_dir else folder / "_output"
    from analysis import _io
    from analysis.load import MissingDataError, data_dir

    try:
        processed = data_dir(named)  # the set the pointer names, read throughout
    except MissingDataError as exc:
        raise RenderError(str(exc)) from None
    # No ingest may replace the data while we read it, and no other report may write here.
    with _io.locked(named, shared=True), _io.locked(out_dir):
        return _render(ed, wanted, processed, out_dir, folder, use_quarto, force, say, when)


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
) -> list[Path]:
    LAST_RUN.clear()
    ext = {"html": "html", "pdf": "pdf"}
    stem = ed.stem
    key = input_key(processed, folder, ed.year, ed.region, published)
    done = [] if force else fresh_formats(wanted, out_dir, stem, key)
    LAST_RUN.update({"stem": stem, "skipped": done})
    if len(done) == len(wanted):
        return [out_dir / f"{stem}.{ext[f]}" for f in wanted]
    options = project_options(folder)
    chapters = options.chapter_paths()
    nb, _ = build_notebook(chapters)
    from importlib.metadata import version

    software = version("ehelsestatus")
    meta = _title_block(dict(options.front), ed, published, software)
    meta["toc_title"] = options.toc_title
    synthetic = _synthetic_sources(processed)
    meta |= {"synthetic": synthetic, "version": software}
    env = dict(os.environ) | {
        ENV_PARENT: str(os.getpid()),
        ENV_YEAR: str(ed.year),
        ENV_PROCESSED: str(processed.resolve()),
        ENV_TARGET: ",".join(wanted),
    }
    if ed.region:
        env[ENV_REGION] = ed.region
    else:
        env.pop(ENV_REGION, None)
    LAST_RUN["chapters"] = [c.name for c in chapters]
    todo = [f for f in wanted if f not in done]
    env[ENV_TARGET] = ",".join(todo)

    quarto = shutil.which("quarto") is not None if use_quarto is None else use_quarto
    if quarto:
        from analysis.render.quarto import render_with_quarto

        say("Bygger rapporten med Quarto ...")
        t0 = time.perf_counter()
        params = {
            "year": ed.year,
            "region": ed.region,
            "processed": str(processed.resolve()),
        }
        made = render_with_quarto(
            options, todo, params, quarto_metadata(meta, synthetic), stem, out_dir, env
        )
        for path in made:
            if path.suffix == ".pdf":
                LAST_RUN["pdf_pages"] = page_count(path.read_bytes())
        LAST_RUN["quarto_s"] = round(time.perf_counter() - t0, 2)
        _write_stamp(out_dir, stem, _read_stamp(out_dir, stem) | dict.fromkeys(todo, key))
        return [out_dir / f"{stem}.{ext[f]}" for f in wanted]

    say(f"Kjører {len(chapters)} kapitler ...")
    t0 = time.perf_counter()
    nb, warnings, stats = execute(nb, env, folder)
    LAST_RUN["execute_s"] = round(time.perf_counter() - t0, 2)
    LAST_RUN["figures"] = stats
    LAST_RUN["warnings"] = warnings
    for w in warnings:
        say(f"Advarsel: {w}")
    if "html" in todo:
        t0 = time.perf_counter()
        path = export_html(nb, meta, out_dir / f"{stem}.html", folder)
        LAST_RUN["html_s"] = round(time.perf_counter() - t0, 2)
        LAST_RUN["html_mb"] = round(path.stat().st_size / 1e6, 2)
    if "pdf" in todo:
        t0 = time.perf_counter()
        export_pdf(nb, meta, out_dir / f"{stem}.pdf", folder, synthetic)
        LAST_RUN["pdf_s"] = round(time.perf_counter() - t0, 2)
    _write_stamp(out_dir, stem, _read_stamp(out_dir, stem) | dict.fromkeys(todo, key))
    return [out_dir / f"{stem}.{ext[f]}" for f in wanted]


__all__ = [
    "FORMATS",
    "LAST_RUN",
    "RenderError",
    "add_toc",
    "build_notebook",
    "chapter_files",
    "fresh_formats",
    "input_key",
    "project_options",
    "quarto_metadata",
    "render",
    "typst_main",
]
