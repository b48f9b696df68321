"""Writing outputs so that a reader never sees half of one, naming why a write failed, and
editing the catalogue (sources.yaml) without touching what the edit is not about.

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
import errno
import os
import re
import secrets
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from analysis.errors import EhelseError

POINTER: Final = "current"
SETS: Final = "sets"
STAGING: Final = ".staging-"
LOCK: Final = ".lock"
_NAME: Final = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,99}")

_held: dict[Path, int] = {}
_held_guard = threading.Lock()


class OutputError(EhelseError):
    """An output cannot be written (a file where a folder should be, no permission, a full
    disk) or an output folder cannot be read as a set; one line."""


class BusyError(OutputError):
    """Another run holds the output folder."""


def step(label: str) -> None:
    """Called before every change an output write makes on disk; a no-op that fault-injection
    tests replace to stop the process between two writes."""


def describe(exc: OSError) -> str:
    """An OSError as a short Norwegian phrase (the path is added by the caller)."""
    code = exc.errno
    if code == errno.ENOSPC or code == errno.EDQUOT:
        return "disken er full"
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "har ikke skrivetilgang"
    if code == errno.ENOTDIR:
        return "en del av stien er en fil, ikke en mappe"
    if code == errno.EISDIR:
        return "er en mappe, ikke en fil"
    if code == errno.EEXIST:
        return "finnes allerede som fil"
    return exc.strerror or type(exc).__name__


def check_folder(folder: Path | str) -> Path:
    """Say in one line why ``folder`` cannot become an output folder, without creating it:
    a file in its place or on its path, or no permission where it would be made."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: er en fil, ikke en mappe")
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe != path and not probe.is_dir():
        raise OutputError(f"{path}: {probe} er en fil, ikke en mappe")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: har ikke skrivetilgang til {probe}")
    return path


def check_file(path: Path | str) -> Path:
    """Say in one line why a file cannot be written at ``path``, without creating anything."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target}: er en mappe; oppgi en fil")
    check_folder(target.parent)
    return target


def output_folder(folder: Path | str) -> Path:
    """Create an output folder (and its parents) or say in one line why it cannot be one."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: er en fil, ikke en mappe")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path}: kan ikke lage mappen ({describe(exc)})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: har ikke skrivetilgang til mappen")
    return path


def output_file(path: Path | str) -> Path:
    """Check that a file can be written at ``path`` (its folder is made if missing)."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target}: er en mappe; oppgi en fil")
    output_folder(target.parent)
    return target


def _fsync(path: Path, folder: bool = False) -> None:
    try:
        fd = os.open(path, (os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if folder else os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (its type's name when it has none), for messages
    that must stay one line."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def replace_file(path: Path | str, content: str | bytes) -> Path:
    """Write ``content`` (text as UTF-8, line ends as given) to a temporary file beside
    ``path`` (its folder made if missing) and move it into place, so readers never see half a
    file. An OSError reaches the caller, who knows what to say and what to undo; the temporary
    file never stays."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        _fsync(tmp)
        tmp.replace(target)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return target


