"""A headless resident: answers each screen of a run the way the UI would send intents.

`drive(run, answers)` reacts to each view kind with ``answers`` (form values by field key,
choices by step key, the row to pick; keys starting with ``_`` steer the robot: ``_score``,
``_reasons``, ``_report``, ``_all_pages``, ``_print_summary``), prints when asked, rates and
stops on DONE. It returns every view seen. Used by the scenario tests, `kiosk bench flows`
and soak runs; it only sends intents the UI could send.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.engine import FlowRun
from flows.steps import STEP_TYPES
from flows.views import Intent, StepKind, View

MAX_SCREENS = 120


class Stuck(AssertionError):
    """The run did not move forward."""


def intent_for(view: View, answers: Mapping[str, Any], run: FlowRun) -> Intent:
    """What a resident with these answers does on this screen."""
    step_type = STEP_TYPES.get(view.kind.value)
    if step_type is None:
        raise Stuck(f"no intent for {view.kind}")
    return step_type.answer(view, answers, run)


def drive(run: FlowRun, answers: Mapping[str, Any] | None = None) -> list[View]:
    """Run to DONE; fail when the same screen repeats with an error three times."""
    answers = answers or {}
    seen = [run.view()]
    repeats = 0
    while seen[-1].kind is not StepKind.DONE:
        if len(seen) > MAX_SCREENS:
            raise Stuck("too many screens: " + " > ".join(v.step_id for v in seen[-10:]))
        view = seen[-1]
        nxt = run.send(intent_for(view, answers, run))
        repeats = repeats + 1 if (nxt.step_id == view.step_id and nxt.error) else 0
        if repeats >= 3:
            raise Stuck(f"stuck on {nxt.step_id}: {nxt.error}")
        seen.append(nxt)
    return seen
