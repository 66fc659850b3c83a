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
    kind = view.kind
    if kind.value in STEP_TYPES:
        return STEP_TYPES[kind.value].answer(view, answers, run)
    if kind is StepKind.IDENTIFY:
        return Intent("identified")
    if kind is StepKind.CHOOSE:
        if view.multiple and any(o.selected for o in view.options):
            return Intent("next")
        step = run.step()
        key = step.key if step else ""
        if key in answers:
            return Intent("choose", answers[key])
        return Intent("choose", view.options[0].value)
    if kind is StepKind.FORM:
        assert view.field is not None
        if view.field.key in answers:
            return Intent("answer", answers[view.field.key])
        if view.field.options:
            return Intent("answer", view.field.options[0].value)
        return Intent("next")
    if kind is StepKind.CHECK:
        return Intent("confirm")
    if kind is StepKind.CAPTURE:
        return Intent("next") if view.extra.get("captured") else Intent("capture")
    if kind is StepKind.LICENCE:
        return Intent("next")
    if kind is StepKind.SUBMIT:
        return Intent("submit")
    if kind is StepKind.RESULT:
        names = {a.name for a in view.actions if a.enabled}
        if "print" in names and not view.extra.get("printed") and not run.record.receipts_printed:
            return Intent("print")
        return Intent("next")
    if kind is StepKind.RECORDS:
        if view.extra.get("selectable"):
            step = run.step()
            key = step.select if step else ""
            return Intent("choose", answers.get(key, view.options[0].value if view.options
                                                else ""))
        names = {a.name for a in view.actions}
        if "page_next" in names and answers.get("_all_pages"):
            return Intent("page_next")
        if "print" in names and answers.get("_print_summary", True) and not (
            run.record.receipts_printed
        ):
            return Intent("print")
        return Intent("next")
    if kind in (StepKind.PRINT_CERTIFICATE, StepKind.PRINT_RECEIPT):
        return Intent("next") if view.outcome in ("done", "refused") else Intent("print")
    if kind is StepKind.GUIDE:
        return Intent("next")
    if kind is StepKind.RATE:
        return Intent("rate", {"score": answers.get("_score", 5),
                               "reasons": answers.get("_reasons", [])})
    if kind is StepKind.REPORT:
        return Intent("report", {"category": view.options[0].value,
                                 "description": answers.get("_report", "")})
    raise Stuck(f"no intent for {kind}")


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
