"""``identify``: ask for an ID card, social security card, QR code or face."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.definition import StepDef
from flows.steps.base import StepType
from flows.steps.form import load_prefill
from flows.strings import say
from flows.viewkit import common_actions, make_view, step_title
from flows.views import Action, Intent, IntentAction, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun


def enter(run: FlowRun, step: StepDef) -> bool:
    """Skipped when the session already knows the resident (and then pre-fills)."""
    if run.resident() is not None:
        load_prefill(run)
        return True
    return False


def handle(run: FlowRun, step: StepDef, intent: Intent) -> None:
    """identified / next go on once the session knows the resident."""
    if intent.action in (IntentAction.IDENTIFIED, IntentAction.NEXT):
        if run.resident() is None:
            run.error = say("error.not_identified", run.locale)
            return
        load_prefill(run)
        run.advance()


def view(run: FlowRun, step: StepDef) -> View:
    """The ways to identify."""
    loc = run.locale
    return make_view(run, StepKind.IDENTIFY, step_title(run, step, "title.identify"), step,
                     say("speech.identify", loc),
                     [Action(IntentAction.IDENTIFIED, say("identified", loc), primary=True),
                      *common_actions(run)],
                     body=run.text(step.text),
                     extra={"methods": ["idcard", "sscard", "qrcode", "face"]})


def answer(view: View, answers: Mapping[str, Any], run: FlowRun) -> Intent:
    """The headless resident is identified by its ports."""
    return Intent(IntentAction.IDENTIFIED)


STEP = StepType(StepKind.IDENTIFY, handle=handle, view=view, answer=answer, enter=enter)
