"""``guide``: the service guide (办事指南) as a step, and the same guide as the built-in page
reachable from every screen; both can print it on the receipt printer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.definition import StepDef
from flows.fill import guide_receipt
from flows.steps.base import StepType
from flows.strings import GUIDE_KEYS, say
from flows.viewkit import common_actions, make_view, step_title
from flows.views import Action, Intent, IntentAction, Section, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun


def sections(run: FlowRun) -> tuple[Section, ...]:
    """The service guide as titled sections in the run's language."""
    guide = run.definition.guide
    return tuple(Section(say(f"guide.{k}", run.locale), run.text(guide[k]))
                 for k in GUIDE_KEYS if k in guide)


def print_guide(run: FlowRun) -> None:
    """Print the guide as a receipt (``run.error`` says why not)."""
    usable, reason = run.device_usable("receipt_printer")
    if not usable:
        run.error = reason
        return
    document = guide_receipt(run.definition, run.locale)
    result = run.ports.print_receipt(document)
    run.state.last_receipt = document
    if not result.ok:
        run.error = result.message
    else:
        run.record.receipts_printed += 1


def handle(run: FlowRun, step: StepDef, intent: Intent) -> None:
    """print the guide; next goes on."""
    if intent.action == IntentAction.PRINT:
        print_guide(run)
    elif intent.action == IntentAction.NEXT:
        run.advance()


def handle_page(run: FlowRun, intent: Intent) -> None:
    """On the built-in page: print the guide (back, handled by the run for every page,
    returns to the step it was opened on)."""
    if intent.action == IntentAction.PRINT:
        print_guide(run)


def _print_action(run: FlowRun) -> list[Action]:
    if "receipt_printer" not in run.definition.all_devices:
        return []
    return [Action(IntentAction.PRINT, say("print_guide", run.locale),
                   enabled=run.device_usable("receipt_printer")[0])]


def view(run: FlowRun, step: StepDef) -> View:
    """The guide's sections, next, and print when the service has a receipt printer."""
    loc = run.locale
    actions = [Action(IntentAction.NEXT, say("next", loc), primary=True), *_print_action(run)]
    return make_view(run, StepKind.GUIDE, step_title(run, step, "title.guide"), step,
                     say("speech.guide", loc), [*actions, *common_actions(run, guide=False)],
                     body=run.text(step.text), sections=sections(run))


def page_view(run: FlowRun) -> View:
    """The built-in guide page: one 返回, its primary action, back to the step it was opened
    on (the common actions add no second one)."""
    loc = run.locale
    actions = [Action(IntentAction.BACK, say("back", loc), primary=True), *_print_action(run)]
    return make_view(run, StepKind.GUIDE, say("title.guide", loc), None, say("speech.guide", loc),
                     [*actions, *common_actions(run, back=False, guide=False)],
                     sections=sections(run))


def answer(view: View, answers: Mapping[str, Any], run: FlowRun) -> Intent:
    """Read it and go on (the step), or go back (the page opened from a step)."""
    primary = next((a.name for a in view.actions if a.primary), IntentAction.NEXT)
    return Intent(IntentAction.BACK if primary == IntentAction.BACK else IntentAction.NEXT)


STEP = StepType(StepKind.GUIDE, handle=handle, view=view, answer=answer)
