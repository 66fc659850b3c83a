"""``choose``: pick one (or several) of the step's options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.definition import StepDef
from flows.steps.base import StepType
from flows.strings import say
from flows.viewkit import common_actions, make_view, step_title
from flows.views import Action, Intent, IntentAction, Option, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun


def handle(run: FlowRun, step: StepDef, intent: Intent) -> None:
    """choose records the option (and goes on for a single choice); next needs a choice."""
    allowed = {o.value for o in run.visible_options(step.options)}
    if intent.action == IntentAction.CHOOSE:
        if step.multiple:
            values = intent.value if isinstance(intent.value, (list, tuple)) else [intent.value]
            run.answers[step.key] = [str(v) for v in values if str(v) in allowed]
            return
        if str(intent.value) not in allowed:
            run.error = say("error.choose", run.locale)
            return
        run.answers[step.key] = str(intent.value)
        run.advance()
    elif intent.action == IntentAction.NEXT:
        if not run.answers.get(step.key):
            run.error = say("error.choose", run.locale)
            return
        run.advance()


def view(run: FlowRun, step: StepDef) -> View:
    """The visible options, the chosen ones selected."""
    chosen = run.answers.get(step.key)
    chosen_set = set(chosen) if isinstance(chosen, list) else {chosen}
    options = tuple(Option(o.value, run.text(o.label), run.text(o.detail),
                           selected=o.value in chosen_set)
                    for o in run.visible_options(step.options))
    actions = ([Action(IntentAction.NEXT, say("next", run.locale), primary=True)]
               if step.multiple else [])
    title = step_title(run, step, "title.choose")
    return make_view(run, StepKind.CHOOSE, title, step, title, [*actions, *common_actions(run)],
                     body=run.text(step.text), options=options, multiple=step.multiple)


def answer(view: View, answers: Mapping[str, Any], run: FlowRun) -> Intent:
    """The answer for the step's key, else the first option; next once a multiple is chosen."""
    if view.multiple and any(o.selected for o in view.options):
        return Intent(IntentAction.NEXT)
    step = run.step()
    key = step.key if step else ""
    if key in answers:
        return Intent(IntentAction.CHOOSE, answers[key])
    return Intent(IntentAction.CHOOSE, view.options[0].value)


STEP = StepType(StepKind.CHOOSE, handle=handle, view=view, answer=answer)
