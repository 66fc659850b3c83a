"""``rate``: 好差评, as a step or as the built-in page every way out passes through."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.definition import StepDef
from flows.ports import PortFailure, Rating
from flows.steps.base import StepType
from flows.strings import RATING_REASON_KEYS, say
from flows.viewkit import make_view
from flows.views import Action, Field, FieldKind, Intent, IntentAction, Option, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun

SCORES = (5, 4, 3, 2, 1)
LOW_SCORES = (1, 2)  # 不满意 / 非常不满意 need a reason


def reasons_offered(run: FlowRun) -> list[str]:
    """Reasons offered for a low score, in the run's language."""
    step_reasons = next((s.reasons for s in run.definition.steps.values()
                         if s.type == "rate" and s.reasons), ())
    custom = step_reasons or run.definition.rating_reasons
    if custom:
        return [run.text(r) for r in custom]
    return [say(k, run.locale) for k in RATING_REASON_KEYS]


def respond(run: FlowRun, intent: Intent) -> None:
    """choose a score; rate sends it (a low score needs a reason); skip leaves unrated."""
    state = run.state
    if intent.action == IntentAction.SKIP:
        state.rated = True
        run.finish()
        return
    if intent.action == IntentAction.CHOOSE:
        try:
            state.rate_draft["score"] = int(intent.value)
        except (TypeError, ValueError):
            run.error = say("error.bad_score", run.locale)
        return
    if intent.action != IntentAction.RATE:
        return
    value = intent.value if isinstance(intent.value, Mapping) else {"score": intent.value}
    try:
        score = int(value.get("score", 0))
    except (TypeError, ValueError):
        score = 0
    reasons = value.get("reasons") or []
    if isinstance(reasons, str):
        reasons = [reasons]
    reasons = [str(r) for r in reasons if str(r).strip()]
    state.rate_draft = {"score": score, "reasons": reasons}
    if score not in SCORES:
        run.error = say("error.bad_score", run.locale)
        return
    if score in LOW_SCORES and not reasons:
        run.error = say("error.need_reason", run.locale)
        return
    receipt = run.ports.rate(Rating(
        service=run.definition.id, score=score, reasons=tuple(reasons),
        comment=str(value.get("comment", "") or "")[:500],
        case_number=run.record.case_number, idempotency_key=run.idempotency_key("rating"),
    ))
    if isinstance(receipt, PortFailure):
        run.error = receipt.message
        return
    run.record.rating_id = receipt.rating_id
    run.record.score = score
    state.rated = True
    run.finish()


def handle(run: FlowRun, step: StepDef, intent: Intent) -> None:
    """As a step: the same as the built-in page."""
    respond(run, intent)


def view(run: FlowRun, step: StepDef | None) -> View:
    """The five scores and the reasons (required for the two low ones)."""
    loc = run.locale
    draft = run.state.rate_draft
    options = tuple(Option(str(s), say(f"rate.score.{s}", loc), selected=draft["score"] == s)
                    for s in SCORES)
    reasons = tuple(Option(r, r, selected=r in draft["reasons"]) for r in reasons_offered(run))
    field = Field(key="reasons", label=say("rate.reasons", loc), kind=FieldKind.CHOICE,
                  required=False, options=reasons)
    return make_view(run, StepKind.RATE, say("title.rate", loc), step, say("speech.rate", loc),
                     [Action(IntentAction.RATE, say("rate_submit", loc), primary=True),
                      Action(IntentAction.SKIP, say("skip", loc)),
                      Action(IntentAction.REPORT, say("report", loc))],
                     options=options, field=field, reference=run.record.case_number,
                     extra={"reasons_required_for": list(LOW_SCORES)})


def page_view(run: FlowRun) -> View:
    """The built-in rating page."""
    return view(run, None)


def answer(view: View, answers: Mapping[str, Any], run: FlowRun) -> Intent:
    """``_score`` (5 unless told) with ``_reasons``."""
    return Intent(IntentAction.RATE, {"score": answers.get("_score", 5),
                           "reasons": answers.get("_reasons", [])})


STEP = StepType(StepKind.RATE, handle=handle, view=view, answer=answer)
