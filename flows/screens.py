"""Building the `View` for a run's current page (what the UI shows and says).

One function per page kind; every view carries the service title, progress, a short spoken
prompt, and the actions reachable from every step: 办事指南 (guide), 办不成事 (report),
back (when there is somewhere to go) and leave (cancel).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.definition import StepDef
from flows.ports import ApplicationOutcome, ApplicationStatus, Appointment
from flows.steps import STEP_TYPES
from flows.strings import say, summary_text
from flows.viewkit import (
    common_actions,
    field_view,
    lines_as_fields,
    make_view,
    step_title,
    window_name,
)
from flows.views import Action, Field, FieldKind, Option, Section, StepKind, Table, View

if TYPE_CHECKING:
    from flows.engine import FlowRun

def build_view(run: FlowRun) -> View:
    """The screen for ``run``'s current page."""
    from flows import page as e

    page = run.page.step
    builders = {
        e.GUIDE_PAGE: _guide_page, e.REPORT_PAGE: _report_page,
        e.REPORT_SENT_PAGE: _report_sent_page, e.RATE_PAGE: _rate_page,
        e.DONE_PAGE: _done_page, e.UNAVAILABLE_PAGE: _unavailable_page,
    }
    if page in builders:
        return builders[page](run)
    step = run.step()
    assert step is not None, f"no step {page!r}"
    if step.type in STEP_TYPES:
        return STEP_TYPES[step.type].view(run, step)
    builder = {"rate": _rate_step, "report": _report_step}.get(step.type) or globals()[
        f"_{step.type}"]
    return builder(run, step)


# ---------------------------------------------------------------- steps of the library


def _identify(run: FlowRun, step: StepDef) -> View:
    loc = run.locale
    return make_view(run, StepKind.IDENTIFY, step_title(run, step, "title.identify"), step,
                 say("speech.identify", loc),
                 [Action("identified", say("identified", loc), primary=True), *common_actions(run)],
                 body=run.text(step.text),
                 extra={"methods": ["idcard", "sscard", "qrcode", "face"]})


def _choose(run: FlowRun, step: StepDef) -> View:
    chosen = run.answers.get(step.key)
    chosen_set = set(chosen) if isinstance(chosen, list) else {chosen}
    options = tuple(Option(o.value, run.text(o.label), run.text(o.detail),
                           selected=o.value in chosen_set)
                    for o in run.visible_options(step.options))
    actions = [Action("next", say("next", run.locale), primary=True)] if step.multiple else []
    title = step_title(run, step, "title.choose")
    return make_view(run, StepKind.CHOOSE, title, step, title, [*actions, *common_actions(run)],
                 body=run.text(step.text), options=options, multiple=step.multiple)


def _form(run: FlowRun, step: StepDef) -> View:
    loc = run.locale
    f = run.current_field()
    assert f is not None
    field = field_view(run, f, with_error=True)
    actions = [Action("next", say("next", loc), primary=True)]
    if not f.required:
        actions.append(Action("skip", say("skip", loc)))
    return make_view(run, StepKind.FORM, run.text(step.title) or field.label, step,
                 say("speech.form", loc, label=field.label), [*actions, *common_actions(run)],
                 body=run.text(step.text), field=field,
                 extra={"question": run.page.index + 1, "questions": len(step.fields)})


def _check(run: FlowRun, step: StepDef) -> View:
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
                 [Action("confirm", say("confirm", loc), primary=True), *common_actions(run)],
                 body=run.text(step.text), fields=tuple(fields), sections=tuple(sections),
                 extra={"editable": sorted(editable)})


def _capture(run: FlowRun, step: StepDef) -> View:
    loc = run.locale
    assert step.material is not None
    name = run.text(step.material.label)
    captured = step.material.name in run.captures
    actions = [Action("capture", say("retry" if captured else "capture", loc),
                      primary=not captured),
               Action("next", say("next", loc), primary=captured, enabled=captured)]
    if step.optional:
        actions.append(Action("skip", say("skip", loc)))
    return make_view(run, StepKind.CAPTURE, step_title(run, step, "title.capture", name=name), step,
                 say("speech.capture", loc, name=name), [*actions, *common_actions(run)],
                 body=run.text(step.text),
                 extra={"material": step.material.name, "captured": captured})


def _licence(run: FlowRun, step: StepDef) -> View:
    loc = run.locale
    options = tuple(Option(lic.licence_id, lic.title, f"{lic.issuer} · {say('exempt', loc)}",
                           selected=lic.licence_id in run.attached)
                    for lic in run.licences_offered())
    return make_view(run, StepKind.LICENCE, step_title(run, step, "title.licence"), step,
                 say("speech.licence", loc),
                 [Action("next", say("next", loc), primary=True), *common_actions(run)],
                 body=run.text(step.text), options=options, multiple=True)


