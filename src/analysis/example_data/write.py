"""The one function that writes the example to disk."""

from __future__ import annotations

from pathlib import Path

from analysis._io import replace_file
from analysis.catalogue_edit import CatalogueEditError, catalogue_sources
from analysis.example_data.files import example_files
from analysis.example_data.generate import generate
from analysis.example_data.params import DEFAULT_SEED
from analysis.example_data.readme import catalogue_block, example_entries, updated_catalogue


def write_example(out: Path, seed: int = DEFAULT_SEED, catalogue: Path | None = None) -> list[Path]:
    """Generate, write every file into ``out`` (atomically per file) and, when ``catalogue`` is
    given, replace the example block in it. Returns the paths written."""
    files = example_files(generate(seed))
    out.mkdir(parents=True, exist_ok=True)
    written = [replace_file(out / f.name, f.data) for f in files]
    if catalogue is not None:
        text = catalogue.read_text(encoding="utf-8") if catalogue.exists() else "sources:\n"
        entries = example_entries(files, seed)
        new = updated_catalogue(text, catalogue_block(entries))
        ids = {s.get("id") for s in catalogue_sources(new)}
        missing = [e["id"] for e in entries if e["id"] not in ids]
        if missing:
            raise CatalogueEditError(
                f"{catalogue}: eksempelblokken havnet utenfor listen `sources` ({missing[0]})"
            )
        written.append(replace_file(catalogue, new))
    return written
