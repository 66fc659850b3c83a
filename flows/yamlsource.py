"""YAML with line numbers: data plus a map from each path to the line it was written on.

Lint and the loader report problems as ``file:line: message``; jsonschema errors carry a path
into the data, so `SourceMap.line` turns that path back into a line.

Bundle YAML is hostile until checked: a kilobyte of nested aliases (``&a [*a, *a, ...]``, the
"billion laughs") expands to gigabytes. The node graph is composed first (linear in the text,
aliases are shared nodes) and checked *before* anything walks or constructs it: at most
`MAX_ALIASES` alias uses, no alias pointing into itself, and at most `MAX_EXPANDED_NODES`
nodes once every alias is expanded (docs/adr/0421). `safe_load` is the drop-in for
``yaml.safe_load`` on bundle files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]

#: Alias uses (``*name`` and ``<<: *name``) a file may hold; no catalogue flow uses any.
MAX_ALIASES = 20
#: Nodes a file may hold with its aliases expanded; the largest catalogue flow has ~500.
MAX_EXPANDED_NODES = 100_000
#: Characters a bundle YAML file may hold; the largest catalogue file is ~20 KB. Composing
#: costs ~10 µs and ~300 bytes per node, so this also bounds the work before any check.
MAX_YAML_CHARS = 256_000
#: Open ``[`` / ``{`` a file may nest: libyaml's composer recurses once per level and a file of
#: 100,000 ``[`` crashed the process (segmentation fault). Counted on the raw text, so brackets
#: inside quoted text count too; real flows nest a handful.
MAX_FLOW_NESTING = 100

#: libyaml's safe loader when PyYAML was built with it (same nodes and marks, much faster).
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a file: where, and what (technician-facing English)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(slots=True)
class SourceMap:
    """Line (1-based) of every mapping key / list item, by path."""

    file: str
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Sequence[str | int]) -> int:
        """The line of ``path`` or of its nearest ancestor present in the map (else 1)."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)

    def problem(self, path: Sequence[str | int], message: str) -> Problem:
        """A problem located at ``path``."""
        return Problem(self.file, self.line(path), message)


_BRACKETS = re.compile(r"[\[\]{}]")


class YamlBombError(yaml.YAMLError):
    """The YAML uses too many aliases or would expand too far (refused before expanding)."""


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_node_graph(root: yaml.Node) -> None:
    """Refuse a composed node graph with too many aliases, a recursive alias or too large an
    expansion; costs one pass over the distinct nodes, never the expansion."""
    aliases = 0
    seen = {id(root)}
    order: list[yaml.Node] = []
    stack = [root]
    while stack:  # every distinct node once; a node met again is an alias use
        node = stack.pop()
        order.append(node)
        for child in _children(node):
            if id(child) in seen:
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise YamlBombError(f"more than {MAX_ALIASES} aliases (*name); "
                                        "write the values out")
            else:
                seen.add(id(child))
                stack.append(child)
    if aliases == 0:
        return  # a tree: its expansion is itself
    expanded: dict[int, int] = {}
    visiting: set[int] = set()
    work: list[tuple[yaml.Node, bool]] = [(root, False)]
    while work:  # post-order over the graph: expanded size of each node, cycles refused
        node, done = work.pop()
        if done:
            visiting.discard(id(node))
            size = 1 + sum(expanded[id(c)] for c in _children(node))
            if size > MAX_EXPANDED_NODES:
                raise YamlBombError(f"aliases expand to more than {MAX_EXPANDED_NODES} "
                                    "values")
            expanded[id(node)] = size
            continue
        if id(node) in expanded:
            continue
        if id(node) in visiting:
            raise YamlBombError("an alias refers to the value that contains it")
        visiting.add(id(node))
        work.append((node, True))
        for child in _children(node):
            if id(child) in visiting:
                raise YamlBombError("an alias refers to the value that contains it")
            if id(child) not in expanded:
                work.append((child, False))


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` with the alias checks; raises `yaml.YAMLError` (or `YamlBombError`)."""
    _check_length(text)
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_node_graph(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_length(text: str) -> None:
    if len(text) > MAX_YAML_CHARS:
        raise YamlBombError(f"file longer than {MAX_YAML_CHARS} characters")
    depth = 0
    for match in _BRACKETS.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_FLOW_NESTING:
            raise YamlBombError(f"brackets nested deeper than {MAX_FLOW_NESTING} levels")
        depth = max(depth, 0)


class YamlError(ValueError):
    """The text is not valid YAML; carries a `Problem` with the line."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def load_yaml(text: str, file: str) -> tuple[Any, SourceMap]:
    """Parse ``text`` safely; return the data and its line map, or raise `YamlError`."""
    source = SourceMap(file)
    try:
        _check_length(text)
        loader = _LOADER(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, source
            check_node_graph(node)
            _walk(node, (), source)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlError(Problem(file, line, f"malformed YAML: {exc.problem or exc}")) from exc
    except YamlBombError as exc:
        raise YamlError(Problem(file, 1, f"YAML refused: {exc}")) from exc
    except RecursionError as exc:
        raise YamlError(Problem(file, 1, "YAML refused: nested too deeply")) from exc
    except yaml.YAMLError as exc:
        raise YamlError(Problem(file, 1, f"malformed YAML: {exc}")) from exc
    return data, source


def _walk(node: yaml.Node, path: Path_, source: SourceMap) -> None:
    source.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            child = (*path, key)
            source.lines[child] = key_node.start_mark.line + 1
            _walk(value_node, child, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            source.lines[child] = item.start_mark.line + 1
            _walk(item, child, source)
