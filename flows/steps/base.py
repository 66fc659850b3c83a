"""What a step kind is made of: entering, handling an intent, its view, a headless answer.

Each kind of the step library lives in one module of this package (flows/steps/<kind>.py) that
builds one `StepType`; the table in ``flows.steps`` holds them all and is checked against the
schema's enum. The engine (`FlowRun`) keeps navigation, history and the record and calls the
step kind for everything else. A step kind reads and changes the run only through its public
methods and its per-resident `state` (never a private attribute).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from flows.definition import StepDef
from flows.expressions import ExpressionError
from flows.views import Intent, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun

#: Work done on entering a step; True when it has nothing to show (the run skips it).
Enter = Callable[["FlowRun", StepDef], bool]
#: What the resident did on the step (sets ``run.error`` or moves the run on).
Handle = Callable[["FlowRun", StepDef, Intent], None]
#: The screen for the step.
Render = Callable[["FlowRun", StepDef], View]
#: What a headless resident with these answers sends on a view of this kind.
Answer = Callable[[View, Mapping[str, Any], "FlowRun"], Intent]
#: The first page (question) of the step at or after ``start``, None when there is none left.
Pages = Callable[["FlowRun", StepDef, int], "int | None"]
#: A scanned code (kind, text) on the step; False when the step does not take scans.
Scan = Callable[["FlowRun", StepDef, str, str], bool]


def truthy(expression: Any, names: Mapping[str, Any], on: date | None) -> bool:
    """A condition's value; a condition that cannot be evaluated is false."""
    try:
        return bool(expression.evaluate(names, on))
    except ExpressionError:
        return False


def shows(run: FlowRun, step: StepDef) -> bool:
    """The default on entering: nothing to load, the step is shown."""
    return False


def single_page(run: FlowRun, step: StepDef, start: int) -> int | None:
    """The default paging: one page, so no further page inside the step."""
    return None


def takes_no_scan(run: FlowRun, step: StepDef, kind: str, text: str) -> bool:
    """The default for a scanned code: the step has no use for it."""
    return False


@dataclass(frozen=True, slots=True)
class StepType:
    """One kind of step: the functions the engine, the screens and the headless resident call."""

    kind: StepKind
    handle: Handle
    view: Render
    answer: Answer
    enter: Enter = shows
    pages: Pages = single_page
    scan: Scan = takes_no_scan
