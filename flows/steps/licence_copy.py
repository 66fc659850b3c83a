"""``licence_copy``: print an A4 copy of an electronic licence the resident (or their
enterprise) holds, for a stated purpose (电子证照打印).

One step does it all, for any kind of the platform's licence directory: the licences held of
``licence_kind`` (every kind when empty) are listed; a single one is chosen at once; its preview
is shown with the purposes (the step's ``options``); 打印 asks the platform for a copy (serial,
content in the kind's layout, the usage line "此件仅供办理政务服务事项时使用" with purpose and
validity) and prints it once. The catalogue turns every directory kind into an item over this
step (flows/licence_items.py), so no kind needs a hand-written flow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.definition import StepDef
from flows.documents import CertificateAdditions
from flows.fill import compose_certificate
from flows.ports import HeldLicence, PortFailure
from flows.steps.base import StepType
from flows.steps.print_certificate import print_document, printer_ready
from flows.strings import say
from flows.viewkit import common_actions, lines_as_fields, make_view, step_title
from flows.views import Action, Intent, IntentAction, Option, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun


def _load(run: FlowRun, step: StepDef) -> None:
    state = run.state
    found = run.ports.licence_holdings(step.licence_kind)
    if isinstance(found, PortFailure):
        state.holdings = None
        run.error = found.message
        return
    state.holdings = tuple(found)
    if len(state.holdings) == 1:
        state.holding = state.holdings[0].licence_id


def enter(run: FlowRun, step: StepDef) -> bool:
    """Ask the platform once which licences of the kind the resident holds."""
    if run.state.holdings is None:
        _load(run, step)
    return False


def chosen(run: FlowRun) -> HeldLicence | None:
    """The licence chosen for printing, if any."""
    return next((h for h in run.state.holdings or () if h.licence_id == run.state.holding), None)


def handle(run: FlowRun, step: StepDef, intent: Intent) -> None:
    """retry (load again), choose (a licence, then a purpose), choose_other, print, next."""
    state = run.state
    done = state.prints.get(step.id) in ("done", "refused")
    if intent.action == IntentAction.RETRY and state.holdings is None:
        _load(run, step)
    elif intent.action == IntentAction.CHOOSE and not done:
        value = str(intent.value or "")
        if chosen(run) is None:
            if any(h.licence_id == value for h in state.holdings or ()):
                state.holding = value
        elif value in {o.value for o in step.options}:
            state.purpose = value
    elif intent.action == "choose_other" and not done:
        state.holding, state.purpose = "", ""
        state.prints.pop(step.id, None)
    elif intent.action in (IntentAction.PRINT, IntentAction.RETRY) and not done:
        _print(run, step)
    elif intent.action in (IntentAction.NEXT, IntentAction.FINISH):
        run.advance()


def _print(run: FlowRun, step: StepDef) -> None:
    state = run.state
    licence = chosen(run)
    if licence is None:
        return
    if not state.purpose:
        run.error = say("speech.licence_copy", run.locale)
        return
    if not printer_ready(run, step):
        return
    document = state.documents.get(step.id)
    if document is None:
        key = run.idempotency_key(f"licence:{step.id}:{licence.licence_id}:{state.purpose}")
        issued = run.ports.licence_copy(licence.licence_id, state.purpose, key)
        if isinstance(issued, PortFailure):
            state.prints[step.id] = "failed" if issued.retryable else "refused"
            run.error = issued.message
            return
        state.issued[step.id] = issued
        state.data[step.id] = {"serial": issued.serial, "title": issued.title,
                               "issue_date": issued.issue_date.isoformat()}
        document = compose_certificate(issued, CertificateAdditions(), run.resident())
        state.documents[step.id] = document
    print_document(run, step, document)


def view(run: FlowRun, step: StepDef) -> View:
    """The held licences; or one licence's preview with purposes and 打印; or the outcome."""
    loc, state = run.locale, run.state
    title = step_title(run, step, "title.licence_copy")
    common = common_actions(run)
    if state.holdings is None:  # the platform could not be asked
        return make_view(run, StepKind.LICENCE_COPY, title, step, run.error,
                         [Action(IntentAction.RETRY, say("retry", loc), primary=True), *common])
    if not state.holdings:
        return make_view(run, StepKind.LICENCE_COPY, title, step, say("licence_copy.none", loc),
                         [Action(IntentAction.NEXT, say("finish", loc), primary=True), *common],
                         body=say("licence_copy.none", loc))
    licence = chosen(run)
    if licence is None:
        options = tuple(Option(h.licence_id, h.title, say("licence_copy.held", loc,
                                                          issuer=h.issuer, valid_to=h.valid_to))
                        for h in state.holdings)
        return make_view(run, StepKind.LICENCE_COPY, title, step, say("licence_copy.choose", loc),
                         common, body=say("licence_copy.choose", loc), options=options)
    outcome = state.prints.get(step.id, "")
    issued = state.issued.get(step.id)
    if outcome in ("done", "refused"):
        body = say("print.done", loc) if outcome == "done" else say(
            "print.refused", loc, value=licence.title)
        if issued is not None:
            body += "\n" + say("print.serial", loc, value=issued.serial)
        return make_view(run, StepKind.LICENCE_COPY, title, step,
                         say("speech.printed" if outcome == "done" else "speech.print_refused",
                             loc),
                         [Action(IntentAction.NEXT, say("next", loc), primary=True)], body=body,
                         outcome=outcome, reference=issued.serial if issued else "")
    usable, reason = run.device_usable("document_printer")
    options = tuple(Option(o.value, run.text(o.label), selected=o.value == state.purpose)
                    for o in run.visible_options(step.options))
    actions = [Action("print" if outcome != "failed" else "retry",
                      say("print" if outcome != "failed" else "retry", loc), primary=True,
                      enabled=usable and bool(state.purpose))]
    if len(state.holdings) > 1:
        actions.append(Action("choose_other", say("choose_other", loc)))
    return make_view(run, StepKind.LICENCE_COPY, title, step, say("speech.licence_copy", loc),
                     [*actions, *common], body=say("licence_copy.preview", loc,
                                                   value=licence.title),
                     fields=lines_as_fields(licence.preview), options=options,
                     error=run.error or ("" if usable else reason), outcome=outcome,
                     reference=issued.serial if issued else "")


def answer(view: View, answers: Mapping[str, Any], run: FlowRun) -> Intent:
    """A headless resident: the first licence, the purpose given (or the first), print, go on."""
    if view.outcome in ("done", "refused") or (not view.options and not view.fields):
        can_go_on = any(a.name == IntentAction.NEXT for a in view.actions)
        return Intent(IntentAction.NEXT if can_go_on else IntentAction.CANCEL)
    if not view.fields:  # the list of held licences
        return Intent(IntentAction.CHOOSE, view.options[0].value)
    if not any(o.selected for o in view.options):
        wanted = str(answers.get("purpose", view.options[0].value))
        return Intent(IntentAction.CHOOSE, wanted)
    return Intent(IntentAction.PRINT)


STEP = StepType(StepKind.LICENCE_COPY, handle=handle, view=view, answer=answer, enter=enter)
