"""``print_certificate``: have the platform issue a certificate (or give back one issued before,
证明补打) and print it once on the document printer."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.definition import StepDef
from flows.documents import CertificateAdditions, CertificateDocument
from flows.expressions import ExpressionError
from flows.fill import certificate_additions, compose_certificate
from flows.ports import PortFailure
from flows.steps.base import StepType
from flows.strings import say
from flows.viewkit import common_actions, lines_as_fields, make_view, step_title
from flows.views import Action, Field, Intent, IntentAction, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun


def handle(run: FlowRun, step: StepDef, intent: Intent) -> None:
    """print / retry (once printed or refused, no second copy); next needs it printed; skip."""
    printed = run.state.prints.get(step.id) in ("done", "refused")
    if intent.action in (IntentAction.PRINT, IntentAction.RETRY):
        if printed:
            return  # printed once already (no second copy), or the platform said no
        _print(run, step)
    elif intent.action in (IntentAction.NEXT, IntentAction.FINISH):
        if not printed and intent.action == IntentAction.NEXT:
            run.error = say("error.print_first", run.locale)
            return
        run.advance()
    elif intent.action == IntentAction.SKIP:
        run.advance()


def _print(run: FlowRun, step: StepDef) -> None:
    state = run.state
    if not printer_ready(run, step):
        return
    document = state.documents.get(step.id)
    if document is None:
        document = _issue(run, step)
        if document is None:
            return
        state.documents[step.id] = document
    print_document(run, step, document, reissue=step.reissue is not None)


def printer_ready(run: FlowRun, step: StepDef) -> bool:
    """Whether the document printer can print now; when not, the print is marked failed and
    ``error`` says why."""
    usable, reason = run.device_usable("document_printer")
    if not usable:
        run.state.prints[step.id] = "failed"
        run.error = reason
    return usable


def print_document(run: FlowRun, step: StepDef, document: CertificateDocument,
                   reissue: bool = False) -> None:
    """Print ``document`` once for ``step``: on success record its serial and forget the way
    back (never back across a print); on failure set ``error`` and mark the print failed.
    ``reissue``: 证明补打, the resident asked for this serial again."""
    state = run.state
    if reissue:
        result = run.ports.print_certificate(document, reissue=True)
    else:
        result = run.ports.print_certificate(document)
    if not result.ok:
        state.prints[step.id] = "failed"
        run.error = result.message
        return
    state.prints[step.id] = "done"
    if document.serial not in run.record.serials:
        run.record.serials.append(document.serial)
    run.history.clear()  # never back across a print


def _issue(run: FlowRun, step: StepDef) -> CertificateDocument | None:
    """Get the certificate from the platform (issued anew, or the stored one for a
    ``reissue``) and compose the document; None with ``error`` set when that fails."""
    state = run.state
    names = run.names()
    additions = CertificateAdditions()
    try:
        if step.reissue is not None:
            serial = str(step.reissue.evaluate(names, run.today) or "")
            answer = run.ports.reissue_certificate(serial)
        else:
            template = run.definition.certificates[step.certificate]
            case_number = ""
            if template.case_number is not None:
                with contextlib.suppress(ExpressionError):
                    case_number = str(template.case_number.evaluate(names, run.today) or "")
            additions = certificate_additions(run.definition, template, names, run.locale,
                                              run.today)
            answer = run.ports.issue_certificate(
                template.kind, run.idempotency_key(f"certificate:{step.id}"), case_number,
                additions)
    except ExpressionError:
        state.prints[step.id] = "failed"
        run.error = say("error.rule", run.locale)
        return None
    if isinstance(answer, PortFailure):
        # not retryable: the platform will not issue it here (e.g. 403 not_eligible, or a
        # serial that is not the resident's)
        state.prints[step.id] = "failed" if answer.retryable else "refused"
        run.error = answer.message
        return None
    state.issued[step.id] = answer
    state.data[step.id] = {"serial": answer.serial, "title": answer.title,
                           "issue_date": answer.issue_date.isoformat()}
    if step.reissue is not None:
        additions = answer.additions  # exactly what was printed the first time
    return compose_certificate(answer, additions, run.resident())


def reissue_title(run: FlowRun, step: StepDef) -> str:
    """For a ``reissue`` step: the title of the chosen certificate in the last records
    list ("" when unknown)."""
    if step.reissue is None:
        return ""
    try:
        serial = str(step.reissue.evaluate(run.names(), run.today) or "")
    except ExpressionError:
        return ""
    items = (run.data.get("_records") or {}).get("items") or ()
    return next((str(i.get("title", "")) for i in items if i.get("serial") == serial), "")


def view(run: FlowRun, step: StepDef) -> View:
    """Print (or again); after printing its serial and lines; a refusal in words."""
    loc = run.locale
    template = run.definition.certificates.get(step.certificate)
    issued = run.state.issued.get(step.id)
    document = run.state.documents.get(step.id)
    name = ((document.title if document else "") or (run.text(template.title) if template else "")
            or (issued.title if issued else "") or reissue_title(run, step)
            or run.text(run.definition.title))
    state = run.state.prints.get(step.id, "")
    usable, reason = run.device_usable("document_printer")
    if state == "done":
        actions = [Action(IntentAction.NEXT, say("next", loc), primary=True)]
        body, speech = say("print.done", loc), say("speech.printed", loc)
    elif state == "refused":
        actions = [Action(IntentAction.NEXT, say("next", loc), primary=True)]
        body, speech = say("print.refused", loc, value=name), say("speech.print_refused", loc)
    else:
        label = say("retry" if state == "failed" else "print", loc)
        actions = [Action("retry" if state == "failed" else "print", label, primary=True,
                          enabled=usable)]
        body = say("print.ready", loc, value=name)
        speech = say("speech.print_failed" if state == "failed" else "speech.print_certificate",
                     loc)
    fields: tuple[Field, ...] = ()
    if issued is not None:
        body += "\n" + say("print.serial", loc, value=issued.serial)
        if document is not None:
            fields = lines_as_fields(document.fields)
    title = step_title(run, step, "title.print_certificate")
    return make_view(run, StepKind.PRINT_CERTIFICATE, title, step, speech,
                     [*actions, *common_actions(run)], body=body, fields=fields,
                     error=run.error or ("" if usable or state == "done" else reason),
                     outcome=state, reference=issued.serial if issued else "")


def answer(view: View, answers: Mapping[str, Any], run: FlowRun) -> Intent:
    """Print until printed (or refused), then go on."""
    return Intent(IntentAction.NEXT if view.outcome in ("done", "refused") else IntentAction.PRINT)


STEP = StepType(StepKind.PRINT_CERTIFICATE, handle=handle, view=view, answer=answer)
