"""``report``: 办不成事反映, as a step or as the built-in page reachable from every screen."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.definition import StepDef
from flows.page import REPORT_SENT_PAGE, Page
from flows.ports import PortFailure, ProblemReport
from flows.steps.base import StepType
from flows.strings import REPORT_CATEGORY_KEYS, say
from flows.viewkit import common_actions, make_view
from flows.views import Action, Field, Intent, IntentAction, Option, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun


def categories(run: FlowRun) -> list[str]:
    """Problem categories offered, in the run's language."""
    custom = next((s.categories for s in run.definition.steps.values()
                   if s.type == "report" and s.categories), ())
    if custom:
        return [run.text(c) for c in custom]
    return [say(k, run.locale) for k in REPORT_CATEGORY_KEYS]


def respond(run: FlowRun, intent: Intent) -> None:
    """choose a category, answer the description, report (both at once), send / submit /
    next sends it and shows the report-sent page."""
    state = run.state
    draft = state.report_draft
    if intent.action == IntentAction.CHOOSE:
        draft["category"] = str(intent.value or "")
        return
    if intent.action == IntentAction.ANSWER:
        draft["description"] = str(intent.value or "")[:500]
        return
    if intent.action == IntentAction.REPORT and isinstance(intent.value, Mapping):
        draft["category"] = str(intent.value.get("category", "") or "")
        draft["description"] = str(intent.value.get("description", "") or "")[:500]
    elif intent.action not in (IntentAction.SUBMIT, IntentAction.SEND, IntentAction.NEXT):
        return
    if not draft["category"]:
        run.error = say("error.choose", run.locale)
        return
    description = draft["description"]
    if state.report_context:
        description += say("report.context", run.locale, value=state.report_context)
    sent = run.ports.report_problem(ProblemReport(
        service=run.definition.id, step=state.report_from or run.page.step,
        category=draft["category"], description=description[:600],
        idempotency_key=run.idempotency_key(f"report:{len(run.record.report_ids)}"),
    ))
    if isinstance(sent, PortFailure):
        run.error = sent.message
        return
    run.record.report_ids.append(sent.report_id)
    state.report_result = (sent.report_id, sent.reply_within_days)
    run.page = Page(REPORT_SENT_PAGE)


def handle(run: FlowRun, step: StepDef, intent: Intent) -> None:
    """As a step: the report is about this step, and the run goes on after it is sent."""
    run.state.report_from = step.id
    run.state.report_step = step.id
    respond(run, intent)


def view(run: FlowRun, step: StepDef | None) -> View:
    """The categories and a description field."""
    loc = run.locale
    draft = run.state.report_draft
    options = tuple(Option(c, c, selected=draft["category"] == c) for c in categories(run))
    field = Field(key="description", label=say("report.description", loc),
                  value=draft["description"], required=False, max_length=500)
    title = run.text(step.title) if step and step.title else say("title.report", loc)
    return make_view(run, StepKind.REPORT, title, step, say("speech.report", loc),
                     [Action(IntentAction.SEND, say("send", loc), primary=True),
                      *common_actions(run, report=False)],
                     body=run.text(step.text) if step else "", options=options, field=field,
                     extra={"from_step": run.state.report_from})


def page_view(run: FlowRun) -> View:
    """The built-in report page."""
    return view(run, None)


def answer(view: View, answers: Mapping[str, Any], run: FlowRun) -> Intent:
    """Report in the first category with ``_report`` as the description."""
    return Intent(IntentAction.REPORT, {"category": view.options[0].value,
                             "description": answers.get("_report", "")})


STEP = StepType(StepKind.REPORT, handle=handle, view=view, answer=answer)
