"""``print_receipt``: print one of the service's receipts (回执) on the receipt printer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.definition import StepDef
from flows.documents import ReceiptDocument
from flows.expressions import ExpressionError
from flows.fill import fill_receipt
from flows.steps.base import StepType
from flows.strings import say
from flows.viewkit import common_actions, lines_as_fields, make_view, step_title
from flows.views import Action, Intent, IntentAction, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun


def print_receipt(run: FlowRun, name: str, rows: tuple[tuple[str, ...], ...] = ()) -> bool:
    """Fill the receipt ``name`` (with ``rows`` for a list) and print it; False with
    ``run.error`` set when the printer cannot or the template does not fill."""
    usable, reason = run.device_usable("receipt_printer")
    if not usable:
        run.error = reason
        return False
    template = run.definition.receipts[name]
    try:
        document = fill_receipt(run.definition, template, run.names(), run.locale, run.today,
                                rows)
    except ExpressionError:
        run.error = say("error.rule", run.locale)
        return False
    result = run.ports.print_receipt(document)
    run.state.last_receipt = document
    if not result.ok:
        run.error = result.message
        return False
    run.record.receipts_printed += 1
    return True


def preview(run: FlowRun, name: str) -> ReceiptDocument | None:
    """The receipt ``name`` as it would print now (None when it cannot be filled)."""
    template = run.definition.receipts.get(name)
    if template is None:
        return None
    try:
        return fill_receipt(run.definition, template, run.names(), run.locale, run.today)
    except ExpressionError:
        return None


def handle(run: FlowRun, step: StepDef, intent: Intent) -> None:
    """print / retry print it; next / skip / finish go on."""
    if intent.action in (IntentAction.PRINT, IntentAction.RETRY):
        run.state.prints[step.id] = "done" if print_receipt(run, step.receipt) else "failed"
    elif intent.action in (IntentAction.NEXT, IntentAction.SKIP, IntentAction.FINISH):
        run.advance()


def view(run: FlowRun, step: StepDef) -> View:
    """The receipt's lines, print (or again) and skip; next once printed."""
    loc = run.locale
    state = run.state.prints.get(step.id, "")
    usable, reason = run.device_usable("receipt_printer")
    if state == "done":
        actions = [Action(IntentAction.NEXT, say("next", loc), primary=True)]
        speech = say("speech.printed", loc)
    else:
        actions = [Action(IntentAction.PRINT, say("retry" if state == "failed" else "print", loc),
                          primary=True, enabled=usable),
                   Action(IntentAction.SKIP, say("skip", loc))]
        speech = say("speech.print_receipt", loc)
    shown = preview(run, step.receipt)
    title = step_title(run, step, "title.print_receipt")
    return make_view(run, StepKind.PRINT_RECEIPT, title, step, speech,
                     [*actions, *common_actions(run)], body=run.text(step.text),
                     fields=lines_as_fields(shown.lines) if shown else (),
                     error=run.error or ("" if usable or state == "done" else reason),
                     outcome=state, reference=run.record.case_number)


def answer(view: View, answers: Mapping[str, Any], run: FlowRun) -> Intent:
    """Print until printed (or refused), then go on."""
    return Intent(IntentAction.NEXT if view.outcome in ("done", "refused") else IntentAction.PRINT)


STEP = StepType(StepKind.PRINT_RECEIPT, handle=handle, view=view, answer=answer)
