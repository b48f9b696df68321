"""A report killed mid-render takes its notebook kernel and the kernel's Chromium with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.mark.slow
def test_a_killed_report_takes_its_kernel_and_browser_with_it(tmp_path: Path) -> None:
    import ctypes

    import psutil

    # As in a container whose init is a subreaper: orphans come to us, not to pid 1 (where
    # ipykernel's own parent poller would notice).
    assert ctypes.CDLL(None).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    data = tmp_path / "processed"
    from analysis.ingest.pipeline import run_ingest

    run_ingest(out=data)
    env = dict(os.environ, EHELSE_TARGET="pdf")
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
    kernel: list[psutil.Process] = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # until the kernel has started its Chromium
        children = me.children(recursive=True)
        if any("chrom" in (c.name() or "").lower() for c in children):
            kernel = children
            break
        time.sleep(0.2)
    assert kernel, "the report's kernel never started Chromium"
    report.send_signal(signal.SIGKILL)
    report.wait()
    _gone, alive = psutil.wait_procs(kernel, timeout=15)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], alive
