"""``capture``: photograph a paper material with the document camera (or scanner)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.definition import StepDef
from flows.ports import PortFailure
from flows.steps.base import StepType
from flows.strings import say
from flows.viewkit import common_actions, make_view, step_title
from flows.views import Action, Intent, IntentAction, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun


def enter(run: FlowRun, step: StepDef) -> bool:
    """Skipped when an attached electronic licence already stands for the material."""
    material = step.material
    return material is not None and run.materials().get(material.name) == "licence"


def handle(run: FlowRun, step: StepDef, intent: Intent) -> None:
    """capture / retry photograph the material; next needs it unless optional; skip."""
    assert step.material is not None
    name = step.material.name
    if intent.action in (IntentAction.CAPTURE, IntentAction.RETRY):
        devices = [d for d in ("camera", "scanner") if d in run.definition.all_devices]
        usable = [d for d in devices if run.device_usable(d)[0]]
        if not usable:
            run.error = run.device_usable(devices[0])[1] if devices else say(
                "error.device", run.locale)
            return
        captured = run.ports.capture_document(name)
        if isinstance(captured, PortFailure):
            run.error = captured.message
            return
        run.captures[name] = captured
    elif intent.action == IntentAction.NEXT:
        if name not in run.captures and not step.optional:
            run.error = say("error.capture_needed", run.locale)
            return
        run.advance()
    elif intent.action == IntentAction.SKIP and step.optional:
        run.advance()


def view(run: FlowRun, step: StepDef) -> View:
    """Capture (or again), and next once captured."""
    loc = run.locale
    assert step.material is not None
    name = run.text(step.material.label)
    captured = step.material.name in run.captures
    actions = [Action(IntentAction.CAPTURE, say("retry" if captured else "capture", loc),
                      primary=not captured),
               Action(IntentAction.NEXT, say("next", loc), primary=captured, enabled=captured)]
    if step.optional:
        actions.append(Action(IntentAction.SKIP, say("skip", loc)))
    return make_view(run, StepKind.CAPTURE, step_title(run, step, "title.capture", name=name),
                     step, say("speech.capture", loc, name=name),
                     [*actions, *common_actions(run)], body=run.text(step.text),
                     extra={"material": step.material.name, "captured": captured})


def answer(view: View, answers: Mapping[str, Any], run: FlowRun) -> Intent:
    """Capture, then go on."""
    return Intent(IntentAction.NEXT) if view.extra.get("captured") else Intent(IntentAction.CAPTURE)


STEP = StepType(StepKind.CAPTURE, handle=handle, view=view, answer=answer, enter=enter)
