"""A step kind the schema allows but no module handles (or the reverse) fails here, not on a
resident's screen: the table of step kinds equals the schema's enum exactly."""

from __future__ import annotations

import json
from pathlib import Path

import flows.steps
from flows.steps import STEP_TYPES
from flows.views import StepKind

SCHEMA = Path(__file__).resolve().parents[2] / "flows" / "schema" / "flow.schema.json"


def _schema_step_types() -> list[str]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    found: list[list[str]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict) and "type" in props and "next" in props:
                found.append(props["type"]["enum"])  # the step object
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    assert len(found) == 1, "expected one step object with a type enum in the schema"
    return found[0]


def test_table_kinds_equal_the_schema_enum() -> None:
    enum = _schema_step_types()
    assert len(enum) == len(set(enum))
    assert set(STEP_TYPES) == set(enum)


def test_each_kind_is_the_step_kind_of_its_own_module() -> None:
    folder = Path(flows.steps.__file__).parent
    modules = {p.stem for p in folder.glob("*.py")} - {"__init__", "base"}
    assert modules == set(STEP_TYPES)
    for name, step_type in STEP_TYPES.items():
        assert step_type.kind is StepKind(name)
        assert step_type.handle.__module__ == f"flows.steps.{name}"
        assert step_type.view.__module__ == f"flows.steps.{name}"
        assert step_type.answer.__module__ == f"flows.steps.{name}"


def test_every_view_kind_but_done_has_a_step_kind() -> None:
    assert {k.value for k in StepKind} - {StepKind.DONE.value} == set(STEP_TYPES)
