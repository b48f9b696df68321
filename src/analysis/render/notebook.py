"""The chapters run: report/*.py (percent format, in the order the document's front matter
lists them) joined into one notebook, and its cells run in this process by an IPython shell
(``execute``), which fills the cells' outputs as a kernel would (display data with their
metadata, streams, the value of a cell's last expression), for the exporters to read
(``analysis.render.cells``).

Why in this process and not in a Jupyter kernel (nbclient): a kernel costs a second process
that imports everything again (about 1.5 s), its start (about 1 s) and a second copy of the
edition's data, and it would be started once per edition of ``--region all``; here the
imports, the edition's national data and the browser for static figures are shared by every
edition of a run. nbclient is kept for one case only (``execute_in_kernel``): ``render`` called
from inside a running IPython (a notebook), whose own shell owns ``display``.

Parameters reach the chapters as on the Quarto path: environment variables (EHELSE_YEAR,
EHELSE_REGION, EHELSE_PROCESSED, EHELSE_TARGET), set for the run, that the chapters'
parameters cell reads through ``analysis.edition.edition``; a value set in the parameters cell
itself (papermill or ``quarto -P``) wins.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Final

from analysis.render.project import RenderError, cell_options

ENV_PARENT: Final = "EHELSE_REPORT_PID"
STATS_MARK: Final = "EHELSE_STATS "
KERNEL_TIMEOUT_S: Final = 900


class Node(dict[str, Any]):
    """A notebook, a cell or an output: a dict whose keys read as attributes, as nbformat's
    NotebookNode. The in-process run needs nothing else of nbformat, whose import loads its
    schema libraries (0.1 s of every render)."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value


def node(value: Any) -> Any:
    """``value`` with every dict in it a ``Node`` (nbformat.from_dict without nbformat)."""
    if isinstance(value, dict):
        return Node({k: node(v) for k, v in value.items()})
    if isinstance(value, list):
        return [node(v) for v in value]
    return value


def new_notebook() -> Node:
    """An empty notebook of nbformat 4.5, as ``nbformat.v4.new_notebook`` makes it."""
    return Node(nbformat=4, nbformat_minor=5, metadata=Node(), cells=[])


