"""``result``: the outcome of the submission (accepted, approved, refused, or a ticket)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.definition import StepDef
from flows.ports import ApplicationOutcome, ApplicationStatus, Appointment
from flows.steps.base import StepType
from flows.steps.print_receipt import print_receipt
from flows.strings import say
from flows.viewkit import common_actions, make_view, step_title, window_name
from flows.views import Action, Intent, IntentAction, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun


def handle(run: FlowRun, step: StepDef, intent: Intent) -> None:
    """print the step's receipt; next / finish go on."""
    if intent.action == IntentAction.PRINT and step.receipt:
        run.state.prints[step.id] = "done" if print_receipt(run, step.receipt) else "failed"
    elif intent.action in (IntentAction.NEXT, IntentAction.FINISH):
        run.advance()


def view(run: FlowRun, step: StepDef) -> View:
    """The outcome in words, its reference, and the receipt to print."""
    loc = run.locale
    submitted = run.state.submitted
    lines: list[str] = []
    outcome, reference, title = "", "", step_title(run, step, "title.result")
    if isinstance(submitted, ApplicationOutcome):
        outcome = submitted.status.value
        reference = submitted.case_number
        title = say(f"result.{outcome}", loc)
        lines.append(say("result.case_number", loc, value=submitted.case_number))
        if submitted.status is ApplicationStatus.ACCEPTED and submitted.time_limit_days:
            lines.append(say("result.time_limit", loc, value=submitted.time_limit_days))
        if submitted.reason:
            lines.append(say("result.reason", loc, value=submitted.reason))
        if submitted.next_step:
            lines.append(say("result.next_step", loc, value=submitted.next_step))
    elif isinstance(submitted, Appointment):
        outcome, reference, title = "accepted", submitted.ticket, say("result.ticket", loc)
        lines.append(say("result.ticket_number", loc, value=submitted.ticket))
        lines.append(say("result.window", loc, window=window_name(submitted.window, loc),
                         waiting=submitted.waiting))
    else:
        lines.append(say("error.no_outcome", loc))
    if step.text:
        lines.append(run.text(step.text))
    actions = []
    if step.receipt and outcome != "refused":
        usable, _ = run.device_usable("receipt_printer")
        actions.append(Action(IntentAction.PRINT, say("print_receipt", loc), enabled=usable))
    actions.append(Action(IntentAction.NEXT, say("next", loc), primary=True))
    return make_view(run, StepKind.RESULT, title, step, title, [*actions, *common_actions(run)],
                     body="\n".join(lines), outcome=outcome, reference=reference,
                     extra={"printed": run.state.prints.get(step.id, "") == "done"})


def answer(view: View, answers: Mapping[str, Any], run: FlowRun) -> Intent:
    """Print the receipt once when it can, then go on."""
    names = {a.name for a in view.actions if a.enabled}
    if "print" in names and not view.extra.get("printed") and not run.record.receipts_printed:
        return Intent(IntentAction.PRINT)
    return Intent(IntentAction.NEXT)


STEP = StepType(StepKind.RESULT, handle=handle, view=view, answer=answer)
