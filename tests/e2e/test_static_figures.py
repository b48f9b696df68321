"""The PDF's static figures in a real Chromium: the cache (a figure drawn once is not drawn
again, a changed figure is) and the timeout with its one retry."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest

from analysis.present import static

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="trenger chromium (make browser)"),
]


def chart(title: str) -> go.Figure:
    return go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2]), layout={"title": {"text": title}})


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "figurer"
    monkeypatch.setenv(static.CACHE_ENV, str(folder))
    static.close()
    static.reset_stats()
    yield folder
    static.close(kill=True)


def test_a_cached_figure_starts_no_browser_and_a_changed_one_is_drawn(fresh: Path) -> None:
    first = static.static_svg(chart("Første"))
    assert first.lstrip().startswith("<svg") and static.STATS["cache_misses"] == 1
    assert static.STATS["kaleido_start_s"] is not None
    assert len(list(fresh.glob("*.svg"))) == 1
    static.close()  # the next render
    static.reset_stats()
    assert static.static_svg(chart("Første")) == first
    assert static.STATS["cache_hits"] == 1 and static.STATS["cache_misses"] == 0
    assert not static.running() and static.STATS["kaleido_start_s"] is None  # no Chromium
    changed = static.static_svg(chart("Endret"))
    assert static.STATS["cache_misses"] == 1 and static.running()
    assert "Endret" in changed and changed != first
    assert len(list(fresh.glob("*.svg"))) == 2
    other_size = static.static_svg(chart("Første"), height=300)
    assert static.STATS["cache_misses"] == 2 and other_size != first


def test_a_hung_export_is_tried_again_then_fails_with_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(static.CACHE_ENV, "off")
    monkeypatch.setenv(static.TIMEOUT_ENV, "2")
    real_svg = static._Browser.svg

    def frozen(browser: static._Browser, spec: Any, *args: Any, **kwargs: Any) -> str:
        # A real hang, not a race against a short timeout: the browser stops answering the
        # figure (its start-up drawing, without data, goes through).
        if spec.get("data"):
            os.killpg(browser.kaleido.subprocess.pid, signal.SIGSTOP)
        return real_svg(browser, spec, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(static._Browser, "svg", frozen)
        with pytest.raises(static.FigureError) as caught:
            static.static_svg(chart("Henger"), name="fig-henger-1")
    message = str(caught.value)
    assert "\n" not in message and "fig-henger-1" in message and "ny nettleser" in message
    assert static.STATS["attempts"] == 2 and static.STATS["retries"] == 1
    assert not static.running()  # the hung browser was killed, not left behind
    monkeypatch.setenv(static.TIMEOUT_ENV, "60")
    assert "Henger" in static.static_svg(chart("Henger"))  # a new browser draws it


def test_deferred_figures_are_drawn_in_the_background_and_resolved_in_place() -> None:
    static.defer()
    try:
        marks = [static.static_svg(chart(t)) for t in ("Første", "Andre", "Første")]
        assert all(m.startswith("<!--ehelse-figur ") for m in marks)
        assert marks[0] == marks[2] and marks[0] != marks[1]  # one drawing per figure
        page = f"<p>{marks[0]}</p><p>{marks[1]}</p>"
        done = static.resolve_pending(page)
        assert done.count("<svg") == 2 and "ehelse-figur" not in done
        assert "Første" in done and "Andre" in done
    finally:
        static.finish()
    assert not static.pending()
    # Drawn once, in one page, and cached: the next figure comes from the cache.
    assert static.STATS["attempts"] == 2
    assert static.static_svg(chart("Andre")).lstrip().startswith("<svg")
    assert static.STATS["cache_hits"] == 1
