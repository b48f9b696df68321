"""A report killed mid-render takes its Chromium with it (the chapters run in the report's own
process, so the browser is its only child that could be left behind)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.mark.slow
def test_a_killed_report_takes_its_browser_with_it(tmp_path: Path) -> None:
    import ctypes

    import psutil

    # The chapters run in the report's own process; its Chromium (kaleido's wrapper and the
    # browser) must not outlive it. As in a container whose init is a subreaper: orphans come
    # to us, not to pid 1.
    assert ctypes.CDLL(None).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    data = tmp_path / "processed"
    from analysis.ingest.pipeline import run_ingest

    run_ingest(out=data)
    # An empty figure cache: every figure needs the browser.
    env = dict(os.environ, EHELSE_TARGET="pdf", EHELSE_FIGURE_CACHE=str(tmp_path / "figurer"))
    report = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "analysis.cli",
            "report",
            "--data",
            str(data),
            "--out",
            str(tmp_path / "r"),
            "--format",
            "pdf",
            "--force",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    me = psutil.Process(report.pid)
    started: list[psutil.Process] = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # until the report has started its Chromium
        children = me.children(recursive=True)
        if any("chrom" in (c.name() or "").lower() for c in children):
            started = children
            break
        time.sleep(0.2)
    assert started, "the report never started Chromium"
    report.send_signal(signal.SIGKILL)
    report.wait()
    _gone, alive = psutil.wait_procs(started, timeout=15)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], alive
