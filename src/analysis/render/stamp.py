"""The no-change check: a format already rendered from the same inputs is not rendered again.

The fingerprint covers the parameters and every input's path, size and modification time (the
processed data, the chapters and templates, the code, uv.lock): stat calls only, kept in a
stamp beside the output. This module imports only the standard library and the foundation
modules (no polars, pandera or plotly), so a no-change ``make report`` costs about as much as
starting Python.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Final

from analysis import _io, config

EXTENSIONS: Final = {"html": "html", "pdf": "pdf"}
CODE_DIR: Final = Path(__file__).resolve().parents[1]  # the analysis package


def input_files(processed: Path, folder: Path) -> list[Path]:
    """Everything a render reads: the processed data, the chapters and templates, the code."""
    files = [*processed.rglob("*"), *folder.glob("*.py"), *folder.glob("*.yml")]
    files += (folder / "templates").rglob("*")
    files += CODE_DIR.rglob("*")
    files.append(config.ROOT / "uv.lock")
    # The catalogue and the errata feed the front page and the errata section directly.
    files += [config.CATALOGUE, config.RAW_DIR / "errata.csv"]
    return sorted(
        f
        for f in files
        if f.is_file()
        and "__pycache__" not in f.parts
        and not f.name.startswith((config.VALIDATED_NAME, f".{config.VALIDATED_NAME}"))
    )


def input_key(
    processed: Path, folder: Path, year: int, region: str | None, published: date | None = None
) -> str:
    """A fingerprint of the parameters and of every input's path, size and modification time.
    Without a publication date the front page carries the build date, so a render of another
    day is not the same."""
    day = published or f"bygd {date.today()}"
    h = hashlib.sha1(f"{processed.resolve()}|{year}|{region}|{day}\n".encode())
    for f in input_files(processed, folder):
        st = f.stat()
        h.update(f"{f}\t{st.st_size}\t{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def output_path(out_dir: Path, stem: str, fmt: str) -> Path:
    return out_dir / f"{stem}.{EXTENSIONS[fmt]}"


def stamp_path(out_dir: Path, stem: str) -> Path:
    return out_dir / f".{stem}.stamp.json"


def read_stamp(out_dir: Path, stem: str) -> dict[str, str]:
    """Format -> the fingerprint its file was rendered from; empty when there is no stamp."""
    try:
        data = json.loads(stamp_path(out_dir, stem).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def write_stamp(out_dir: Path, stem: str, stamp: Mapping[str, str]) -> None:
    text = json.dumps(dict(stamp), indent=1) + "\n"
    _io.write_file(stamp_path(out_dir, stem), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def record(out_dir: Path, stem: str, formats: Sequence[str], key: str) -> None:
    """Note that these formats were rendered from the inputs ``key`` names."""
    write_stamp(out_dir, stem, read_stamp(out_dir, stem) | dict.fromkeys(formats, key))


def newer_than(path: Path, roots: Sequence[Path]) -> bool:
    """Some file under ``roots`` changed after ``path`` (or ``path`` is missing)."""
    try:
        built = path.stat().st_mtime_ns
    except OSError:
        return True
    return any(f.stat().st_mtime_ns > built for r in roots for f in r.rglob("*") if f.is_file())


def raw_roots() -> list[Path]:
    """What an ingest reads: the raw data and the ingest code."""
    return [config.RAW_DIR, CODE_DIR / "ingest"]


# The runs an output folder has seen: the arguments of a run -> its editions (stem, data
# folder, year, county), so a run that changes nothing is answered from the stamps without
# working out the edition again (the division, the county: the reference tables).
RUNS: Final = ".ehelse-runs.json"


def run_key(args: Mapping[str, object]) -> str:
    """The arguments of a run, with what the defaults follow (the environment, the catalogue's
    report year, the division years on disk)."""
    import os

    env = {k: v for k, v in os.environ.items() if k.startswith("EHELSE_")}
    try:
        st = config.CATALOGUE.stat()
        catalogue = f"{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        catalogue = "-"
    try:
        divisions = sorted(p.name for p in config.REFERENCE_DIR.iterdir())
    except OSError:
        divisions = []
    text = json.dumps([dict(args), env, catalogue, divisions], sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()


def recall_run(out_dir: Path, key: str) -> list[dict[str, object]] | None:
    try:
        runs = json.loads((out_dir / RUNS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    found = runs.get(key) if isinstance(runs, dict) else None
    return found if isinstance(found, list) else None


def remember_run(out_dir: Path, key: str, editions: Sequence[Mapping[str, object]]) -> None:
    try:
        runs = json.loads((out_dir / RUNS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        runs = {}
    if not isinstance(runs, dict):
        runs = {}
    runs[key] = [dict(e) for e in editions]
    text = json.dumps(runs, indent=1) + "\n"
    _io.write_file(out_dir / RUNS, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def fresh_formats(formats: Sequence[str], out_dir: Path, stem: str, key: str) -> list[str]:
    """The formats whose output exists and was rendered from exactly these inputs."""
    stamp = read_stamp(out_dir, stem)
    return [f for f in formats if stamp.get(f) == key and output_path(out_dir, stem, f).is_file()]


__all__ = [
    "fresh_formats",
    "input_files",
    "input_key",
    "newer_than",
    "output_path",
    "raw_roots",
    "read_stamp",
    "recall_run",
    "record",
    "remember_run",
    "run_key",
    "stamp_path",
    "write_stamp",
]
