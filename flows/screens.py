"""Building the `View` for a run's current page (what the UI shows and says).

A step's view comes from its kind (flows/steps/<kind>.py); the built-in pages (guide, report,
report sent, rating, done, unavailable) are built here or by the kind they belong to. Views read
the run only through its public methods and its `state`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flows.page import (
    DONE_PAGE,
    GUIDE_PAGE,
    RATE_PAGE,
    REPORT_PAGE,
    REPORT_SENT_PAGE,
    UNAVAILABLE_PAGE,
)
from flows.steps import STEP_TYPES, guide, rate, report
from flows.strings import say
from flows.viewkit import make_view
from flows.views import Action, IntentAction, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun


def build_view(run: FlowRun) -> View:
    """The screen for ``run``'s current page."""
    page = run.page.step
    builder = _BUILT_IN.get(page)
    if builder is not None:
        return builder(run)
    step = run.step()
    assert step is not None, f"no step {page!r}"
    return STEP_TYPES[step.type].view(run, step)


def _report_sent_page(run: FlowRun) -> View:
    loc = run.locale
    report_id, days = run.state.report_result
    body = say("report.sent", loc, value=days) + "\n" + say("report.reference", loc,
                                                          value=report_id)
    return make_view(run, StepKind.MESSAGE, say("title.report_sent", loc), None,
                     body.split("\n")[0],
                     [Action(IntentAction.RESUME, say("resume", loc), primary=True),
                      Action(IntentAction.FINISH, say("finish", loc))],
                     body=body, reference=report_id)


def _done_page(run: FlowRun) -> View:
    loc = run.locale
    record = run.record
    return View(step_id=run.page.step, kind=StepKind.DONE, title=say("title.done", loc),
                service_title=run.text(run.definition.title), speech=say("speech.done", loc),
                outcome=record.outcome, reference=record.case_number or record.ticket,
                extra={"service": run.definition.id, "serials": list(record.serials),
                       "rating_id": record.rating_id})


def _unavailable_page(run: FlowRun) -> View:
    loc = run.locale
    return make_view(run, StepKind.MESSAGE, say("title.unavailable", loc), None,
                     say("speech.unavailable", loc),
                     [Action(IntentAction.FINISH, say("finish", loc), primary=True),
                      Action(IntentAction.GUIDE, say("guide", loc)),
                      Action(IntentAction.REPORT, say("report", loc))],
                     body=run.error, extra={"unavailable": True})


_BUILT_IN: dict[str, Callable[[FlowRun], View]] = {
    GUIDE_PAGE: guide.page_view, REPORT_PAGE: report.page_view,
    REPORT_SENT_PAGE: _report_sent_page, RATE_PAGE: rate.page_view,
    DONE_PAGE: _done_page, UNAVAILABLE_PAGE: _unavailable_page,
}
