"""``check``: check your answers and materials; each editable answer may be changed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.definition import StepDef
from flows.page import Page
from flows.steps.base import StepType
from flows.strings import say
from flows.viewkit import common_actions, field_view, make_view, step_title
from flows.views import Action, Intent, IntentAction, Section, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun


def handle(run: FlowRun, step: StepDef, intent: Intent) -> None:
    """edit opens the question of an editable answer (it returns here); confirm goes on."""
    if intent.action == IntentAction.EDIT:
        for sid in run.definition.order:
            for i, f in enumerate(run.definition.steps[sid].fields):
                if f.key == intent.value and f.editable:
                    run.state.editing = True
                    run.push(Page(sid, i))
                    return
    elif intent.action in (IntentAction.NEXT, IntentAction.CONFIRM):
        run.advance()


def view(run: FlowRun, step: StepDef) -> View:
    """Every answer given and every material's state (licence, captured, missing)."""
    loc = run.locale
    fields = []
    for sid in run.definition.order:
        for f in run.definition.steps[sid].fields:
            if f.key in run.answers:
                fields.append(field_view(run, f))
    materials = run.names()["materials"]
    sections = []
    for sid in run.definition.order:
        s = run.definition.steps[sid]
        for m in (*s.materials, *((s.material,) if s.material else ())):
            state = materials.get(m.name, "")
            text = {"licence": say("exempt", loc), "captured": say("captured", loc)}.get(
                state, say("no_licence", loc))
            sections.append(Section(run.text(m.label), text))
    editable = {f.key for s in run.definition.steps.values() for f in s.fields if f.editable}
    return make_view(run, StepKind.CHECK, step_title(run, step, "title.check"), step,
                     say("speech.check", loc),
                     [Action(IntentAction.CONFIRM, say("confirm", loc), primary=True),
                      *common_actions(run)],
                     body=run.text(step.text), fields=tuple(fields), sections=tuple(sections),
                     extra={"editable": sorted(editable)})


def answer(view: View, answers: Mapping[str, Any], run: FlowRun) -> Intent:
    """Confirm."""
    return Intent(IntentAction.CONFIRM)


STEP = StepType(StepKind.CHECK, handle=handle, view=view, answer=answer)
