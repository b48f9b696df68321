"""Report timings for `make bench`: the national report cold and with cached figures, the
no-change `make report`, every county edition in one run, and the sizes of the files.

Targets: national HTML+PDF <= 8 s cold and <= 3 s with cached figures; no-change
`make report` <= 0.3 s; the 15 county editions of the 2024 division <= 60 s together;
HTML <= 2.5 MB; PDF <= 1 MB. Each function returns a JSON-ready dict; `bench.__main__` decides
how many runs and where the results go.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EHELSE = [sys.executable, "-m", "analysis.cli"]


def _times(
    run: Callable[[], object], runs: int, before: Callable[[], None] | None = None
) -> dict[str, Any]:
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return {
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "runs": runs,
    }


def _ehelse(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([*EHELSE, *args], cwd=ROOT, check=True, capture_output=True, env=env)


def _sizes(out: Path) -> dict[str, float]:
    return {p.name: round(p.stat().st_size / 1e6, 2) for p in sorted(out.glob("*.[hp][td][mf]*"))}


def national_report(runs: int = 3, year: int | None = None) -> dict[str, Any]:
    """`ehelse report --force` (HTML and PDF) of the national edition: cold (an empty render
    cache, so Chromium starts and draws every figure and every table is made) and with the
    figures and tables cached; the sizes of the files."""
    args = ["report", "--force", *(["--year", str(year)] if year else [])]
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        out, cache = Path(tmp) / "out", Path(tmp) / "figurer"
        env = {**os.environ, "EHELSE_FIGURE_CACHE": str(cache)}
        _ehelse([*args, "--out", str(out)], env)  # the data read in, the code compiled

        def empty_cache() -> None:
            for f in [*cache.glob("*.svg"), *cache.glob("*.html"), *cache.glob("*.json")]:
                f.unlink()

        cold = _times(lambda: _ehelse([*args, "--out", str(out)], env), runs, empty_cache)
        cached = _times(lambda: _ehelse([*args, "--out", str(out)], env), runs)
        return {"cold": cold, "cached_figures": cached, "sizes_mb": _sizes(out)}


def unchanged_make_report(runs: int = 5) -> dict[str, Any]:
    """`make report` when nothing changed: answered from the stamps (after one real run)."""
    subprocess.run(["make", "report"], cwd=ROOT, check=True, capture_output=True)
    return _times(
        lambda: subprocess.run(["make", "report"], cwd=ROOT, check=True, capture_output=True),
        runs,
    )


def county_editions(runs: int = 1, year: int = 2024) -> dict[str, Any]:
    """`ehelse report --year 2024 --region all --force`: every county edition (HTML and PDF)
    of the division in one run, cold (an empty figure cache) and with the figures cached."""
    with tempfile.TemporaryDirectory(prefix="bench-counties-") as tmp:
        out, cache = Path(tmp) / "out", Path(tmp) / "figurer"
        env = {**os.environ, "EHELSE_FIGURE_CACHE": str(cache)}
        args = ["report", "--year", str(year), "--region", "all", "--force", "--out", str(out)]
        # The year's data read in and the code compiled, outside the timing.
        _ehelse(["report", "--year", str(year), "--format", "html", "--out", str(out)], env)

        def empty_cache() -> None:
            for f in [*cache.glob("*.svg"), *cache.glob("*.html"), *cache.glob("*.json")]:
                f.unlink()

        cold = _times(lambda: _ehelse(args, env), runs, empty_cache)
        cached = _times(lambda: _ehelse(args, env), runs)
        files = sorted(p.name for p in out.glob(f"ehelse-status-{year}-*.pdf"))
        return {"cold": cold, "cached_figures": cached, "editions": len(files)}


__all__ = ["county_editions", "national_report", "unchanged_make_report"]
