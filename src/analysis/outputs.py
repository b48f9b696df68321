"""Output folders that hold whole sets of files, switched at once, and the locks that keep
two runs out of one folder.

An output folder (data/processed, or any folder given with ``--out``) holds whole sets of
files: each run writes a new set into ``sets/.staging-<id>/`` inside the folder (the same file
system, so every move is a rename), renames it to ``sets/<id>/`` and then switches the small
pointer file ``current`` to the new name with one atomic replace. Until that replace the
previous set is what readers see; after it, the new one. The previous set is kept one run
longer (a reader that resolved the pointer just before the switch can finish), older sets and
staging folders left by a killed run are removed by the next run. A run holds a lock on the
folder (``.lock``, released by the operating system when the process dies), so a second run
into the same folder refuses instead of mixing its files in.

A folder without a pointer is read as it is (a flat set, as tests and earlier versions wrote).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from analysis._io import OutputError, describe, fsync, output_folder

POINTER: Final = "current"
SETS: Final = "sets"
STAGING: Final = ".staging-"
LOCK: Final = ".lock"
_NAME: Final = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,99}")

_held: dict[Path, int] = {}
_held_guard = threading.Lock()


class BusyError(OutputError):
    """Another run holds the output folder."""


def step(label: str) -> None:
    """Called before every change an output write makes on disk; a no-op that fault-injection
    tests replace to stop the process between two writes."""


@contextlib.contextmanager
def locked(folder: Path | str, shared: bool = False) -> Iterator[Path]:
    """Hold the folder's lock for a run (exclusive: ingest into it, a report into it; shared:
    a report reading it). Refuses at once when another process holds it; re-entrant within a
    process. The operating system releases it when the process ends, however it ends."""
    path = Path(folder)
    if shared and path.is_dir() and not os.access(path, os.W_OK):
        yield path  # a read-only folder: nobody can write into it while we read
        return
    path = output_folder(path)
    key = path.resolve()
    with _held_guard:
        if key in _held:
            _held[key] += 1
            reentrant = True
        else:
            reentrant = False
    if reentrant:
        try:
            yield path
        finally:
            with _held_guard:
                _held[key] -= 1
        return
    try:
        fd = os.open(path / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"{path}: kan ikke låse mappen ({describe(exc)})") from None
    try:
        _lock_fd(fd, shared)
    except BlockingIOError:
        os.close(fd)
        raise BusyError(
            f"{path} er i bruk av en annen kjøring (ingest eller rapport); prøv igjen når den "
            "er ferdig"
        ) from None
    with _held_guard:
        _held[key] = 1
    try:
        yield path
    finally:
        with _held_guard:
            _held.pop(key, None)
        os.close(fd)  # closing the descriptor releases the lock


def _lock_fd(fd: int, shared: bool) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: msvcrt has exclusive byte-range locks only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            raise BlockingIOError from None
        return
    fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)


def current_dir(folder: Path | str) -> Path:
    """The folder readers read: the set ``current`` names, else the folder itself (a flat
    folder). A pointer that names a missing set is an OutputError, never a silent fallback."""
    path = Path(folder)
    pointer = path / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return path
    except OSError as exc:
        raise OutputError(f"{pointer}: kan ikke lese pekeren ({describe(exc)})") from None
    target = path / SETS / name
    if not _NAME.fullmatch(name) or not target.is_dir():
        raise OutputError(
            f"{pointer} peker på {name!r}, som ikke finnes i {path / SETS}: kjør `ehelse ingest` "
            "på nytt"
        )
    return target


def _new_name() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def clean(folder: Path) -> list[Path]:
    """Remove what a killed run left: staging folders and pointer files not yet switched, and
    the staging folders the previous version of this tool made beside the output folder."""
    removed: list[Path] = []
    sets = folder / SETS
    leftovers = [*sets.glob(f"{STAGING}*")] if sets.is_dir() else []
    leftovers += folder.glob(f".{POINTER}.*.tmp")
    leftovers += folder.parent.glob(f".{folder.name}.tmp-*")
    for p in leftovers:
        step(f"rydder {p.name}")
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                p.unlink()
        removed.append(p)
    return removed


def publish_set(
    folder: Path | str,
    write: Callable[[Path], None],
    legacy: tuple[str, ...] = (),
) -> Path:
    """Write a new set with ``write(staging)`` and switch the pointer to it; returns the new
    set's folder. ``legacy``: names of flat files an earlier version kept directly in the
    folder, removed after the switch so nothing reads them by mistake. The caller should hold
    ``locked(folder)``; this takes it if not."""
    with locked(folder) as path:
        try:
            return _publish(path, write, legacy)
        except OSError as exc:
            where = exc.filename or path
            raise OutputError(f"{where}: kan ikke skrive dataene ({describe(exc)})") from None


def _publish(path: Path, write: Callable[[Path], None], legacy: tuple[str, ...]) -> Path:
    clean(path)
    sets = path / SETS
    step("lager sets/")
    sets.mkdir(exist_ok=True)
    previous = current_dir(path) if (path / POINTER).exists() else None
    name = _new_name()
    staging = sets / f"{STAGING}{name}"
    step("lager staging")
    staging.mkdir()
    write(staging)
    for f in staging.iterdir():
        fsync(f)
    fsync(staging, folder=True)
    step("flytter settet på plass")
    final = sets / name
    staging.rename(final)
    fsync(sets, folder=True)
    tmp = path / f".{POINTER}.{name}.tmp"
    step("skriver pekeren")
    tmp.write_text(name + "\n", encoding="utf-8")
    fsync(tmp)
    step("bytter pekeren")
    tmp.replace(path / POINTER)
    fsync(path, folder=True)
    keep = {name, previous.name if previous is not None else ""}
    for old in sets.iterdir():
        if old.name not in keep and not old.name.startswith("."):
            step(f"fjerner {old.name}")
            shutil.rmtree(old, ignore_errors=True)
    for flat in legacy:
        if (path / flat).is_file():
            step(f"fjerner {flat}")
            (path / flat).unlink()
    return final


__all__ = [
    "LOCK",
    "POINTER",
    "SETS",
    "BusyError",
    "clean",
    "current_dir",
    "locked",
    "publish_set",
    "step",
]
