"""One output set, switched at once: a run killed at any write leaves the old set or the new
one, whole; a second run into a busy folder refuses; unusable output paths are one line."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from analysis import _io, outputs
from analysis.cli import app
from analysis.ingest.processed import write_outputs
from analysis.load import TABLES, data_dir, load_manifest, load_table

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def tables_for(tag: str, rows: int) -> dict[str, pl.DataFrame]:
    """Small stand-ins for the eight tables, every row marked with the set it belongs to."""
    return {name: pl.DataFrame({"sett": [tag] * rows, "i": list(range(rows))}) for name in TABLES}


def manifest_for(tag: str, rows: int) -> dict[str, object]:
    return {"sett": tag, "tables": dict.fromkeys(TABLES, rows)}


def read_whole(out: Path) -> str:
    """The set readers see, checked to be one set: every table and the manifest agree."""
    folder = data_dir(out)
    manifest = load_manifest(folder)
    tag = manifest["sett"]
    for name in TABLES:
        df = load_table(name, folder, validate=False)
        assert df["sett"].unique().to_list() == [tag], (name, folder)
        assert df.height == manifest["tables"][name], name
    return str(tag)


# The child process: write set "ny" into OUT, killing itself (SIGKILL: no cleanup runs) just
# before the Nth change on disk; N = -1 counts the steps instead.
CHILD = """
import json, os, signal, sys
from pathlib import Path
import polars as pl
from analysis import outputs
from analysis.ingest.processed import write_outputs
from analysis.load import TABLES
out, kill_at = Path(sys.argv[1]), int(sys.argv[2])
seen = []
def step(label):
    seen.append(label)
    if len(seen) - 1 == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
outputs.step = step
tables = {n: pl.DataFrame({"sett": ["ny"] * 5, "i": list(range(5))}) for n in TABLES}
write_outputs(out, tables, {"sett": "ny", "tables": dict.fromkeys(TABLES, 5)})
print(json.dumps(seen))
"""


def _child(out: Path, kill_at: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(out), str(kill_at)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_kill_before_any_write_leaves_the_old_or_the_new_set_whole(tmp_path: Path) -> None:
    template = tmp_path / "template"
    write_outputs(template, tables_for("gammel", 3), manifest_for("gammel", 3))
    # A leftover from an earlier killed run, which the next run must clear away.
    (template / outputs.SETS / ".staging-rest").mkdir()
    counted = _child(tmp_path / "count", -1)
    assert counted.returncode == 0, counted.stderr
    steps = json.loads(counted.stdout)
    assert len(steps) >= len(TABLES) + 4, steps  # every table, the manifest, rename, pointer
    outcomes = []
    for k in range(len(steps)):
        out = tmp_path / f"run{k}"
        subprocess.run(["cp", "-a", str(template), str(out)], check=True)
        done = _child(out, k)
        assert done.returncode == -signal.SIGKILL, (k, steps[k], done.stderr)
        outcomes.append(read_whole(out))
        # The next run clears what the killed one left and ends with the new set only.
        write_outputs(out, tables_for("neste", 2), manifest_for("neste", 2))
        assert read_whole(out) == "neste"
        assert not list((out / outputs.SETS).glob(".staging-*")), k
        assert not list(out.glob(".current.*")), k
        assert (
            len([p for p in (out / outputs.SETS).iterdir()]) <= 2
        )  # the new set and the one before
    # Killed before the pointer switched: the old set; after: the new one. Never a mix.
    switch = steps.index("bytter pekeren")
    assert outcomes == ["gammel"] * (switch + 1) + ["ny"] * (len(steps) - switch - 1)


def test_readers_read_only_through_the_pointer(tmp_path: Path) -> None:
    out = tmp_path / "processed"
    # A flat folder (earlier versions, tests) is read as it is ...
    out.mkdir()
    for name, df in tables_for("flat", 4).items():
        df.write_parquet(out / f"{name}.parquet")
    (out / "manifest.json").write_text(json.dumps(manifest_for("flat", 4)), encoding="utf-8")
    assert read_whole(out) == "flat"
    # ... and once a set is written, the flat files are gone and never read again.
    new = write_outputs(out, tables_for("sett", 2), manifest_for("sett", 2))
    assert data_dir(out) == new and new.parent == out / outputs.SETS
    assert not (out / "kommuner.parquet").exists() and not (out / "manifest.json").exists()
    assert read_whole(out) == "sett"
    assert data_dir(new) == new  # a resolved set passed on stays itself
    (out / outputs.POINTER).write_text("finnes-ikke\n", encoding="utf-8")
    from analysis.load import MissingDataError

    with pytest.raises(MissingDataError, match="finnes-ikke"):
        load_manifest(out)


def test_the_old_code_layout_mixes_sets_but_this_one_cannot(tmp_path: Path) -> None:
    """A reader that resolves the pointer once keeps reading its own set even when a new one
    is switched in meanwhile (the previous set is kept one run longer)."""
    out = tmp_path / "processed"
    write_outputs(out, tables_for("a", 3), manifest_for("a", 3))
    folder = data_dir(out)
    write_outputs(out, tables_for("b", 2), manifest_for("b", 2))
    assert read_whole(folder) == "a"
    assert read_whole(out) == "b"


HOLD = """
import sys, time
from analysis import outputs
with outputs.locked(sys.argv[1]):
    print("låst", flush=True)
    time.sleep(60)
