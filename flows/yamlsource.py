"""YAML with line numbers: data plus a map from each path to the line it was written on.

Lint and the loader report problems as ``file:line: message``; jsonschema errors carry a path
into the data, so `SourceMap.line` turns that path back into a line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]

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


class YamlError(ValueError):
    """The text is not valid YAML; carries a `Problem` with the line."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def load_yaml(text: str, file: str) -> tuple[Any, SourceMap]:
    """Parse ``text`` safely; return the data and its line map, or raise `YamlError`."""
    source = SourceMap(file)
    try:
        loader = _LOADER(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, source
            _walk(node, (), source)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlError(Problem(file, line, f"malformed YAML: {exc.problem or exc}")) from exc
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
