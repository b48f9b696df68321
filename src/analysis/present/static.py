"""Static figures for the PDF: the one place that starts Chromium and calls kaleido.

* The spec it draws comes from ``analysis.present.static_spec`` (maps as vector ``geo``
  traces on pre-projected, rounded boundaries).
* Every SVG is kept in the render cache (``present.cache``) under a hash of the figure's JSON
  (whose boundaries are named by a hash of their content), its size and the code that draws
  it: a render whose figures are all cached starts no browser.
* One browser is kept open for the whole render (``prewarm`` starts it in the background when
  figures are missing, ``close`` stops it), with one page that draws every figure: kaleido
  reloads its page (and plotly.js) after each figure, which costs more than most figures.
  Each figure has a timeout; one that hangs gets one more try in a new browser, then ends as
  one line (``FigureError``).
* Between ``defer`` and ``finish`` (a render of the report), a figure missing from the cache is drawn in
  the background while the chapters run on: ``static_svg`` returns a placeholder, which
  ``resolve_pending`` replaces with the SVG when the PDF needs it.

``STATS`` holds the browser's start time, each drawn figure's time, the cache hits and misses
and the retries.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from analysis.present import cache as render_cache
from analysis.present.theme import CHART_HEIGHT, STATIC_WIDTH

if TYPE_CHECKING:
    import plotly.graph_objects as go
from analysis.present import static_spec as spec_module
from analysis.present.static_spec import FigureError, compact_svg, static_spec

CACHE_ENV: Final = render_cache.CACHE_ENV  # another cache folder; "off" draws every figure
TIMEOUT_ENV: Final = "EHELSE_FIGURE_TIMEOUT_S"
FIGURE_TIMEOUT_S: Final = 60.0  # one figure; the slowest map takes about 2 s under load
START_TIMEOUT_S: Final = 60.0  # the browser's start

STATS: dict[str, Any] = {}


def reset_stats() -> None:
    """Start counting afresh (a render does this first)."""
    STATS.clear()
    STATS.update(
        kaleido_start_s=None, static_s=[], cache_hits=0, cache_misses=0, retries=0, attempts=0
    )


reset_stats()


@cache
def _topojson_stub() -> str:
    """A local, empty world outline: plotly's geo traces fetch one from its CDN otherwise,
    and the static maps draw only our own boundaries (``geo.visible`` is off)."""
    folder = Path(tempfile.mkdtemp(prefix="ehelse-topojson-"))
    layers = ("land", "ocean", "coastlines", "countries", "lakes", "rivers", "subunits")
    empty = {
        "type": "Topology",
        "objects": {k: {"type": "GeometryCollection", "geometries": []} for k in layers},
        "arcs": [],
    }
    for scope in ("world", "europe"):
        for res in ("110m", "50m"):
            (folder / f"{scope}_{res}.json").write_text(json.dumps(empty), encoding="utf-8")
    return folder.as_uri() + "/"


# ---------------------------------------------------------------------------------------------
# The cache


def _code_version() -> str:
    """What the SVG depends on beside the figure: this module, the browser side's versions."""
    return render_cache.code_version(
        (Path(__file__), Path(spec_module.__file__)), ("kaleido", "plotly", "choreographer")
    )


def figure_key(fig: go.Figure | Mapping[str, Any], width: int, height: int) -> str:
    """The cache key: the figure's JSON (boundaries are named by their content's hash), the
    size and the drawing code."""
    text = fig.to_json() if hasattr(fig, "to_json") else json.dumps(fig, sort_keys=True)
    h = hashlib.sha256(f"{_code_version()}|{width}x{height}\n".encode())
    h.update(text.encode("utf-8"))
    return h.hexdigest()[:32]


def all_cached(keys: Iterable[str]) -> bool:
    return render_cache.holds(keys, ".svg")


# ---------------------------------------------------------------------------------------------
# The browser


def _timeout() -> float:
    raw = os.environ.get(TIMEOUT_ENV)
    try:
        return float(raw) if raw else FIGURE_TIMEOUT_S
    except ValueError:
        raise FigureError(f"{TIMEOUT_ENV}={raw!r} er ikke et antall sekunder") from None


class _TimeoutError(Exception):
    pass


