"""Imports point one way: reference <- ingest <- metrics <- edition <- present <- render <- cli.

Every module under src/analysis is parsed (not imported), and every import in it counts, also
one inside a function or under ``TYPE_CHECKING``: a lazy import is still a dependency. The
tools (lookup, query, export, skjema) sit beside the pipeline and may use its stages up to the
edition; the example-data generator uses the reference and the form writer (tools.skjema)
only; the foundation modules are usable from anywhere and use no stage.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "src" / "analysis"

# The pipeline's stages, in the order they may import each other (lower from higher only).
STAGES = ("reference", "ingest", "metrics", "edition", "present", "render", "cli")
FOUNDATION = frozenset(
    {
        "",  # the package itself (its __version__)
        "config",
        "errors",
        "fmt",
        "escape",
        "_io",
        "outputs",
        "catalogue_edit",
        "safe_yaml",
        "schemas",
        "load",
        "dates",
        "divisions",
        "steps",
    }
)
TOOLS = frozenset({"tools", "skjema"})
TOOLS_MAY_USE = frozenset({"reference", "ingest", "metrics", "edition"})
EXAMPLE_DATA = "example_data"
# The example forms are made with the product's own form writer, as a person would with
# `ehelse skjema lag`.
EXAMPLE_DATA_TOOL = "tools.skjema"


def unit_of(module: str, package: str = "analysis") -> str | None:
    """The stage, tool folder or foundation module a dotted module name belongs to, or None
    for a module outside the package."""
    parts = module.split(".")
    if parts[0] != package:
        return None
    return parts[1] if len(parts) > 1 else ""


def allowed(source: str, target: str, module: str = "") -> bool:
    """Whether a module of unit ``source`` may import one of unit ``target`` (the dotted
    ``module`` imported, for the one tool the example data may use)."""
    if target == source or target in FOUNDATION:
        return True
    if source in FOUNDATION:
        return False
    if source == EXAMPLE_DATA:
        inside = module.partition(".")[2]
        return target == "reference" or (
            inside == EXAMPLE_DATA_TOOL or inside.startswith(EXAMPLE_DATA_TOOL + ".")
        )
    if source in TOOLS:
        return target in TOOLS_MAY_USE or target in TOOLS
    if target in TOOLS or target == EXAMPLE_DATA:
        return source == "cli"
    if source in STAGES and target in STAGES:
        return STAGES.index(target) <= STAGES.index(source)
    return False  # a folder the rules do not know yet: name its place above first


def module_name(path: Path, root: Path, package: str) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def imported(path: Path, root: Path, package: str) -> list[tuple[int, str]]:
    """Every module ``path`` imports (line, dotted name), relative imports resolved and
    ``from pkg import submodule`` counted as the submodule."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = module_name(path, root, package).split(".")
    if path.name != "__init__.py":
        here = here[:-1]  # the package the module sits in
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                parts = sub.split(".")[1:]
                is_module = parts and (
                    root.joinpath(*parts).with_suffix(".py").is_file()
                    or root.joinpath(*parts, "__init__.py").is_file()
                )
                found.append((node.lineno, sub if is_module else module))
    return found


def violations(root: Path, package: str = "analysis") -> list[str]:
    """Every import under ``root`` against the direction, as 'file:line: a -> b'."""
    out: list[str] = []
    for path in sorted(root.rglob("*.py")):
        source = unit_of(module_name(path, root, package), package)
        assert source is not None
        for line, target_module in imported(path, root, package):
            target = unit_of(target_module, package)
            if target is not None and not allowed(source, target, target_module):
                rel = path.relative_to(root.parent)
                found = f"{rel}:{line}: {source or package} -> {target_module}"
                if found not in out:
                    out.append(found)
    return out


def test_the_package_imports_point_one_way() -> None:
    assert ROOT.is_dir()
    assert violations(ROOT) == []


def test_every_folder_has_a_place_in_the_rules() -> None:
    known = set(STAGES) | FOUNDATION | TOOLS | {EXAMPLE_DATA}
    units = {p.stem if p.is_file() else p.name for p in ROOT.iterdir()}
    units = {u for u in units if not u.startswith("__") and u != "py"}
    assert units - known == set()


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        (folder / "__init__.py").touch()
    return root


def test_a_backward_import_is_found_also_lazy_relative_or_as_a_submodule(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "reference/register.py": """
                from pkg import config
                def find():
                    from pkg.edition.params import Edition  # lazy, and backward
                    return Edition
            """,
            "metrics/status.py": "from ..present import figures\n",
            "edition/params.py": "from pkg import render\nfrom pkg.metrics import status\n",
            "present/figures.py": "from pkg.tools.lookup import find\n",
            "tools/lookup.py": "from pkg.edition import params\nfrom pkg.cli import app\n",
            "example_data/files.py": (
                "import pkg.ingest.readers\nfrom pkg.reference import x\n"
                "from pkg.tools.skjema.write import w\nfrom pkg.tools.query import q\n"
            ),
            "ingest/readers.py": "",
            "render/__init__.py": "",
            "fmt.py": "from pkg.metrics.status import x\n",
            "config.py": "from pkg import errors\n",
            "errors.py": "",
            "cli/app.py": "from pkg.tools import lookup\nfrom pkg.example_data import files\n",
        },
    )
    assert violations(root, "pkg") == [
        "pkg/edition/params.py:1: edition -> pkg.render",
        "pkg/example_data/files.py:1: example_data -> pkg.ingest.readers",
        "pkg/example_data/files.py:4: example_data -> pkg.tools.query",
        "pkg/fmt.py:1: fmt -> pkg.metrics.status",
        "pkg/metrics/status.py:1: metrics -> pkg.present.figures",
        "pkg/present/figures.py:1: present -> pkg.tools.lookup",
        "pkg/reference/register.py:4: reference -> pkg.edition.params",
        "pkg/tools/lookup.py:2: tools -> pkg.cli.app",
    ]


@pytest.mark.parametrize(
    ("source", "target", "ok"),
    [
        ("cli", "reference", True),
        ("render", "present", True),
        ("present", "render", False),
        ("ingest", "metrics", False),
        ("tools", "edition", True),
        ("tools", "present", False),
        ("edition", "tools", False),
        ("cli", "tools", True),
        ("example_data", "reference", True),
        ("example_data", "metrics", False),
        ("ingest", "example_data", False),
        ("load", "config", True),
        ("load", "reference", False),
        ("metrics", "load", True),
    ],
)
def test_the_rules(source: str, target: str, ok: bool) -> None:
    assert allowed(source, target) is ok


@pytest.mark.parametrize(
    ("module", "ok"),
    [
        ("analysis.tools.skjema", True),
        ("analysis.tools.skjema.write", True),
        ("analysis.tools.skjemaer", False),
        ("analysis.tools.query", False),
    ],
)
def test_the_example_data_may_use_the_form_writer_only(module: str, ok: bool) -> None:
    assert allowed("example_data", "tools", module) is ok