def _submit(run: FlowRun, step: StepDef) -> View:
    loc = run.locale
    label = say("retry" if run.error else "submit", loc)
    return make_view(run, StepKind.SUBMIT, step_title(run, step, "title.submit"), step,
                 say("speech.submit", loc),
                 [Action("retry" if run.error else "submit", label, primary=True),
                  *common_actions(run)],
                 body=run.text(step.text))


def _result(run: FlowRun, step: StepDef) -> View:
    loc = run.locale
    submitted = run.submitted()
    lines: list[str] = []
    outcome, reference, title = "", "", step_title(run, step, "title.result")
    if isinstance(submitted, ApplicationOutcome):
        outcome = submitted.status.value
        reference = submitted.case_number
        title = say(f"result.{outcome}", loc)
        lines.append(say("result.case_number", loc, value=submitted.case_number))
        if submitted.status is ApplicationStatus.ACCEPTED and submitted.time_limit_days:
            lines.append(say("result.time_limit", loc, value=submitted.time_limit_days))
        if submitted.reason:
            lines.append(say("result.reason", loc, value=submitted.reason))
        if submitted.next_step:
            lines.append(say("result.next_step", loc, value=submitted.next_step))
    elif isinstance(submitted, Appointment):
        outcome, reference, title = "accepted", submitted.ticket, say("result.ticket", loc)
        lines.append(say("result.ticket_number", loc, value=submitted.ticket))
        lines.append(say("result.window", loc, window=window_name(submitted.window, loc),
                         waiting=submitted.waiting))
    else:
        lines.append(say("error.no_outcome", loc))
    if step.text:
        lines.append(run.text(step.text))
    actions = []
    if step.receipt and outcome != "refused":
        usable, _ = run.device_usable("receipt_printer")
        actions.append(Action("print", say("print_receipt", loc), enabled=usable))
    actions.append(Action("next", say("next", loc), primary=True))
    return make_view(run, StepKind.RESULT, title, step, title, [*actions, *common_actions(run)],
                 body="\n".join(lines), outcome=outcome, reference=reference,
                 extra={"printed": run.print_state() == "done"})


def _records(run: FlowRun, step: StepDef) -> View:
    loc = run.locale
    state = run.records_state()
    actions: list[Action] = []
    table = None
    options: tuple[Option, ...] = ()
    title = run.text(step.title)
    if state is None:
        title = title or run.text(run.definition.title)
        actions.append(Action("retry", say("retry", loc), primary=True))
    else:
        title = title or state["title"]
        columns = state["columns"]
        rows = tuple(tuple(str(item.get(c.key, "")) for c in columns) for item in state["items"])
        summary = summary_text(dict(state["summary"]), loc)
        table = Table(columns=tuple(c.label for c in columns), rows=rows, page=state["page"],
                      pages=state["pages"], total=state["total"], summary=summary)
        if step.select:
            column = step.value_column or (columns[0].key if columns else "")
            options = tuple(Option(str(item.get(column, "")), row[0] if row else "",
                                   " ".join(row[1:]))
                            for item, row in zip(state["items"], rows, strict=True))
        if state["page"] > 1:
            actions.append(Action("page_prev", say("prev_page", loc)))
        if state["page"] < state["pages"]:
            actions.append(Action("page_next", say("next_page", loc)))
        if step.receipt:
            usable, _ = run.device_usable("receipt_printer")
            actions.append(Action("print", say("print_summary", loc), enabled=usable))
        if not step.select:
            actions.append(Action("next", say("finish", loc), primary=True))
    body = run.text(step.text)
    if table is not None and not table.rows:
        body = say("records.empty", loc)
    return make_view(run, StepKind.RECORDS, title, step, say("speech.records", loc),
                 [*actions, *common_actions(run)], body=body, table=table, options=options,
                 extra={"selectable": bool(step.select)})


def _print_certificate(run: FlowRun, step: StepDef) -> View:
    loc = run.locale
    template = run.definition.certificates.get(step.certificate)
    issued = run.issued()
    document = run.certificate_document(step.id)
    name = ((document.title if document else "") or (run.text(template.title) if template else "")
            or (issued.title if issued else "") or run.reissue_title(step)
            or run.text(run.definition.title))
    state = run.print_state()
    usable, reason = run.device_usable("document_printer")
    if state == "done":
        actions = [Action("next", say("next", loc), primary=True)]
        body, speech = say("print.done", loc), say("speech.printed", loc)
    elif state == "refused":
        actions = [Action("next", say("next", loc), primary=True)]
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
    return make_view(run, StepKind.PRINT_CERTIFICATE, title,
                 step, speech, [*actions, *common_actions(run)], body=body, fields=fields,
                 error=run.error or ("" if usable or state == "done" else reason),
                 outcome=state, reference=issued.serial if issued else "")