def synthetic_sources(processed: Path) -> bool:
    """The data set holds synthetic sources (its manifest says so), read as plain JSON: this
    module is imported on the no-change path, which loads no table library."""
    try:
        manifest = json.loads((processed / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    sources = (manifest.get("sources") or []) if isinstance(manifest, dict) else []
    return any(isinstance(s, dict) and s.get("synthetic") for s in sources)


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


def _chapter_cells(path: Path) -> list[Any]:
    """The chapter's cells as jupytext reads its percent format, kept in the render cache
    under a hash of the file and of jupytext's version: jupytext's import and reading took a
    quarter of a second of every render, and a chapter being written is read afresh."""
    from analysis.present import cache as render_cache

    text = path.read_text(encoding="utf-8")
    made_from = f"{render_cache.code_version((), ('jupytext',))}\n{text}".encode()
    key = "kapittel-" + hashlib.sha256(made_from).hexdigest()[:32]
    stored = render_cache.read(key, ".json")
    if stored is not None:
        return [node(c) for c in json.loads(stored)]
    import jupytext

    cells = list(jupytext.reads(text, fmt="py:percent").cells)
    render_cache.store(key, ".json", json.dumps(cells, ensure_ascii=False))
    return cells


def build_notebook(chapters: Sequence[Path]) -> tuple[Any, dict[str, Any]]:
    """All chapters in one notebook; the first chapter's front matter is the report's."""
    combined = new_notebook()
    combined.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    combined.metadata["language_info"] = {"name": "python"}
    front: dict[str, Any] = {}
    for i, path in enumerate(chapters):
        cells = _chapter_cells(path)
        title = path.stem
        if cells:
            meta = _front_matter(cells[0])
            if meta is not None:
                # «Kommunene (ett kapittel av statusrapporten)» is announced as «Kommunene».
                title = re.sub(r"\s*\(.*\)\s*$", "", str(meta.get("title") or title))
                cells = cells[1:]
                if i == 0:
                    front = meta
        for cell in cells:
            if cell.cell_type == "code":
                tags = cell_options(cell.source)[0].get("tags") or []
                if tags:  # Quarto's `#| tags: [...]`, as papermill reads them
                    cell.metadata["tags"] = list(tags)
            cell.metadata["ehelse_kapittel"] = path.name
            cell.metadata["ehelse_tittel"] = title
            cell["id"] = f"c{len(combined.cells)}"
            combined.cells.append(cell)
    return combined, front


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


def chapter_names(nb: Any) -> list[str]:
    """The chapters' file names in the order they run (not the cells the renderer adds)."""
    names: list[str] = []
    for i in range(len(nb.cells)):
        name = _chapter_of(nb, i)
        if not name.startswith("_") and name != "?" and name not in names:
            names.append(name)
    return names


def execute_in_kernel(
    nb: Any, env: dict[str, str], cwd: Path
) -> tuple[Any, list[str], dict[str, Any]]:
    """Run the notebook in one Jupyter kernel; returns it with the warnings (stderr) and the
    figure statistics the kernel reported."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.from_dict(nb)
    nb.cells.insert(
        0,
        nbformat.v4.new_code_cell(
            "from analysis.render import notebook as _notebook\n_notebook.follow_parent()\n"
            "from analysis.present import output as _output\n_output.prewarm()",
            metadata={"ehelse_kapittel": "_start"},
        ),
    )
    nb.cells[0]["id"] = "ehelse-start"
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import json as _json\nfrom analysis.present import output as _output, static as _static\n"
            f"print({STATS_MARK!r} + _json.dumps(_output.render_stats()))\n_static.close()",
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
    return nb, _warnings(nb), stats


def _warnings(nb: Any) -> list[str]:
    warnings: list[str] = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                text = out.get("text", "").strip()
                if text:
                    warnings.append(f"{_chapter_of(nb, i)}: {text.splitlines()[-1]}")
    return warnings


# ---------------------------------------------------------------------------------------------
# In this process

_OUTPUTS: list[Any] = []  # the outputs of the cell being run


def _new_output(output_type: str, **fields: Any) -> Any:
    """An output as ``nbformat.v4.new_output`` makes it."""
    return node({"output_type": output_type, **fields})


def _add_stream(name: str, text: str) -> None:
    if not text:
        return
    last = _OUTPUTS[-1] if _OUTPUTS else None
    if last is not None and last.get("output_type") == "stream" and last.get("name") == name:
        last["text"] += text
    else:
        _OUTPUTS.append(_new_output("stream", name=name, text=text))


class _Stream(io.TextIOBase):
    """sys.stdout or sys.stderr of a cell: what it writes becomes the cell's stream output."""

    def __init__(self, name: str) -> None:
        self.name_ = name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        _add_stream(self.name_, text)
        return len(text)


@cache
def _shell() -> Any:
    """The one IPython shell of this process, with a display publisher and a display hook
    that keep outputs as a kernel sends them."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class Publisher(DisplayPublisher):
        def publish(
            self, data: dict[str, Any], metadata: dict[str, Any] | None = None, *_: Any, **__: Any
        ) -> None:
            _OUTPUTS.append(_new_output("display_data", data=data, metadata=metadata or {}))

        def clear_output(self, wait: bool = False) -> None:
            _OUTPUTS.clear()

    class Hook(DisplayHook):
        def write_output_prompt(self) -> None:
            pass

        def write_format_data(
            self, format_dict: dict[str, Any], md_dict: dict[str, Any] | None = None
        ) -> None:
            _OUTPUTS.append(
                _new_output(
                    "execute_result",
                    data=format_dict,
                    metadata=md_dict or {},
                    execution_count=self.prompt_count,
                )
            )

        def finish_displayhook(self) -> None:
            self._is_active = False

    config = Config()
    config.HistoryManager.enabled = False
    return InteractiveShell.instance(
        config=config, display_pub_class=Publisher, displayhook_class=Hook
    )


def in_foreign_shell() -> bool:
    """An IPython of someone else's (a notebook's kernel) runs this process: its ``display``
    is not ours to capture."""
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.initialized() and not _shell.cache_info().currsize


@contextlib.contextmanager
def _environment(env: dict[str, str], cwd: Path) -> Iterator[None]:
    """The run's environment and working folder, as a kernel started with them would have;
    the process's own are back afterwards."""
    before, here = dict(os.environ), Path.cwd()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)
        os.chdir(here)


