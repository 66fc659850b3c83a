"""A session wipe that forgets the fields it names and misses the others leaves a resident's
answers, photos, certificates or drafts in memory for the next one: after ``discard`` nothing of
the old per-resident state is reachable from the run (only its record, which holds no personal
data)."""

from __future__ import annotations

import dataclasses
import gc
from types import FunctionType, ModuleType
from typing import Any

import pytest

from flows.engine import FlowRun
from flows.headless import drive
from flows.state import ResidentState
from flows.views import Intent, StepKind
from tests.flows.conftest import service_ids, start

ATOMS = (str, bytes, int, float, bool, type(None))


def _objects_of(state: ResidentState) -> dict[int, str]:
    """The state and every container or object inside it (by id), named for the message."""
    found: dict[int, str] = {id(state): "state"}
    todo: list[tuple[Any, str]] = [(getattr(state, f.name), f.name)
                                   for f in dataclasses.fields(state)]
    while todo:
        value, name = todo.pop()
        if isinstance(value, ATOMS) or id(value) in found:
            continue
        if isinstance(value, (tuple, frozenset)) and all(isinstance(v, ATOMS) for v in value):
            continue  # an immutable value such as the ("", 0) default: no identity to leak
        found[id(value)] = name
        if isinstance(value, dict):
            todo += [(v, f"{name}[{k!r}]") for k, v in value.items()]
        elif isinstance(value, (list, tuple, set, frozenset)):
            todo += [(v, f"{name}[]") for v in value]
        elif dataclasses.is_dataclass(value):
            todo += [(getattr(value, f.name), f"{name}.{f.name}")
                     for f in dataclasses.fields(value)]
    return found


def _reachable(run: FlowRun) -> set[int]:
    """Ids of every object reachable from the run, except through its session ports (the
    session's, wiped by the session) and through code (classes, modules, functions)."""
    skip = {id(run.ports)}
    seen: set[int] = set()
    todo: list[Any] = [run]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or id(obj) in skip:
            continue
        if isinstance(obj, (type, ModuleType, FunctionType)):
            continue
        seen.add(id(obj))
        todo.extend(gc.get_referents(obj))
    return seen


def _discard_and_check(run: FlowRun) -> ResidentState:
    old = run.state
    owned = _objects_of(old)
    run.discard()
    left = {name for oid, name in owned.items() if oid in _reachable(run)}
    assert left == set(), f"still reachable after discard: {sorted(left)}"
    assert run.finished and run.view().kind is StepKind.DONE
    return old


@pytest.mark.parametrize("service", service_ids())
def test_nothing_of_a_finished_run_survives_discard(service: str) -> None:
    run, _, fx = start(service)
    drive(run, fx.get("answers", {}))
    _discard_and_check(run)


def test_nothing_of_an_interrupted_run_survives_discard() -> None:
    run, _, fx = start("newborn-bundle")
    views = [run.view()]
    from flows.headless import intent_for

    while views[-1].kind is not StepKind.SUBMIT:
        views.append(run.send(intent_for(views[-1], fx["answers"], run)))
    run.send(Intent("report", None))  # a report being written, with the step's context
    run.send(Intent("choose", "other"))
    old = _discard_and_check(run)
    filled = {f.name for f in dataclasses.fields(old) if getattr(old, f.name) not in (
        {}, [], set(), None, "", False, ("", 0))}
    # the check is only worth something if the old state held the resident's data
    assert {"answers", "captures", "prefilled", "report_draft", "report_from"} <= filled


def test_the_run_holds_nothing_per_resident_outside_its_state() -> None:
    """A new per-resident attribute put on the run instead of in `ResidentState` would escape
    the wipe: the run's own attributes are navigation, the record and fixed settings."""
    run, _, fx = start("newborn-bundle")
    drive(run, fx["answers"])
    assert set(vars(run)) == {"definition", "ports", "locale", "key", "today",
                              "max_page_size", "record", "state", "history", "page",
                              "_started"}
