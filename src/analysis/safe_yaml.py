"""A YAML loader for files people type (sources.yaml): safe types only, and limits.

PyYAML's ``safe_load`` is safe against code, not against size: a few lines of aliases expand
to billions of nodes ("billion laughs"), and an invalid unquoted date (``2023-02-30``) raises a
bare ValueError. Here aliases are counted and the expanded size is bounded before anything is
built, dates stay text (the catalogue checks them with its own message), and every problem is a
``YamlError`` naming the file, line and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from analysis.errors import EhelseError

MAX_BYTES = 5_000_000
MAX_ALIASES = 100
MAX_NODES = 200_000  # after expanding aliases
MAX_DEPTH = 50


class YamlError(EhelseError, ValueError):
    """A YAML file that cannot be used; the message names the file, line and column."""


class _Loader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps: ``2023-02-30`` stays the text it was."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# The same loader on libyaml's parser, when PyYAML has it: about ten times faster on the
# catalogue, which a report reads several times. A file it refuses is read again by the
# loader above, so every message is the one that loader gives.
_FastLoader: type[Any] | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(yaml.CSafeLoader):
        """CSafeLoader without implicit timestamps, as ``_Loader``."""

    _CLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    _FastLoader = _CLoader


def _where(path: Path | str, mark: Any) -> str:
    if mark is None:
        return f"{path}"
    return f"{path}, linje {mark.line + 1}, kolonne {mark.column + 1}"


def _check_size(root: yaml.Node, path: Path | str) -> None:
    """The node count with every alias expanded, computed without expanding (memoised)."""
    sizes: dict[int, int] = {}
    # Iterative post-order walk: a deep document must not hit Python's recursion limit.
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        if id(node) in sizes:
            continue
        if depth > MAX_DEPTH:
            raise YamlError(
                f"{_where(path, node.start_mark)}: YAML-en er nestet dypere enn {MAX_DEPTH} nivåer"
            )
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if not done:
            stack.append((node, depth, True))
            stack.extend((c, depth + 1, False) for c in children if id(c) not in sizes)
            continue
        total = 1 + sum(sizes.get(id(c), 1) for c in children)
        if total > MAX_NODES:
            raise YamlError(
                f"{_where(path, node.start_mark)}: YAML-en blir for stor når aliasene "
                f"(*navn) foldes ut (over {MAX_NODES} verdier)"
            )
        sizes[id(node)] = total


def _load_with(loader_class: type[Any], text: str, path: Path | str) -> Any:
    loader = loader_class(text)
    try:
        aliases = depth = 0
        for event in yaml.parse(text, Loader=loader_class):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlError(
                        f"{_where(path, event.start_mark)}: YAML-en er nestet dypere enn "
                        f"{MAX_DEPTH} nivåer"
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise YamlError(
                        f"{_where(path, event.start_mark)}: for mange YAML-alias "
                        f"(over {MAX_ALIASES})"
                    )
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node, path)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or exc.context or "ugyldig YAML"
        raise YamlError(f"{_where(path, exc.problem_mark)}: ugyldig YAML ({problem})") from None
    except yaml.YAMLError as exc:
        raise YamlError(f"{path}: ugyldig YAML ({type(exc).__name__})") from None
    finally:
        loader.dispose()


def load_yaml_text(text: str, path: Path | str) -> Any:
    """Parse ``text`` (from ``path``, for messages) with the limits above."""
    if len(text) > MAX_BYTES:
        raise YamlError(f"{path}: filen er for stor for en YAML-katalog (over {MAX_BYTES} tegn)")
    if _FastLoader is not None:
        try:
            return _load_with(_FastLoader, text, path)
        except YamlError:
            pass  # the message comes from the loader below
    return _load_with(_Loader, text, path)


def load_yaml(path: Path | str) -> Any:
    """Read and parse a UTF-8 YAML file with the limits above."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise YamlError(f"{path}: filen er for stor for en YAML-katalog ({size} byte)")
        data = path.read_bytes()
    except OSError as exc:
        raise YamlError(f"{path}: kan ikke leses ({exc.strerror or type(exc).__name__})") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlError(f"{path}: filen er kodet som UTF-16; lagre den som UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlError(
            f"{path}, linje {line}: ikke gyldig UTF-8 (byte 0x{data[exc.start]:02x}); "
            "lagre filen som UTF-8"
        ) from None
    return load_yaml_text(text, path)
