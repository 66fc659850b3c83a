"""``submit``: send the application (or book the appointment) once, with an idempotency key."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.definition import StepDef
from flows.expressions import ExpressionError
from flows.ports import ApplicationRequest, Attachment, PortFailure
from flows.steps.base import StepType
from flows.strings import say
from flows.viewkit import common_actions, make_view, step_title
from flows.views import Action, Intent, IntentAction, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun


def step_answers(run: FlowRun, step: StepDef) -> dict[str, str]:
    """The submit step's templated extra answers (a failing one is left out)."""
    names = run.names()
    out: dict[str, str] = {}
    for key, template in step.answers.items():
        with contextlib.suppress(ExpressionError):
            out[key] = template.render(names, run.today)
    return out


def handle(run: FlowRun, step: StepDef, intent: Intent) -> None:
    """submit / next / retry send it (a second tap after success just goes on)."""
    if intent.action not in (IntentAction.SUBMIT, IntentAction.NEXT, IntentAction.RETRY):
        return
    state, record = run.state, run.record
    if state.submitted is not None:  # already submitted (a double tap): just move on
        run.advance()
        return
    service = step.service or run.definition.service_code
    key = run.idempotency_key(f"submit:{step.id}")
    if step.target == "appointment":
        extra = step_answers(run, step)
        day = str(extra.get("date") or run.answers.get("date", "") or "")
        service = str(extra.get("service") or service)  # e.g. the business chosen
        booked = run.ports.book_appointment(service, key, day)
        if isinstance(booked, PortFailure):
            run.error = booked.message
            return
        state.submitted = booked
        record.ticket = booked.ticket
        record.outcome = "accepted"
        state.data[step.id] = {"ticket": booked.ticket, "window": booked.window,
                               "waiting": booked.waiting}
    else:
        answers = {**run.answers, **step_answers(run, step)}
        request = ApplicationRequest(
            service=service, answers=answers, licences=tuple(state.attached),
            attachments=tuple(Attachment(c.name, c.content_type, c.sha256, c.data)
                              for c in state.captures.values()),
            idempotency_key=key,
        )
        outcome = run.ports.submit_application(request)
        if isinstance(outcome, PortFailure):
            run.error = outcome.message
            return
        state.submitted = outcome
        record.case_number = outcome.case_number
        record.outcome = outcome.status.value
        state.data[step.id] = {"case_number": outcome.case_number,
                               "status": outcome.status.value, "reason": outcome.reason,
                               "next_step": outcome.next_step,
                               "time_limit_days": outcome.time_limit_days}
    run.advance()
    run.history.clear()  # never back across a submission


def view(run: FlowRun, step: StepDef) -> View:
    """Submit, or retry after a failure."""
    loc = run.locale
    label = say("retry" if run.error else "submit", loc)
    return make_view(run, StepKind.SUBMIT, step_title(run, step, "title.submit"), step,
                     say("speech.submit", loc),
                     [Action("retry" if run.error else "submit", label, primary=True),
                      *common_actions(run)],
                     body=run.text(step.text))


def answer(view: View, answers: Mapping[str, Any], run: FlowRun) -> Intent:
    """Submit."""
    return Intent(IntentAction.SUBMIT)


STEP = StepType(StepKind.SUBMIT, handle=handle, view=view, answer=answer)