def write_file(path: Path | str, write: Callable[[Path], object]) -> Path:
    """Write one file atomically: ``write(tmp)`` writes a temporary file of this process beside
    the target, which then replaces it. Any OSError becomes one-line OutputError, and the
    temporary file is removed."""
    target = output_file(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        write(tmp)
        _fsync(tmp)
        tmp.replace(target)
    except OSError as exc:
        raise OutputError(f"{target}: kan ikke skrive filen ({describe(exc)})") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return target


# ---------------------------------------------------------------------------------------------
# The catalogue (sources.yaml)

_ENTRY: Final = re.compile(r"^  - id:\s*['\"]?(?P<id>[^'\"\s]+)")


class CatalogueError(EhelseError):
    """An edit of the catalogue that would break it or change entries it is not about."""


def catalogue_sources(text: str) -> list[dict[str, Any]]:
    """The entries under ``sources`` of a catalogue's text (yaml.YAMLError if it is not YAML)."""
    import yaml  # here, so that writing outputs does not load a YAML parser

    data = yaml.safe_load(text) or {}
    items = data.get("sources") if isinstance(data, dict) else None
    return list(items or [])


def _entry_lines(entry: Mapping[str, Any]) -> list[str]:
    import yaml

    text = yaml.safe_dump(
        [dict(entry)], allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False
    )
    return ["  " + line for line in text.splitlines()]


def replace_entries(text: str, entries: Sequence[Mapping[str, Any]]) -> str:
    """The catalogue with ``entries`` replacing those of the same id, or appended to
    ``sources``; every other line (comments included) is kept as it was. An edit that would
    lose, change or duplicate another entry is refused (CatalogueError)."""
    import yaml

    lines = text.splitlines()
    wanted = {str(e["id"]): e for e in entries}
    try:
        start = lines.index("sources:")
    except ValueError:
        lines += ["sources:"]
        start = len(lines) - 1
    end = start + 1
    while end < len(lines) and (not lines[end] or lines[end].startswith((" ", "#"))):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    out = lines[: start + 1]
    done: set[str] = set()
    i = start + 1
    while i < end:
        m = _ENTRY.match(lines[i])
        j = i + 1
        while j < end and not _ENTRY.match(lines[j]):
            j += 1
        if m and m["id"] in wanted:
            out += _entry_lines(wanted[m["id"]])
            done.add(m["id"])
        else:
            out += lines[i:j]
        i = j
    out += [line for key, e in wanted.items() if key not in done for line in _entry_lines(e)]
    out += lines[end:]
    new_text = "\n".join(out) + "\n"
    try:
        before, after = catalogue_sources(text), catalogue_sources(new_text)
    except yaml.YAMLError as exc:
        raise CatalogueError(f"kunne ikke oppdatere katalogen ({first_line(exc)})") from exc
    others_before = [e for e in before if str(e.get("id")) not in wanted]
    others_after = [e for e in after if str(e.get("id")) not in wanted]
    mine = Counter(str(e.get("id")) for e in after if str(e.get("id")) in wanted)
    if others_before != others_after or any(mine[k] != 1 for k in wanted):
        raise CatalogueError(
            "oppdateringen av katalogen ville endret andre oppføringer; ventet én oppføring per "
            "id under sources"
        )
    return new_text


def replace_block(text: str, block: str, begin: str, end: str) -> str:
    """The catalogue with the block between the marker lines ``begin`` and ``end`` (markers
    included) replaced by ``block``, or ``block`` appended when the markers are missing."""
    lines = text.splitlines(keepends=True)
    first = [i for i, line in enumerate(lines) if line.rstrip("\n") == begin]
    last = [i for i, line in enumerate(lines) if line.rstrip("\n") == end]
    if first and last and last[0] > first[0]:
        return "".join(lines[: first[0]]) + block + "".join(lines[last[0] + 1 :])
    if text and not text.endswith("\n"):
        text += "\n"
    return text + block


# ---------------------------------------------------------------------------------------------
# Locks


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


# ---------------------------------------------------------------------------------------------
# Sets behind a pointer


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
        _fsync(f)
    _fsync(staging, folder=True)
    step("flytter settet på plass")
    final = sets / name
    staging.rename(final)
    _fsync(sets, folder=True)
    tmp = path / f".{POINTER}.{name}.tmp"
    step("skriver pekeren")
    tmp.write_text(name + "\n", encoding="utf-8")
    _fsync(tmp)
    step("bytter pekeren")
    tmp.replace(path / POINTER)
    _fsync(path, folder=True)
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
    "CatalogueError",
    "OutputError",
    "catalogue_sources",
    "check_file",
    "check_folder",
    "clean",
    "current_dir",
    "describe",
    "first_line",
    "locked",
    "output_file",
    "output_folder",
    "publish_set",
    "replace_block",
    "replace_entries",
    "replace_file",
    "step",
    "write_file",
]
