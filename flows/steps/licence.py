"""``licence``: attach the resident's electronic licences instead of paper (免提交)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.definition import StepDef
from flows.ports import Licence, PortFailure
from flows.steps.base import StepType
from flows.strings import say
from flows.viewkit import common_actions, make_view, step_title
from flows.views import Action, Intent, IntentAction, Option, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun


def offered(run: FlowRun, step: StepDef) -> tuple[Licence, ...]:
    """The resident's licences that can replace a material of ``step``."""
    licences = run.state.licences
    if licences is None:
        return ()
    wanted = {t for m in step.materials for t in m.licence_types}
    return tuple(lic for lic in licences if lic.type in wanted)


def enter(run: FlowRun, step: StepDef) -> bool:
    """Ask for the licences once (all offered ones attached); skipped when none fit."""
    if run.state.licences is None:
        found = run.ports.licences()
        run.state.licences = () if isinstance(found, PortFailure) else tuple(found)
        run.state.attached = [lic.licence_id for lic in offered(run, step)]
    return not offered(run, step)


def handle(run: FlowRun, step: StepDef, intent: Intent) -> None:
    """choose sets the attached licences (among those offered); next goes on."""
    ids = {lic.licence_id for lic in offered(run, step)}
    if intent.action == IntentAction.CHOOSE:
        values = intent.value if isinstance(intent.value, (list, tuple)) else [intent.value]
        run.state.attached = [str(v) for v in values if str(v) in ids]
    elif intent.action == IntentAction.NEXT:
        run.advance()


def scan(run: FlowRun, step: StepDef, kind: str, text: str) -> bool:
    """扫码亮证: a scanned licence code attaches that licence when it is one offered."""
    if kind not in ("e_licence", "licence"):
        return False
    if text in {lic.licence_id for lic in offered(run, step)}:
        if text not in run.state.attached:
            run.state.attached.append(text)
    else:
        run.error = say("error.scan_unknown", run.locale)
    return True


def view(run: FlowRun, step: StepDef) -> View:
    """The licences offered, the attached ones selected."""
    loc = run.locale
    options = tuple(Option(lic.licence_id, lic.title, f"{lic.issuer} · {say('exempt', loc)}",
                           selected=lic.licence_id in run.state.attached)
                    for lic in offered(run, step))
    return make_view(run, StepKind.LICENCE, step_title(run, step, "title.licence"), step,
                     say("speech.licence", loc),
                     [Action(IntentAction.NEXT, say("next", loc), primary=True),
                      *common_actions(run)],
                     body=run.text(step.text), options=options, multiple=True)


def answer(view: View, answers: Mapping[str, Any], run: FlowRun) -> Intent:
    """Keep what is attached and go on."""
    return Intent(IntentAction.NEXT)


STEP = StepType(StepKind.LICENCE, handle=handle, view=view, answer=answer, enter=enter,
                scan=scan)