def execute(
    nb: Any,
    env: dict[str, str],
    cwd: Path,
    *,
    expected_figures: Sequence[str] | None = None,
    keep_browser: bool = False,
    progress: Callable[[str], None] | None = None,
    chapter_done: Callable[[Any, int, int], None] | None = None,
) -> tuple[Any, list[str], dict[str, Any]]:
    """Run the notebook's cells in this process, each chapter's output in its cells as a
    kernel would give it; returns the notebook, the warnings (stderr) and the figure
    statistics. The browser for static figures starts in the background unless the figures
    ``expected`` (those of the edition's last render) are all cached; it stays open after
    the run with ``keep_browser`` (more editions follow). ``progress`` hears of each chapter
    as it starts, so a long render is not silent; ``chapter_done(nb, start, stop)`` of the
    cells of each chapter once they have run (the PDF converts them while the next runs)."""
    if in_foreign_shell():
        nb, warnings, stats = execute_in_kernel(nb, env, cwd)
        if chapter_done is not None:
            chapter_done(nb, 0, len(nb.cells))
        return nb, warnings, stats
    from analysis.present import output, static

    shell = _shell()
    shell.reset(new_session=False)
    output.new_page()
    static.reset_stats()
    ok = False
    try:
        with _environment(env, cwd):
            output.prewarm(expected_figures)
            names = chapter_names(nb)
            current, start = None, 0
            for i, cell in enumerate(nb.cells):
                chapter = _chapter_of(nb, i)
                if chapter_done is not None and i and chapter != _chapter_of(nb, i - 1):
                    chapter_done(nb, start, i)
                    start = i
                if progress and chapter in names and chapter != current:
                    current = chapter
                    k = names.index(chapter) + 1
                    title = cell.metadata.get("ehelse_tittel", Path(chapter).stem)
                    progress(f"Kapittel {k} av {len(names)}: {title}")
                if cell.cell_type == "code":
                    cell.outputs = _run_cell(shell, cell.source, chapter)
            if chapter_done is not None and nb.cells:
                chapter_done(nb, start, len(nb.cells))
        ok = True
    finally:
        if not (ok and keep_browser):
            static.close()
    stats = output.render_stats()
    return nb, _warnings(nb), stats


def resolve_figures(nb: Any) -> None:
    """Every figure the browser drew in the background (``present.static.defer``) in its
    place in the notebook, waiting for those not done yet; the PDF needs them, the page not."""
    from analysis.present import static

    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data") or {}
            if "image/svg+xml" in data:
                data["image/svg+xml"] = static.resolve_pending(str(data["image/svg+xml"]))


def _run_cell(shell: Any, source: str, chapter: str) -> list[Any]:
    _OUTPUTS.clear()
    with (
        contextlib.redirect_stdout(_Stream("stdout")),
        contextlib.redirect_stderr(_Stream("stderr")),
    ):
        result = shell.run_cell(source, store_history=False)
    outputs = list(_OUTPUTS)
    _OUTPUTS.clear()
    error = result.error_before_exec or result.error_in_exec
    if isinstance(error, KeyboardInterrupt):
        raise error
    if error is not None:
        raise RenderError(f"{chapter}: {type(error).__name__}: {error}".strip()) from error
    return outputs


__all__ = [
    "ENV_PARENT",
    "build_notebook",
    "execute",
    "execute_in_kernel",
    "follow_parent",
    "in_foreign_shell",
    "resolve_figures",
    "synthetic_sources",
]
