"""The render cache: outputs that take long to make, kept on disk under a hash of everything
they are made from, so a report rebuilt after a change of its text makes only what changed.
It holds the PDF's SVG figures (``present.static``) and the page's HTML tables
(``present.tables``); the folder is ``config.FIGURE_CACHE_DIR`` or EHELSE_FIGURE_CACHE, and
EHELSE_FIGURE_CACHE=off makes everything afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Final

from analysis import _io, config

CACHE_ENV: Final = "EHELSE_FIGURE_CACHE"  # another cache folder; "off" makes every output


def render_cache_dir() -> Path | None:
    """The cache folder; None when the cache is off."""
    env = os.environ.get(CACHE_ENV)
    if env and env.strip().lower() == "off":
        return None
    return Path(env) if env else config.FIGURE_CACHE_DIR


@cache
def code_version(files: tuple[Path, ...], packages: tuple[str, ...]) -> str:
    """A hash of the code an output is made by beside its content: the modules' text and
    the packages' versions, so an output made by other code is made again."""
    h = hashlib.sha256(b"".join(f.read_bytes() for f in files))
    for package in packages:
        h.update(f"{package}={version(package)}\n".encode())
    return h.hexdigest()[:16]


def read(key: str, suffix: str) -> str | None:
    folder = render_cache_dir()
    if folder is None:
        return None
    try:
        return (folder / f"{key}{suffix}").read_text(encoding="utf-8")
    except OSError:
        return None


def holds(keys: Iterable[str], suffix: str) -> bool:
    folder = render_cache_dir()
    return folder is not None and all((folder / f"{k}{suffix}").is_file() for k in keys)


def store(key: str, suffix: str, text: str) -> None:
    folder = render_cache_dir()
    if folder is None:
        return
    with contextlib.suppress(OSError):  # a full or read-only cache only costs time
        folder.mkdir(parents=True, exist_ok=True)
        _io.write_file(folder / f"{key}{suffix}", lambda tmp: tmp.write_text(text, "utf-8"))


__all__ = ["CACHE_ENV", "code_version", "holds", "read", "render_cache_dir", "store"]
