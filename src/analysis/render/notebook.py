"""The chapters in one kernel: report/*.py (percent format, in the order the document's front
matter lists them) joined into one notebook and run by nbclient, so the Chromium that kaleido
keeps open for static figures starts once for the whole report.

Parameters reach the chapters as on the Quarto path: environment variables (EHELSE_YEAR,
EHELSE_REGION, EHELSE_PROCESSED, EHELSE_TARGET) that the chapters' parameters cell reads
through ``analysis.edition.edition``; a value set in the parameters cell itself (papermill or
``quarto -P``) wins.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from analysis.render.project import RenderError, cell_options

ENV_PARENT: Final = "EHELSE_REPORT_PID"
STATS_MARK: Final = "EHELSE_STATS "
KERNEL_TIMEOUT_S: Final = 900


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


def build_notebook(chapters: Sequence[Path]) -> tuple[Any, dict[str, Any]]:
    """All chapters in one notebook; the first chapter's front matter is the report's."""
    import jupytext
    import nbformat

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
    warnings: list[str] = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                text = out.get("text", "").strip()
                if text:
                    warnings.append(f"{_chapter_of(nb, i)}: {text.splitlines()[-1]}")
    return nb, warnings, stats


__all__ = ["ENV_PARENT", "build_notebook", "execute", "follow_parent", "synthetic_sources"]