"""


def test_a_second_ingest_or_report_into_a_busy_folder_refuses(tmp_path: Path) -> None:
    out = tmp_path / "processed"
    write_outputs(out, tables_for("a", 3), manifest_for("a", 3))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "låst"
        with pytest.raises(outputs.BusyError):
            write_outputs(out, tables_for("b", 2), manifest_for("b", 2))
        result = runner.invoke(app, ["ingest", "--out", str(out)])
        assert result.exit_code == 2
        assert "i bruk av en annen kjøring" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        report = runner.invoke(app, ["report", "--data", str(out), "--out", str(tmp_path / "r")])
        assert report.exit_code == 2, report.output
        assert "i bruk av en annen kjøring" in report.stderr
    finally:
        holder.kill()
        holder.wait()
    assert read_whole(out) == "a"
    # The operating system released the killed holder's lock.
    write_outputs(out, tables_for("b", 2), manifest_for("b", 2))
    assert read_whole(out) == "b"


def test_two_writers_of_one_file_never_share_a_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "rapport.html"
    names: list[str] = []
    errors: list[BaseException] = []

    def writer(text: str) -> None:
        def write(tmp: Path) -> None:
            names.append(tmp.name)
            tmp.write_text(text[: len(text) // 2], encoding="utf-8")
            time.sleep(0.2)
            with tmp.open("a", encoding="utf-8") as f:
                f.write(text[len(text) // 2 :])

        try:
            _io.write_file(target, write)
        except BaseException as exc:
            errors.append(exc)

    texts = ["A" * 10_000, "B" * 10_000]
    threads = [threading.Thread(target=writer, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(names)) == 2
    assert target.read_text(encoding="utf-8") in texts
    assert [p.name for p in tmp_path.iterdir()] == ["rapport.html"]


@pytest.mark.parametrize(
    "args",
    [
        ["ingest", "--out", "{file}"],
        ["ingest", "--out", "/dev/null/processed"],
        ["ingest", "--out", "{readonly}/processed"],
        ["resolve", "{input}", "--column", "Kommune", "--out", "{folder}"],
        ["resolve", "{input}", "--column", "Kommune", "--out", "/dev/null/x.csv"],
        ["resolve", "{input}", "--column", "Kommune", "--out", "{readonly}/x.csv"],
        ["query", "select 1 as x", "--data", "{data}", "--csv", "{folder}"],
        ["query", "select 1 as x", "--data", "{data}", "--xlsx", "/dev/null/x.xlsx"],
        ["report", "--data", "{data}", "--out", "{file}"],
    ],
)
def test_unusable_output_paths_are_one_line_and_exit_2(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "fil.txt").write_text("x")
    (tmp_path / "mappe").mkdir()
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro").chmod(0o555)
    (tmp_path / "liste.csv").write_text("Kommune\nBergen\n", encoding="utf-8")
    data = tmp_path / "data"
    write_outputs(data, tables_for("a", 1), manifest_for("a", 1))
    values = {
        "file": tmp_path / "fil.txt",
        "folder": tmp_path / "mappe",
        # root writes into a folder without write bits, but not into /sys
        "readonly": Path("/sys") if os.geteuid() == 0 else tmp_path / "ro",
        "input": tmp_path / "liste.csv",
        "data": data,
    }
    argv = [a.format(**values) for a in args]
    try:
        result = runner.invoke(app, argv)
    finally:
        (tmp_path / "ro").chmod(0o755)
    assert result.exit_code == 2, (argv, result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Feil: "), result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (tmp_path / "mappe").iterdir()) == []  # no stray DIR.tmp
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_full_disk_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: pl.DataFrame, file: object, **_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(file))

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    out = tmp_path / "processed"
    with pytest.raises(_io.OutputError, match="disken er full"):
        write_outputs(out, tables_for("a", 1), manifest_for("a", 1))
    assert not list((out / outputs.SETS).glob("*")) or not (out / outputs.POINTER).exists()
