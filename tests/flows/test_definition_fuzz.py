"""Whatever a definition file holds, loading ends in a definition or a DefinitionError."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.definition import DefinitionError, parse_definition
from tests.flows.conftest import CATALOGUE

BASE = yaml.safe_load((CATALOGUE / "newborn-bundle" / "flow.yaml").read_text(encoding="utf-8"))

JUNK = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                 st.text(max_size=30), st.lists(st.integers(), max_size=3),
                 st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
                 st.sampled_from(["{{ x", "__import__('os')", "end", "identify", "本人"]))


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_paths(v, (*prefix, i)))
    return out


PATHS = _paths(BASE)[1:]


def _mutate(data: Any, path: tuple, value: Any, delete: bool) -> Any:
    data = copy.deepcopy(data)
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        parent.pop(path[-1], None)
    elif delete and isinstance(parent, list):
        parent.pop(path[-1])
    else:
        parent[path[-1]] = value
    return data


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), JUNK, st.booleans()), min_size=1, max_size=4))
def test_mutated_definitions_never_raise_anything_else(
        mutations: list[tuple[tuple, Any, bool]]) -> None:
    data = BASE
    for path, value, delete in mutations:
        try:
            data = _mutate(data, path, value, delete)
        except (KeyError, IndexError, TypeError):
            continue
    text = yaml.safe_dump(data, allow_unicode=True)
    try:
        parse_definition(text, "fuzz.yaml")
    except DefinitionError as exc:
        assert exc.problems and all(p.line >= 1 for p in exc.problems)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_is_refused_cleanly(text: str) -> None:
    try:
        parse_definition(text, "fuzz.yaml")
    except DefinitionError as exc:
        assert exc.problems
