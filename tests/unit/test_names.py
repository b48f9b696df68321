"""One name per idea: no two modules under src/analysis define a top-level function or class
of the same name, private ones included (a second ``_sha256`` is the same idea written twice,
or two ideas under one name). Parsed, not imported."""

from __future__ import annotations

import ast
import textwrap
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "src" / "analysis"

# Pairs still waiting for their folders' restructuring; each entry names the modules, so a
# third definition elsewhere still fails.
ALLOWED: dict[str, set[str]] = {}


def definitions(root: Path) -> dict[str, list[str]]:
    """Top-level function and class names -> the modules (relative paths) defining them."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if node.name.startswith("__") and node.name.endswith("__"):
                    continue  # a module's protocol hook (__getattr__), not an idea of its own
                found[node.name].append(path.relative_to(root).as_posix())
    return found


def duplicates(root: Path, allowed: dict[str, set[str]] | None = None) -> dict[str, list[str]]:
    allowed = allowed or {}
    return {
        name: modules
        for name, modules in definitions(root).items()
        if len(set(modules)) > 1 and set(modules) != allowed.get(name)
    }


def test_no_two_modules_define_one_name() -> None:
    assert duplicates(ROOT, ALLOWED) == {}


def test_the_allow_list_holds_only_real_duplicates() -> None:
    found = definitions(ROOT)
    stale = {name for name, modules in ALLOWED.items() if set(found.get(name, ())) != modules}
    assert stale == set()


def test_a_second_definition_is_found(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.py").write_text("def same():\n    pass\n", encoding="utf-8")
    (tmp_path / "two.py").write_text(
        textwrap.dedent(
            """
            class Other:
                def same(self):  # a method: not top-level
                    pass
            def _same():
                pass
            async def same():
                pass
            """
        ),
        encoding="utf-8",
    )
    assert duplicates(tmp_path) == {"same": ["a/one.py", "two.py"]}
    assert duplicates(tmp_path, {"same": {"a/one.py", "two.py"}}) == {}