class _Browser:
    """One kaleido (Chromium) on an event loop of its own thread, so that a call can be given
    up after a timeout and the browser killed, which kaleido's own sync server cannot. It
    keeps kaleido's page for itself and draws every figure in it, one at a time."""

    def __init__(self) -> None:
        import kaleido

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="ehelse-kaleido", daemon=True
        )
        self.thread.start()
        self.lock = asyncio.Lock()

        async def open_() -> tuple[Any, Any]:
            k = kaleido.Kaleido(n=1, timeout=None, mathjax=False)
            await k.open()
            # kaleido's page, drawn in without a reload between figures; a kaleido without
            # that tab method draws through its public calc_fig (and reloads).
            tab = await k.tabs_ready.get() if _page_api() else None
            return k, tab

        self.kaleido: Any = None
        self.tab: Any = None
        try:
            self.kaleido, self.tab = self.call(open_(), START_TIMEOUT_S)
        except BaseException:
            self.close(kill=True)
            raise

    def call(self, coro: Any, timeout: float) -> Any:
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise _TimeoutError from None

    async def _in_page(self, spec: Mapping[str, Any], opts: dict[str, Any]) -> Any:
        from kaleido import _profiler
        from kaleido._utils import fig_tools

        full = fig_tools.coerce_for_js(spec, None, opts)
        profile = _profiler.RenderTaskProfile(full, None, self.tab.tab.target_id)
        try:
            return await self.tab._calc_fig(
                full, topojson=_topojson_stub(), render_prof=profile, stepper=False
            )
        except Exception:
            await self.tab.reload()  # a page a figure broke draws no other
            raise

    def svg(self, spec: Mapping[str, Any], width: int, height: int, timeout: float) -> str:
        opts = {"format": "svg", "width": width, "height": height}

        async def draw() -> Any:
            async with self.lock:  # one figure at a time in the one page
                if self.tab is not None:
                    work = self._in_page(spec, opts)
                else:
                    work = self.kaleido.calc_fig(spec, opts=opts, topojson=_topojson_stub())
                return await _within(work, timeout)

        # The figure's own timeout is inside, counted once its turn comes; this one only
        # guards against a loop that stopped answering.
        out = self.call(draw(), timeout + START_TIMEOUT_S)
        return out.decode("utf-8") if isinstance(out, bytes) else str(out)

    def close(self, kill: bool = False) -> None:
        k, self.kaleido = self.kaleido, None
        if k is not None and not kill:
            try:
                self.call(k.close(), 15)
            except Exception:  # a browser that will not close is killed below
                kill = True
        if k is not None and kill:
            process = getattr(k, "subprocess", None)
            if process is not None and process.poll() is None:
                with contextlib.suppress(OSError):
                    os.killpg(process.pid, signal.SIGKILL)  # the wrapper's own session
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


