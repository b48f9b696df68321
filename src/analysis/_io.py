"""Writing files so that a reader never sees half of one, and naming why a write failed in
one line: atomic replace of a file, checks of output paths before the work, the first line of
an error. Output folders holding whole sets behind a pointer: ``analysis.outputs``; edits of
the catalogue: ``analysis.catalogue_edit``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from analysis.errors import EhelseError


class OutputError(EhelseError):
    """An output cannot be written (a file where a folder should be, no permission, a full
    disk) or an output folder cannot be read as a set; one line."""


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


def fsync(path: Path, folder: bool = False) -> None:
    """Flush a file (or a folder's entries) to disk where the system allows it."""
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


def file_sha256(path: Path | str) -> str:
    """The SHA-256 of a file's bytes, as hex: what provenance notes and cache keys record."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


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
        fsync(tmp)
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
        fsync(tmp)
        tmp.replace(target)
    except OSError as exc:
        raise OutputError(f"{target}: kan ikke skrive filen ({describe(exc)})") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return target


__all__ = [
    "OutputError",
    "check_file",
    "check_folder",
    "describe",
    "file_sha256",
    "first_line",
    "fsync",
    "output_file",
    "output_folder",
    "replace_file",
    "write_file",
]
