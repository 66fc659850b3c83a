"""The parts every screen is built from: the common actions, the `View` frame, titles, fields.

Each step kind builds its own view (flows/steps/<kind>.py) with these; every view carries the
service title, progress, a short spoken prompt, and the actions reachable from every step:
办事指南 (guide), 办不成事 (report), back (when there is somewhere to go) and leave (cancel).
They read the run only through its public methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flows.definition import FieldDef, StepDef
from flows.strings import say
from flows.views import Action, Field, FieldKind, IntentAction, Option, StepKind, View

if TYPE_CHECKING:
    from flows.engine import FlowRun

_FIELD_KINDS = {k.value: k for k in FieldKind}


def common_actions(run: FlowRun, *, back: bool = True, guide: bool = True,
                   report: bool = True) -> list[Action]:
    """back (when possible), 办事指南, 办不成事 and leave, in that order; a page whose own
    primary action is back passes ``back=False`` (one 返回 per screen)."""
    loc = run.locale
    actions = []
    if back and run.can_go_back():
        actions.append(Action(IntentAction.BACK, say("back", loc)))
    if guide:
        actions.append(Action(IntentAction.GUIDE, say("guide", loc)))
    if report:
        actions.append(Action(IntentAction.REPORT, say("report", loc)))
    actions.append(Action(IntentAction.CANCEL, say("cancel", loc)))
    return actions


def make_view(run: FlowRun, kind: StepKind, title: str, step: StepDef | None, speech: str,
              actions: list[Action], **kw: Any) -> View:
    """A `View` of the run's current page with its progress, service title and error."""
    order = run.definition.order
    progress = (order.index(step.id) + 1, len(order)) if step is not None else (0, 0)
    if step is not None and step.speech:
        speech = run.text(step.speech)
    extra = {"service": run.definition.id, "page": run.page.step, "index": run.page.index}
    extra.update(kw.pop("extra", {}))
    return View(
        step_id=run.page.step if not run.page.index else f"{run.page.step}.{run.page.index}",
        kind=kind, title=title, service_title=run.text(run.definition.title),
        error=kw.pop("error", run.error), actions=tuple(actions), progress=progress, speech=speech,
        extra=extra, **kw,
    )


def step_title(run: FlowRun, step: StepDef, default_key: str, **values: object) -> str:
    """The step's own title, else the default title of its kind."""
    return run.text(step.title) if step.title else say(default_key, run.locale, **values)


def field_view(run: FlowRun, f: FieldDef, *, with_error: bool = False) -> Field:
    """A form field with its current answer (or pre-filled value) and options."""
    options = tuple(Option(o.value, run.text(o.label), run.text(o.detail),
                           selected=run.answers.get(f.key) == o.value)
                    for o in run.visible_options(f.options))
    value = run.field_value(f)
    label = run.text(f.label)
    if f.kind == "choice":
        shown = next((o.label for o in options if o.value == value), value)
    else:
        shown = value
    return Field(
        key=f.key, label=label, kind=_FIELD_KINDS.get(f.kind, FieldKind.TEXT), value=shown,
        prefilled=f.key in run.prefilled, required=f.required,
        hint=run.text(f.hint) or (say("prefilled", run.locale) if f.key in run.prefilled else ""),
        error=run.error if with_error else "", options=options, max_length=f.max_length,
    )


def lines_as_fields(lines: tuple[tuple[str, str], ...]) -> tuple[Field, ...]:
    """Label/value lines of a document shown read-only before or after printing."""
    return tuple(Field(key=f"line{i}", label=label, value=value, required=False)
                 for i, (label, value) in enumerate(lines))


def window_name(window: str, locale: str) -> str:
    """A service window as shown: a bare number becomes 3号窗口 / window 3; a name stays."""
    if window.isdigit():
        return f"{window}号窗口" if locale == "zh-CN" else f"window {window}"
    return window