async def _within(work: Any, timeout: float) -> Any:
    """``work`` done within ``timeout`` seconds, else _TimeoutError. Not ``asyncio.wait_for``:
    a draw cancelled mid-write ends in choreographer's ChannelClosedError, which wait_for
    passes on in place of the timeout."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if task in done:
        return task.result()
    task.cancel()
    # Wait for the cancelled draw without taking on what it ends in: the answer is the timeout.
    await asyncio.wait({task}, timeout=5)
    if task.done() and not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log it as never retrieved
    raise _TimeoutError


@cache
def _page_api() -> bool:
    """kaleido (the version uv.lock pins) has the page method and helpers ``_in_page`` uses."""
    try:
        from kaleido import _profiler
        from kaleido._kaleido_tab import _KaleidoTab
        from kaleido._utils import fig_tools
    except ImportError:
        return False
    return (
        hasattr(_KaleidoTab, "_calc_fig")
        and hasattr(fig_tools, "coerce_for_js")
        and hasattr(_profiler, "RenderTaskProfile")
    )


_browser: _Browser | None = None
_lock = threading.RLock()


def start() -> None:
    """Start the one browser kaleido keeps open; safe to call from several threads."""
    global _browser
    with _lock:
        if _browser is not None:
            return
        if not (
            shutil.which("chromium")
            or shutil.which("google-chrome")
            or os.environ.get("BROWSER_PATH")
        ):
            raise FigureError("Fant ikke Chromium for figurene i PDF-en: kjør `make browser`")
        t0 = time.perf_counter()
        browser: _Browser | None = None
        try:
            browser = _Browser()  # closes itself when it does not open
            # The browser loads its page on the first figure: draw a trivial one now.
            browser.svg({"data": [], "layout": {}}, 10, 10, START_TIMEOUT_S)
        except BaseException as exc:
            if browser is not None:
                browser.close(kill=True)  # a browser that did not start is not left behind
            if not isinstance(exc, _TimeoutError):
                raise
            raise FigureError(
                f"Chromium startet ikke innen {START_TIMEOUT_S:.0f} s (figurene i PDF-en)"
            ) from None
        _browser = browser
        STATS["kaleido_start_s"] = round(time.perf_counter() - t0, 3)


def start_in_background() -> None:
    """Start the browser in a thread, so it starts while the chapters import and load their
    data; a failure is reported again, with its message, by the first figure."""

    def run() -> None:
        try:
            start()
        except Exception as exc:  # reported again by the first figure
            STATS["prewarm_error"] = str(exc)

    threading.Thread(target=run, name="kaleido-prewarm", daemon=True).start()


def running() -> bool:
    return _browser is not None


def close(kill: bool = False) -> None:
    """Stop the browser (the end of a render), and any figures still being drawn."""
    global _browser
    finish()
    with _lock:
        browser, _browser = _browser, None
        if browser is not None:
            browser.close(kill=kill)


def _draw(spec: Mapping[str, Any], width: int, height: int, name: str) -> str:
    """SVG from the open browser; a call that times out is tried once more in a new browser."""
    timeout = _timeout()
    for attempt in (1, 2):
        start()
        assert _browser is not None
        STATS["attempts"] += 1
        try:
            return _browser.svg(spec, width, height, timeout)
        except _TimeoutError:
            close(kill=True)
            if attempt == 1:
                STATS["retries"] += 1
    raise FigureError(
        f"Figuren {name} ble ikke tegnet innen {timeout:g} s, heller ikke i en ny nettleser "
        f"(øk {TIMEOUT_ENV} på en travel maskin)"
    )


def _drawn(spec: Mapping[str, Any], width: int, height: int, name: str, key: str) -> str:
    t0 = time.perf_counter()
    svg = compact_svg(_draw(spec, width, height, name))
    STATS["static_s"].append(round(time.perf_counter() - t0, 3))
    render_cache.store(key, ".svg", svg)
    return svg


class _Deferred:
    """The figures of a render drawn in the background: one worker draws them in turn (the
    browser has one page), while the chapters run on."""

    def __init__(self) -> None:
        self.pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="ehelse-figur")
        self.futures: dict[str, concurrent.futures.Future[str]] = {}

    def submit(
        self, fig: go.Figure | Mapping[str, Any], width: int, height: int, name: str, key: str
    ) -> None:
        if key in self.futures:
            return
        # The spec is made now: the chapter may change its figure after showing it.
        spec = static_spec(fig, width, height)
        self.futures[key] = self.pool.submit(_drawn, spec, width, height, name, key)

    def stop(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


_deferred: _Deferred | None = None
_PENDING = re.compile(r"<!--ehelse-figur ([0-9a-f]{32})-->")


def defer() -> None:
    """From now until ``finish``: a figure missing from the cache is drawn in the background,
    and ``static_svg`` returns a placeholder that ``resolve_pending`` turns into the SVG (a render of
    the report, whose chapters run on meanwhile)."""
    global _deferred
    if _deferred is None:
        _deferred = _Deferred()


def pending() -> bool:
    """Figures of this render are still being drawn or waiting to be resolved."""
    return _deferred is not None and bool(_deferred.futures)


def resolve_pending(text: str) -> str:
    """``text`` with every placeholder of ``static_svg`` replaced by its SVG, waiting for the
    figures still being drawn; a figure that could not be drawn raises its FigureError."""
    if _deferred is None or "<!--ehelse-figur " not in text:
        return text
    futures = _deferred.futures

    def svg(m: re.Match[str]) -> str:
        future = futures.get(m.group(1))
        if future is None:
            raise FigureError("En figur i PDF-en ble aldri sendt til tegning")
        return future.result()

    return _PENDING.sub(svg, text)


def finish() -> None:
    """End the background drawing of this render (after ``resolve_pending``): the worker stops, the
    browser stays for the next render until ``close``."""
    global _deferred
    if _deferred is not None:
        _deferred.stop()
        _deferred = None


def static_svg(
    fig: go.Figure | Mapping[str, Any],
    width: int = STATIC_WIDTH,
    height: int | None = None,
    name: str = "",
) -> str:
    """SVG of the figure: from the cache when it holds this figure at this size, else drawn by
    the browser kept open for the whole render (and cached); after ``defer`` a placeholder for
    it while it is drawn in the background."""
    own = fig.layout.height if hasattr(fig, "layout") else (fig.get("layout") or {}).get("height")
    h = int(height or own or CHART_HEIGHT)
    key = figure_key(fig, width, h)
    STATS.setdefault("keys", []).append(key)
    svg = render_cache.read(key, ".svg")
    if svg is not None:
        STATS["cache_hits"] += 1
        return svg
    STATS["cache_misses"] += 1
    if _deferred is not None:
        _deferred.submit(fig, width, h, name or "i PDF-en", key)
        return f"<!--ehelse-figur {key}-->"
    return _drawn(static_spec(fig, width, h), width, h, name or "i PDF-en", key)


__all__ = [
    "STATS",
    "FigureError",
    "all_cached",
    "close",
    "compact_svg",
    "defer",
    "figure_key",
    "finish",
    "pending",
    "reset_stats",
    "resolve_pending",
    "running",
    "start",
    "start_in_background",
    "static_spec",
    "static_svg",
]
