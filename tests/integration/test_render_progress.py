"""A render says which chapter it runs, so `make report` is not silent while it works."""

from __future__ import annotations

from pathlib import Path

from analysis.render import notebook


def _chapter(path: Path, body: str) -> Path:
    text = body if body.startswith("# %%") else f"# %%\n{body}"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_each_chapter_is_announced_once_in_order(tmp_path: Path) -> None:
    chapters = [
        _chapter(tmp_path / "innledning.py", "x = 1\n\n# %%\ny = x + 1"),
        # A chapter's title from its front matter, without the note that it is one chapter.
        _chapter(
            tmp_path / "kommunene.py",
            '# %% [markdown]\n# ---\n# title: "Kommunene (ett kapittel av statusrapporten)"\n'
            "# ---\n\n# %%\nz = y * 2",
        ),
    ]
    nb, _front = notebook.build_notebook(chapters)
    assert notebook.chapter_names(nb) == ["innledning.py", "kommunene.py"]
    heard: list[str] = []
    env = {"EHELSE_TARGET": "html"}  # no static figures: no browser
    notebook.execute(nb, env, tmp_path, progress=heard.append)
    assert heard == ["Kapittel 1 av 2: innledning", "Kapittel 2 av 2: Kommunene"]
