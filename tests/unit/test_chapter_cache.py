"""The chapters' cells in the render cache: a chapter read once by jupytext is read back from
the cache while its text is unchanged, and read afresh once it changes."""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

from analysis.present import cache
from analysis.render import notebook

CHAPTER = "# %% [markdown]\n# ## Kommunene\n\n# %%\nx = 1\n"


def test_an_unchanged_chapter_is_read_from_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "buffer"))
    chapter = tmp_path / "kommunene.py"
    chapter.write_text(CHAPTER, encoding="utf-8")
    first, _ = notebook.build_notebook([chapter])
    assert [c.cell_type for c in first.cells] == ["markdown", "code"]

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("jupytext leste et kapittel som ligger i bufferen")

    with monkeypatch.context() as m:
        m.setattr(jupytext, "reads", refuse)
        again, _ = notebook.build_notebook([chapter])
    assert again.cells == first.cells
    chapter.write_text(CHAPTER.replace("x = 1", "x = 2"), encoding="utf-8")
    changed, _ = notebook.build_notebook([chapter])
    assert changed.cells[1].source == "x = 2"
