"""``message``: plain information with one way on (errors, notices, benefits)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.definition import StepDef
from flows.steps.base import StepType
from flows.strings import say
from flows.viewkit import common_actions, make_view, step_title
from flows.views import Action, Intent, IntentAction, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun


def handle(run: FlowRun, step: StepDef, intent: Intent) -> None:
    """next / finish go on."""
    if intent.action in (IntentAction.NEXT, IntentAction.FINISH):
        run.advance()


def view(run: FlowRun, step: StepDef) -> View:
    """The message with a 下一步 button and the common actions."""
    title = step_title(run, step, "title.message")
    return make_view(run, StepKind.MESSAGE, title, step, title,
                     [Action(IntentAction.NEXT, say("next", run.locale), primary=True),
                      *common_actions(run)],
                     body=run.text(step.text), outcome=step.outcome)


def answer(view: View, answers: Mapping[str, Any], run: FlowRun) -> Intent:
    """Go on; on the report-sent page finish, and leave an unavailable service."""
    if any(a.name == IntentAction.RESUME for a in view.actions):
        return Intent(IntentAction.FINISH)
    return Intent(IntentAction.FINISH if view.extra.get("unavailable") else IntentAction.NEXT)


STEP = StepType(StepKind.MESSAGE, handle=handle, view=view, answer=answer)
