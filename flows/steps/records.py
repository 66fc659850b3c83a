"""``records``: a paged table of the resident's records (from the platform, licences, benefits,
issued certificates or a case's progress), optionally one to pick."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flows.definition import StepDef
from flows.expressions import ExpressionError
from flows.ports import PortFailure, RecordColumn, SessionPorts
from flows.steps.base import StepType
from flows.steps.print_receipt import print_receipt
from flows.strings import say, summary_text
from flows.viewkit import common_actions, make_view
from flows.views import Action, Intent, IntentAction, Option, StepKind, Table, View

if TYPE_CHECKING:
    from flows.engine import FlowRun


@dataclass(frozen=True, slots=True)
class _LocalSource:
    """A records source the terminal pages itself: one port call returning the whole list."""

    fetch: Callable[[SessionPorts], Sequence[Any] | PortFailure]
    kind: str  # column labels: col.<kind>.<key>
    title: str  # string key of the table's title
    columns: tuple[str, ...]  # shown, in order
    hidden: tuple[str, ...]  # kept on each row for a choice or a print
    counted: bool  # the summary says how many


_LOCAL_SOURCES: dict[str, _LocalSource] = {
    "licences": _LocalSource(lambda p: p.licences(), "licence", "records.licences",
                             ("title", "issuer", "valid_to"), ("licence_id", "type"), False),
    "benefits": _LocalSource(lambda p: p.benefits(), "benefit", "records.benefits",
                             ("title", "amount", "reason"), ("code",), True),
    "certificates": _LocalSource(lambda p: p.issued_certificates(), "certificate",
                                 "records.certificates", ("title", "issue_date", "serial"),
                                 ("kind",), True),
}


def page_size(run: FlowRun, step: StepDef) -> int:
    """Rows per records page: the step's, capped by the run's ``max_page_size`` (长者模式
    shows fewer rows per screen)."""
    if run.max_page_size:
        return max(1, min(step.page_size, run.max_page_size))
    return step.page_size


def enter(run: FlowRun, step: StepDef) -> bool:
    """Fetch the first page once; the step is always shown (an empty table says so)."""
    if step.id not in run.state.records:
        fetch(run, step, 1)
    return False


def fetch(run: FlowRun, step: StepDef, page: int) -> None:
    """Fetch (or cut from a local list) page ``page``; on failure the page is None and
    ``run.error`` says why."""
    state = run.state
    local = _LOCAL_SOURCES.get(step.source)
    if local is not None:
        found = local.fetch(run.ports)
        if isinstance(found, PortFailure):
            _failed(run, step, found)
            return
        if step.source == "licences":
            state.licences = tuple(found)
        cols = _columns(run, local.kind, local.columns)
        items = [{k: getattr(x, k) for k in (*local.columns, *local.hidden)} for x in found]
        _store_local_page(run, step, say(local.title, run.locale), cols, items, page,
                          {"count": str(len(items))} if local.counted else {})
        return
    if step.source == "case_progress":
        try:
            number = str(step.case_number.evaluate(run.names(), run.today) or "") \
                if step.case_number else ""
        except ExpressionError:
            number = ""
        progress = run.ports.case_progress(number)
        if isinstance(progress, PortFailure):
            _failed(run, step, progress)
            return
        cols = _columns(run, "case", ("time", "step", "note"))
        items = [{"time": e.time, "step": e.step, "note": e.note} for e in progress.history]
        _store_local_page(run, step, progress.service, cols, items, page,
                          {"case_number": progress.case_number, "case_status": progress.status})
        return
    result = run.ports.fetch_records(step.source, page, page_size(run, step))
    if isinstance(result, PortFailure):
        _failed(run, step, result)
        return
    fetched = {
        "title": result.title, "columns": result.columns, "items": list(result.items),
        "page": result.page, "pages": result.pages, "total": result.total,
        "summary": dict(result.summary), "kind": result.kind,
    }
    state.records[step.id] = fetched
    _bind(run, step, fetched)


def _failed(run: FlowRun, step: StepDef, failure: PortFailure) -> None:
    run.error = failure.message
    run.state.records[step.id] = None


def _columns(run: FlowRun, kind: str, keys: tuple[str, ...]) -> tuple[RecordColumn, ...]:
    return tuple(RecordColumn(k, say(f"col.{kind}.{k}", run.locale)) for k in keys)


def _store_local_page(run: FlowRun, step: StepDef, title: str, cols: tuple[RecordColumn, ...],
                      items: list[dict[str, str]], page: int, summary: dict[str, str]) -> None:
    size = page_size(run, step)
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 1), pages)
    fetched = {"title": title, "columns": cols, "items": items[(page - 1) * size: page * size],
               "page": page, "pages": pages, "total": len(items), "summary": summary,
               "kind": step.source}
    run.state.records[step.id] = fetched
    _bind(run, step, fetched)


def _bind(run: FlowRun, step: StepDef, fetched: dict[str, Any]) -> None:
    """What templates see: ``data.<step>`` and ``records``."""
    bound = {"title": fetched["title"], "total": fetched["total"],
             "summary": fetched["summary"], "page": fetched["page"], "items": fetched["items"]}
    run.data[step.id] = bound
    run.data["_records"] = bound


def handle(run: FlowRun, step: StepDef, intent: Intent) -> None:
    """page / page_prev / page_next, retry, choose a row, print the list, next."""
    fetched = run.state.records.get(step.id)
    if intent.action in (IntentAction.PAGE, IntentAction.PAGE_PREV, IntentAction.PAGE_NEXT):
        current = fetched["page"] if fetched else 1
        try:
            number = {"page_prev": current - 1, "page_next": current + 1}.get(
                intent.action) or int(intent.value)
        except (TypeError, ValueError):
            return
        pages = fetched["pages"] if fetched else 1
        if 1 <= number <= pages:
            fetch(run, step, number)
    elif intent.action == IntentAction.RETRY:
        fetch(run, step, fetched["page"] if fetched else 1)
    elif intent.action == IntentAction.CHOOSE and step.select and fetched:
        column = step.value_column or (fetched["columns"][0].key if fetched["columns"] else "")
        values = {str(item.get(column, "")) for item in fetched["items"]}
        if str(intent.value) in values:
            run.answers[step.select] = str(intent.value)
            run.advance()
        else:
            run.error = say("error.choose", run.locale)
    elif intent.action == IntentAction.PRINT and step.receipt and fetched:
        rows = tuple(tuple(str(item.get(c.key, "")) for c in fetched["columns"])
                     for item in fetched["items"])
        print_receipt(run, step.receipt, rows)
    elif intent.action == IntentAction.NEXT:
        if step.select and not run.answers.get(step.select):
            run.error = say("error.choose", run.locale)
            return
        run.advance()


def scan(run: FlowRun, step: StepDef, kind: str, text: str) -> bool:
    """A scanned code (a receipt's case number) picks that row where a row is picked."""
    if not (step.select and text):
        return False
    handle(run, step, Intent(IntentAction.CHOOSE, text))
    return True


def view(run: FlowRun, step: StepDef) -> View:
    """The page of rows, paging, printing, and the rows as options when one is picked."""
    loc = run.locale
    fetched = run.state.records.get(step.id)
    actions: list[Action] = []
    table = None
    options: tuple[Option, ...] = ()
    title = run.text(step.title)
    if fetched is None:
        title = title or run.text(run.definition.title)
        actions.append(Action(IntentAction.RETRY, say("retry", loc), primary=True))
    else:
        title = title or fetched["title"]
        columns = fetched["columns"]
        rows = tuple(tuple(str(item.get(c.key, "")) for c in columns)
                     for item in fetched["items"])
        summary = summary_text(dict(fetched["summary"]), loc)
        table = Table(columns=tuple(c.label for c in columns), rows=rows, page=fetched["page"],
                      pages=fetched["pages"], total=fetched["total"], summary=summary)
        if step.select:
            column = step.value_column or (columns[0].key if columns else "")
            options = tuple(Option(str(item.get(column, "")), row[0] if row else "",
                                   " ".join(row[1:]))
                            for item, row in zip(fetched["items"], rows, strict=True))
        if fetched["page"] > 1:
            actions.append(Action(IntentAction.PAGE_PREV, say("prev_page", loc)))
        if fetched["page"] < fetched["pages"]:
            actions.append(Action(IntentAction.PAGE_NEXT, say("next_page", loc)))
        if step.receipt:
            usable, _ = run.device_usable("receipt_printer")
            actions.append(Action(IntentAction.PRINT, say("print_summary", loc), enabled=usable))
        if not step.select:
            actions.append(Action(IntentAction.NEXT, say("finish", loc), primary=True))
    body = run.text(step.text)
    if table is not None and not table.rows:
        body = say("records.empty", loc)
    return make_view(run, StepKind.RECORDS, title, step, say("speech.records", loc),
                     [*actions, *common_actions(run)], body=body, table=table, options=options,
                     extra={"selectable": bool(step.select)})


def answer(view: View, answers: Mapping[str, Any], run: FlowRun) -> Intent:
    """Pick the answer's row (else the first); page on with ``_all_pages``; print once."""
    if view.extra.get("selectable"):
        step = run.step()
        key = step.select if step else ""
        return Intent(IntentAction.CHOOSE, answers.get(key, view.options[0].value if view.options
                                            else ""))
    names = {a.name for a in view.actions}
    if "page_next" in names and answers.get("_all_pages"):
        return Intent(IntentAction.PAGE_NEXT)
    if "print" in names and answers.get("_print_summary", True) and not (
        run.record.receipts_printed
    ):
        return Intent(IntentAction.PRINT)
    return Intent(IntentAction.NEXT)


STEP = StepType(StepKind.RECORDS, handle=handle, view=view, answer=answer, enter=enter,
                scan=scan)
