"""``form``: one question per page, pre-filled from what the platform already knows (智能预填)."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.definition import FieldDef, StepDef
from flows.expressions import ExpressionError, is_date, is_id_number, is_phone
from flows.ports import PortFailure
from flows.steps.base import StepType, truthy
from flows.strings import say
from flows.viewkit import common_actions, field_view, make_view
from flows.views import Action, Intent, IntentAction, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun


def load_prefill(run: FlowRun) -> None:
    """Once the resident is known: fill answers from the platform's prefill, the profile and
    the identity (a value that fails its field's checks is not used), else the defaults."""
    state = run.state
    if state.prefill_loaded or run.resident() is None:
        return
    state.prefill_loaded = True
    if not any(s.type == "form" for s in run.definition.steps.values()):
        return
    profile = run.ports.profile()
    state.profile = {} if isinstance(profile, PortFailure) else dict(profile)
    prefill = run.ports.prefill(run.definition.service_code)
    state.prefill = {} if isinstance(prefill, PortFailure) else dict(prefill)
    identity = run.names()["identity"]
    names = None
    for step in run.definition.steps.values():
        for f in step.fields:
            value = None
            for source in (state.prefill, state.profile, identity):
                candidate = source.get(f.prefill)
                if candidate not in (None, ""):
                    value = str(candidate)
                    break
            if value is not None and valid(run, f, value) == "":
                state.answers[f.key] = value
                state.prefilled.add(f.key)
            elif f.default is not None and f.key not in state.answers:
                names = names or run.names()
                with contextlib.suppress(ExpressionError):
                    state.answers[f.key] = f.default.render(names, run.today)


def valid(run: FlowRun, f: FieldDef, text: str) -> str:
    """"" when ``text`` is an acceptable answer for ``f``, else the message."""
    label = run.text(f.label)
    if not text:
        return say("error.required", run.locale, label=label) if f.required else ""
    if len(text) > f.max_length:
        return say("error.too_long", run.locale, label=label, value=f.max_length)
    kind_checks = {"id_number": (is_id_number, "error.id_number"),
                   "phone": (is_phone, "error.phone"), "date": (is_date, "error.date"),
                   "digits": (lambda v: v.isascii() and v.isdigit(), "error.digits")}
    if f.kind in kind_checks:
        check, key = kind_checks[f.kind]
        if not check(text):
            return say(key, run.locale)
    if f.kind == "choice" and text not in {o.value for o in f.options}:
        return say("error.choice", run.locale)
    if f.validate:
        names = run.names()
        names = {**names, "value": text, "answers": {**run.answers, f.key: text}}
        for rule in f.validate:
            if not truthy(rule.rule, names, run.today):
                return run.text(rule.message)
    return ""


def next_question(run: FlowRun, step: StepDef, start: int) -> int | None:
    """The first question at or after ``start`` still to ask (not pre-filled, condition true)."""
    load_prefill(run)
    names = None
    for i in range(start, len(step.fields)):
        f = step.fields[i]
        if f.key in run.prefilled:
            continue
        if f.when is not None:
            names = names or run.names()
            if not truthy(f.when, names, run.today):
                continue
        return i
    return None


def enter(run: FlowRun, step: StepDef) -> bool:
    """Skipped when every question is already answered or not asked."""
    load_prefill(run)
    return next_question(run, step, run.page.index) is None


def handle(run: FlowRun, step: StepDef, intent: Intent) -> None:
    """answer / choose a value (checked), next with the current value, skip an optional one."""
    f = run.current_field()
    if f is None:
        run.advance()
        return
    answers = run.answers
    if intent.action in (IntentAction.ANSWER, IntentAction.CHOOSE):
        value = intent.value
        text = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else (
            "" if value is None else str(value))
        text = text.strip()
        problem = valid(run, f, text)
        if problem:
            answers[f.key] = text
            run.error = problem
            return
        answers[f.key] = text
        run.prefilled.discard(f.key)
        run.advance()
    elif intent.action == IntentAction.NEXT:
        text = run.field_value(f)
        problem = valid(run, f, text)
        if problem:
            run.error = problem
            return
        run.advance()
    elif intent.action == IntentAction.SKIP and not f.required:
        answers.setdefault(f.key, "")
        run.advance()


def view(run: FlowRun, step: StepDef) -> View:
    """The current question with its keyboard kind, value and error."""
    loc = run.locale
    f = run.current_field()
    assert f is not None
    field = field_view(run, f, with_error=True)
    actions = [Action(IntentAction.NEXT, say("next", loc), primary=True)]
    if not f.required:
        actions.append(Action(IntentAction.SKIP, say("skip", loc)))
    return make_view(run, StepKind.FORM, run.text(step.title) or field.label, step,
                     say("speech.form", loc, label=field.label),
                     [*actions, *common_actions(run)], body=run.text(step.text), field=field,
                     extra={"question": run.page.index + 1, "questions": len(step.fields)})


def answer(view: View, answers: Mapping[str, Any], run: FlowRun) -> Intent:
    """The answer for the field, else its first option, else leave it as it is."""
    assert view.field is not None
    if view.field.key in answers:
        return Intent(IntentAction.ANSWER, answers[view.field.key])
    if view.field.options:
        return Intent(IntentAction.ANSWER, view.field.options[0].value)
    return Intent(IntentAction.NEXT)


STEP = StepType(StepKind.FORM, handle=handle, view=view, answer=answer, enter=enter,
                pages=next_question)