def _print_receipt(run: FlowRun, step: StepDef) -> View:
    loc = run.locale
    state = run.print_state()
    usable, reason = run.device_usable("receipt_printer")
    if state == "done":
        actions = [Action("next", say("next", loc), primary=True)]
        speech = say("speech.printed", loc)
    else:
        actions = [Action("print", say("retry" if state == "failed" else "print", loc),
                          primary=True, enabled=usable), Action("skip", say("skip", loc))]
        speech = say("speech.print_receipt", loc)
    preview = run.receipt_preview(step.receipt)
    title = step_title(run, step, "title.print_receipt")
    return make_view(run, StepKind.PRINT_RECEIPT, title, step,
                 speech, [*actions, *common_actions(run)], body=run.text(step.text),
                 fields=lines_as_fields(preview.lines) if preview else (),
                 error=run.error or ("" if usable or state == "done" else reason),
                 outcome=state, reference=run.record.case_number)


def _guide(run: FlowRun, step: StepDef) -> View:
    loc = run.locale
    actions = [Action("next", say("next", loc), primary=True)]
    if "receipt_printer" in run._all_devices():
        actions.append(Action("print", say("print_guide", loc),
                              enabled=run.device_usable("receipt_printer")[0]))
    return make_view(run, StepKind.GUIDE, step_title(run, step, "title.guide"), step,
                 say("speech.guide", loc), [*actions, *common_actions(run, guide=False)],
                 body=run.text(step.text), sections=run.guide_sections())


def _rate_step(run: FlowRun, step: StepDef) -> View:
    return _rate_page(run, step)


def _report_step(run: FlowRun, step: StepDef) -> View:
    return _report_page(run, step)


# ---------------------------------------------------------------- built-in pages


def _guide_page(run: FlowRun) -> View:
    loc = run.locale
    actions = [Action("next", say("back", loc), primary=True)]
    if "receipt_printer" in run._all_devices():
        actions.append(Action("print", say("print_guide", loc),
                              enabled=run.device_usable("receipt_printer")[0]))
    return make_view(run, StepKind.GUIDE, say("title.guide", loc), None, say("speech.guide", loc),
                 [*actions, *common_actions(run, guide=False)], sections=run.guide_sections())


def _report_page(run: FlowRun, step: StepDef | None = None) -> View:
    loc = run.locale
    draft = run.report_draft()
    options = tuple(Option(c, c, selected=draft["category"] == c)
                    for c in run.report_categories())
    field = Field(key="description", label=say("report.description", loc),
                  value=draft["description"], required=False, max_length=500)
    title = run.text(step.title) if step and step.title else say("title.report", loc)
    return make_view(run, StepKind.REPORT, title, step, say("speech.report", loc),
                 [Action("send", say("send", loc), primary=True),
                  *common_actions(run, report=False)],
                 body=run.text(step.text) if step else "", options=options, field=field,
                 extra={"from_step": run._report_from})


def _report_sent_page(run: FlowRun) -> View:
    loc = run.locale
    report_id, days = run.report_result()
    body = say("report.sent", loc, value=days) + "\n" + say("report.reference", loc,
                                                          value=report_id)
    title = say("title.report_sent", loc)
    return make_view(run, StepKind.MESSAGE, title, None, body.split("\n")[0],
                 [Action("resume", say("resume", loc), primary=True),
                  Action("finish", say("finish", loc))],
                 body=body, reference=report_id)


def _rate_page(run: FlowRun, step: StepDef | None = None) -> View:
    loc = run.locale
    draft = run.rate_draft()
    options = tuple(Option(str(s), say(f"rate.score.{s}", loc), selected=draft["score"] == s)
                    for s in (5, 4, 3, 2, 1))
    reasons = tuple(Option(r, r, selected=r in draft["reasons"]) for r in run.rating_reasons())
    field = Field(key="reasons", label=say("rate.reasons", loc), kind=FieldKind.CHOICE,
                  required=False, options=reasons)
    return make_view(run, StepKind.RATE, say("title.rate", loc), step, say("speech.rate", loc),
                 [Action("rate", say("rate_submit", loc), primary=True),
                  Action("skip", say("skip", loc)), Action("report", say("report", loc))],
                 options=options, field=field, reference=run.record.case_number,
                 extra={"reasons_required_for": [1, 2]})


def _done_page(run: FlowRun) -> View:
    loc = run.locale
    record = run.record
    return View(step_id=run.page.step, kind=StepKind.DONE, title=say("title.done", loc),
                service_title=run.text(run.definition.title), speech=say("speech.done", loc),
                outcome=record.outcome, reference=record.case_number or record.ticket,
                extra={"service": run.definition.id, "serials": list(record.serials),
                       "rating_id": record.rating_id})


def _unavailable_page(run: FlowRun) -> View:
    loc = run.locale
    return make_view(run, StepKind.MESSAGE, say("title.unavailable", loc), None,
                 say("speech.unavailable", loc),
                 [Action("finish", say("finish", loc), primary=True),
                  Action("guide", say("guide", loc)), Action("report", say("report", loc))],
                 body=run.error, extra={"unavailable": True})
