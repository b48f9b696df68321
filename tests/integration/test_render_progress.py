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


def test_each_chapter_is_handed_on_once_it_has_run(tmp_path: Path) -> None:
    """The PDF converts a chapter while the next one runs: each chapter's cells are handed on
    once, in order, after they have run, and together they are every cell."""
    chapters = [
        _chapter(tmp_path / "a.py", "# %% [markdown]\n# ## A\n\n# %%\nx = 1\n\n# %%\ny = x + 1"),
        _chapter(tmp_path / "b.py", "# %% [markdown]\n# ## B\n\n# %%\nprint(y)"),
    ]
    nb, _front = notebook.build_notebook(chapters)
    done: list[tuple[int, int, list[str]]] = []

    def chapter_done(run: object, start: int, stop: int) -> None:
        # What the chapter's cells hold at the moment it is handed on.
        printed = [o.get("text", "") for c in nb.cells[start:stop] for o in c.get("outputs", [])]
        done.append((start, stop, printed))

    notebook.execute(nb, {"EHELSE_TARGET": "html"}, tmp_path, chapter_done=chapter_done)
    spans = [(a, b) for a, b, _ in done]
    assert spans[0][0] == 0 and spans[-1][1] == len(nb.cells)
    assert all(spans[i][1] == spans[i + 1][0] for i in range(len(spans) - 1))
    names = [{notebook._chapter_of(nb, i) for i in range(a, b)} for a, b in spans]
    assert [n for n in names if n <= {"a.py", "b.py"}] == [{"a.py"}, {"b.py"}]
    assert done[names.index({"b.py"})][2] == ["2\n"]  # handed on after its cells ran


def test_the_pdf_body_converted_by_chapter_is_the_whole_conversion(tmp_path: Path) -> None:
    """Chapters converted as they finish (some together, when pandoc is busy) give the Typst
    one conversion of the whole document gives, but for blank lines between chapters."""
    import re

    import nbformat

    from analysis import config
    from analysis.render import pdf
    from analysis.render.project import project_options

    nb = nbformat.v4.new_notebook()
    texts = ["## Første\n\nTekst *her*.", "## Andre\n\n| a | b |\n|---|---|\n| 1 | 2 |", "Slutt."]
    nb.cells = [nbformat.v4.new_markdown_cell(t) for t in texts]
    chapters = pdf.Chapters(project_options(config.REPORT_DIR))
    for i in range(len(texts)):
        chapters.add(nb, i, i + 1)
    whole = pdf.markdown_to_typst(pdf.to_markdown(nb))

    def squash(text: str) -> str:
        return re.sub(r"\n{2,}", "\n\n", text).strip()

    assert squash(chapters.typst()) == squash(whole)
    assert "= Første" in whole and "Slutt." in whole
