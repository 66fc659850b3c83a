"""The flow engine: runs one service definition for one resident, one screen at a time.

    run = FlowRun(definition, ports, locale="zh-CN")
    view = run.view()               # what to show now
    view = run.send(Intent("next")) # what the resident did -> the next screen

The engine is synchronous and pure apart from the port calls: the UI calls `send` from a
worker thread when the intent may reach a port (submit, print, fetch), then shows the returned
`View`. Every screen carries the 办事指南 and 办不成事 actions; ``back`` returns to the previous
screen shown (never across a submission or a print); every way out passes through the rating
screen and ends on a DONE view.

A run generates one idempotency root (``run.key``); each creating call derives its key from it
and its purpose, so a retry of the same submission or certificate reuses the same key.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flows.definition import END, FieldDef, FlowDefinition, OptionDef, StepDef
from flows.documents import CertificateAdditions, CertificateDocument, ReceiptDocument
from flows.expressions import ExpressionError, is_date, is_id_number, is_phone
from flows.fill import certificate_additions, compose_certificate, fill_receipt, guide_receipt
from flows.ports import (
    ApplicationOutcome,
    ApplicationRequest,
    Appointment,
    Attachment,
    CapturedDocument,
    IssuedCertificate,
    Licence,
    PortFailure,
    ProblemReport,
    Rating,
    RecordColumn,
    Resident,
    SessionPorts,
)
from flows.screens import build_view
from flows.strings import GUIDE_KEYS, RATING_REASON_KEYS, REPORT_CATEGORY_KEYS, say
from flows.views import Action, Field, FieldKind, Intent, Option, Section, StepKind, Table, View

# Built-in pages every service has (ids a definition cannot use: they start with "_").
GUIDE_PAGE = "_guide"
REPORT_PAGE = "_report"
REPORT_SENT_PAGE = "_report_sent"
RATE_PAGE = "_rate"
DONE_PAGE = "_done"
UNAVAILABLE_PAGE = "_unavailable"
#: Built-in pages reachable on top of any step (they return to it with ``back``).
OVERLAY_PAGES = (GUIDE_PAGE, REPORT_PAGE, REPORT_SENT_PAGE)

SCORES = (5, 4, 3, 2, 1)
LOW_SCORES = (1, 2)  # 不满意 / 非常不满意 need a reason
MAX_AUTO_STEPS = 200  # guard against a definition that skips in a circle


@dataclass(frozen=True, slots=True)
class Page:
    """Where the run is: a step and, for form steps, which question."""

    step: str
    index: int = 0


@dataclass(slots=True)
class RunRecord:
    """What the run did, for the kiosk's journal and the session summary (no personal data)."""

    service: str
    version: str
    key: str
    case_number: str = ""
    outcome: str = ""
    serials: list[str] = field(default_factory=list)
    receipts_printed: int = 0
    rating_id: str = ""
    score: int = 0
    report_ids: list[str] = field(default_factory=list)
    ticket: str = ""


class FlowRun:
    """One run of one service for one resident session."""

    def __init__(
        self,
        definition: FlowDefinition,
        ports: SessionPorts,
        locale: str = "zh-CN",
        *,
        run_key: str | None = None,
        today: date | None = None,
        max_page_size: int = 0,
    ) -> None:
        self.definition = definition
        self.ports = ports
        self.locale = locale
        self.key = run_key or str(uuid.uuid4())
        self.today = today
        self.max_page_size = max_page_size  # 0: the step's own page size
        self.record = RunRecord(definition.id, definition.version, self.key)
        self.answers: dict[str, Any] = {}
        self.prefilled: set[str] = set()
        self.data: dict[str, Any] = {}
        self.history: list[Page] = []
        self.error = ""
        self.editing = False  # answering a question reached from the check page
        self._profile: Mapping[str, str] = {}
        self._prefill: Mapping[str, str] = {}
        self._prefill_loaded = False
        self._licences: tuple[Licence, ...] | None = None
        self.attached: list[str] = []  # licence ids used instead of paper
        self.captures: dict[str, CapturedDocument] = {}
        self._records: dict[str, Any] = {}  # step id -> current RecordsPage-like state
        self._prints: dict[str, str] = {}  # page step -> "done" | "failed" | "refused"
        self._issued: dict[str, IssuedCertificate] = {}
        self._documents: dict[str, CertificateDocument] = {}
        self._last_receipt: ReceiptDocument | None = None
        self._submitted: ApplicationOutcome | Appointment | None = None
        self._report_draft: dict[str, str] = {"category": "", "description": ""}
        self._report_from = ""
        self._report_step = ""  # set when the report is a step of the flow itself
        self._report_context = ""  # the problem on screen when the report was opened
        self._report_result: tuple[str, int] = ("", 0)
        self._rate_draft: dict[str, Any] = {"score": 0, "reasons": []}
        self.rated = False
        self.page = Page(self.definition.start)
        self._started = False  # the constructor never calls a port: start() does

    def start(self) -> View:
        """Enter the first step (may call ports: prefill, licences, the first records page).

        Call it from a worker thread; `view` and `send` call it on first use if needed.
        """
        if not self._started:
            self._started = True
            missing = self._unusable_devices(self.definition.devices)
            if missing:
                self.error = missing
                self.page = Page(UNAVAILABLE_PAGE)
            else:
                self._settle()
        return build_view(self)

    # ------------------------------------------------------------------ public API

    @property
    def finished(self) -> bool:
        """True once the DONE view has been reached."""
        return self.page.step == DONE_PAGE

    def discard(self) -> None:
        """Forget everything the resident entered or was shown (the session wipe calls this).

        The `record` (ids, serials, outcome; no personal data) is kept for the journal.
        """
        self.answers.clear()
        self.prefilled.clear()
        self.data.clear()
        self.captures.clear()
        self.attached.clear()
        self._records.clear()
        self._issued.clear()
        self._documents.clear()
        self._profile = {}
        self._prefill = {}
        self._licences = None
        self._last_receipt = None
        self._submitted = None
        self._report_draft = {"category": "", "description": ""}
        self.history.clear()
        self.page = Page(DONE_PAGE)
        self._started = True

    def idempotency_key(self, purpose: str) -> str:
        """A UUID derived from the run key and ``purpose``: the same on every retry."""
        return str(uuid.uuid5(uuid.UUID(self.key) if _is_uuid(self.key) else uuid.NAMESPACE_OID,
                              f"{self.key}:{purpose}"))

    def view(self) -> View:
        """The screen for the current page (starts the run on first use)."""
        if not self._started:
            return self.start()
        return build_view(self)

    def send(self, intent: Intent) -> View:
        """Apply what the resident did and return the next screen. Never raises for bad input."""
        action = intent.action
        if not self._started:
            self.start()
        if self.finished:
            return self.view()
        shown_error, self.error = self.error, ""
        if action == "guide" and self.page.step not in OVERLAY_PAGES:
            self._push(Page(GUIDE_PAGE))
        elif action == "report" and self.page.step != REPORT_PAGE and not self._on_report_step():
            self._report_from = self.page.step
            self._report_draft = {"category": "", "description": ""}
            self._report_context = shown_error
            self._push(Page(REPORT_PAGE))
            if isinstance(intent.value, Mapping):  # one-shot report from any screen
                self._on_report(intent)
        elif action == "back":
            self._back()
        elif action == "cancel":
            self._finish()
        elif action == "scanned":
            self._on_scanned(intent.value)
        else:
            self._dispatch(intent)
        return self.view()

    def _on_scanned(self, payload: Any) -> None:
        """A code scanned during the run (扫码亮证 at a licence step; a receipt's case number
        where a case is picked). The payload is duck-typed: ``kind`` and ``text``."""
        kind = str(getattr(payload, "kind", "") or (payload.get("kind", "") if isinstance(
            payload, Mapping) else ""))
        text = getattr(payload, "text", None)
        if text is None:
            text = payload.get("text", "") if isinstance(payload, Mapping) else str(payload or "")
        text = str(text).strip()[:200]
        kind = kind.rsplit(".", 1)[-1].lower()
        step = self.step()
        if step is not None and step.type == "licence" and kind in ("e_licence", "licence"):
            offered = {lic.licence_id for lic in self.licences_offered()}
            if text in offered:
                if text not in self.attached:
                    self.attached.append(text)
                return
            self.error = say("error.scan_unknown", self.locale)
        elif step is not None and step.type == "records" and step.select and text:
            self._on_records(step, Intent("choose", text))
        else:
            self.error = say("error.scan_here", self.locale)

    def _on_report_step(self) -> bool:
        step = self.step()
        return step is not None and step.type == "report"

    # ------------------------------------------------------------------ bindings

    def resident(self) -> Resident | None:
        """The identified resident, or None."""
        return self.ports.resident()

    def names(self) -> dict[str, Any]:
        """Everything an expression or template may read."""
        resident = self.resident()
        identity: dict[str, Any] = {}
        if resident is not None:
            from flows.expressions import age_from_birth_date

            birth = resident.birth_date.isoformat() if resident.birth_date else ""
            identity = {"name": resident.name, "id_number": resident.id_number,
                        "display_name": resident.display_name, "sex": resident.sex,
                        "birth_date": birth,
                        "age": age_from_birth_date(birth, self.today) if birth else -1}
        outcome = self._submitted
        return {
            "identity": identity, "profile": dict(self._profile), "prefill": dict(self._prefill),
            "answers": self.answers, "data": self.data,
            "licences": [lic.type for lic in (self._licences or ()) if
                         lic.licence_id in self.attached],
            "materials": self._materials(), "service": self.definition.id,
            "locale": self.locale,
            "outcome": outcome.status.value if isinstance(outcome, ApplicationOutcome) else "",
            "case_number": self.record.case_number,
            "records": self.data.get("_records", {}),
            "labels": self._labels(),
        }

    def _labels(self) -> dict[str, str]:
        """Display text of each choice answer (``labels.bank`` -> 中国工商银行)."""
        out: dict[str, str] = {}
        for step in self.definition.steps.values():
            pairs = [(step.key, step.options)] if step.type == "choose" else []
            pairs += [(f.key, f.options) for f in step.fields if f.options]
            for key, options in pairs:
                value = self.answers.get(key)
                chosen = value if isinstance(value, list) else [value]
                texts = [self.text(o.label) for o in options if o.value in chosen]
                if texts:
                    out[key] = "、".join(texts)
        return out

    def text(self, value: Mapping[str, str] | None) -> str:
        """A definition string in the run's language."""
        return self.definition.text(value, self.locale)

    def step(self, step_id: str | None = None) -> StepDef | None:
        """The definition of the current (or named) step; None on built-in pages."""
        return self.definition.steps.get(step_id or self.page.step)

    def current_field(self) -> FieldDef | None:
        """The question on the current form page."""
        step = self.step()
        if step is None or step.type != "form" or self.page.index >= len(step.fields):
            return None
        return step.fields[self.page.index]

    def field_value(self, f: FieldDef) -> str:
        """The current answer (or pre-filled value) for a field."""
        value = self.answers.get(f.key, "")
        return ", ".join(value) if isinstance(value, list) else str(value)

    def licences_offered(self) -> tuple[Licence, ...]:
        """The resident's licences that can replace a material of the current licence step."""
        step = self.step()
        if step is None or self._licences is None:
            return ()
        wanted = {t for m in step.materials for t in m.licence_types}
        return tuple(lic for lic in self._licences if lic.type in wanted)

    def records_state(self) -> dict[str, Any] | None:
        """The current records step's fetched page, if any."""
        return self._records.get(self.page.step)

    def print_state(self) -> str:
        """"done", "failed", "refused" (the platform will not issue it) or "" for the current
        page's print."""
        return self._prints.get(self.page.step, "")

    def issued(self) -> IssuedCertificate | None:
        """The certificate issued on the current page, if any."""
        return self._issued.get(self.page.step)

    def submitted(self) -> ApplicationOutcome | Appointment | None:
        """The outcome of the submission, if any."""
        return self._submitted

    def report_draft(self) -> Mapping[str, str]:
        """The problem report being written."""
        return self._report_draft

    def report_result(self) -> tuple[str, int]:
        """(report id, reply within days) of the last sent report."""
        return self._report_result

    def rate_draft(self) -> Mapping[str, Any]:
        """The rating being chosen."""
        return self._rate_draft

    def last_receipt(self) -> ReceiptDocument | None:
        """The last receipt handed to the printer (for tests and the journal)."""
        return self._last_receipt

    def receipt_preview(self, name: str) -> ReceiptDocument | None:
        """The receipt ``name`` as it would print now (None when it cannot be filled)."""
        template = self.definition.receipts.get(name)
        if template is None:
            return None
        try:
            return fill_receipt(self.definition, template, self.names(), self.locale, self.today)
        except ExpressionError:
            return None

    def certificate_document(self, step_id: str) -> CertificateDocument | None:
        """The certificate filled on a step (for tests and the journal)."""
        return self._documents.get(step_id)

    def reissue_title(self, step: StepDef) -> str:
        """For a ``reissue`` step: the title of the chosen certificate in the last records
        list ("" when unknown)."""
        if step.reissue is None:
            return ""
        try:
            serial = str(step.reissue.evaluate(self.names(), self.today) or "")
        except ExpressionError:
            return ""
        items = (self.data.get("_records") or {}).get("items") or ()
        return next((str(i.get("title", "")) for i in items if i.get("serial") == serial), "")

    def can_go_back(self) -> bool:
        """True when ``back`` leads somewhere."""
        return bool(self.history) and self.page.step not in (DONE_PAGE, RATE_PAGE)

    def device_usable(self, name: str) -> tuple[bool, str]:
        """Whether a device is usable now, and a resident-facing reason when it is not (the
        ports' words, which name the device; a generic sentence when they give none)."""
        state = self.ports.devices().get(name)
        if state is None:
            return False, say("error.device", self.locale)
        if state.usable:
            return True, ""
        return False, state.reason or say("error.device", self.locale)

    # ------------------------------------------------------------------ navigation

    def _push(self, page: Page) -> None:
        self.history.append(self.page)
        self.page = page

    def _back(self) -> None:
        if not self.can_go_back():
            return
        self.page = self.history.pop()
        self.editing = False
        while self.page.step == REPORT_SENT_PAGE and self.history:
            self.page = self.history.pop()

    def _advance(self) -> None:
        """Leave the current step for the next one (recorded in history)."""
        step = self.step()
        if step is None:
            self._finish()
            return
        if step.type == "form" and not self.editing:
            nxt = self._next_field_index(step, self.page.index + 1)
            if nxt is not None:
                self._push(Page(step.id, nxt))
                self._settle()
                return
        if self.editing:
            self.editing = False
            target = self._check_page()
            if target is not None:
                self._push(target)
                return
        target_id = self._transition(step)
        if target_id == END:
            self._finish()
            return
        self._push(Page(target_id, self._first_index(target_id)))
        self._settle()

    def _transition(self, step: StepDef) -> str:
        names = None
        for t in step.next:
            if t.when is None:
                return t.target
            names = names or self.names()
            try:
                if t.when.evaluate(names, self.today):
                    return t.target
            except ExpressionError:
                continue
        return self._following(step)

    def _following(self, step: StepDef) -> str:
        order = self.definition.order
        i = order.index(step.id)
        return order[i + 1] if i + 1 < len(order) else END

    def _first_index(self, step_id: str) -> int:
        step = self.step(step_id)
        if step is not None and step.type == "form":
            return self._next_field_index(step, 0) or 0
        return 0

    def _next_field_index(self, step: StepDef, start: int) -> int | None:
        self._load_prefill()
        names = None
        for i in range(start, len(step.fields)):
            f = step.fields[i]
            if f.key in self.prefilled:
                continue
            if f.when is not None:
                names = names or self.names()
                if not _truthy(f.when, names, self.today):
                    continue
            return i
        return None

    def _check_page(self) -> Page | None:
        for sid in self.definition.order:
            if self.definition.steps[sid].type == "check":
                return Page(sid)
        return None

    def _finish(self) -> None:
        if self.rated or self.page.step == RATE_PAGE:
            self.history.clear()
            self.page = Page(DONE_PAGE)
        else:
            self.history.clear()
            self.page = Page(RATE_PAGE)

    def _settle(self) -> None:
        """Skip pages with nothing to ask (condition false, already known) and load data."""
        for _ in range(MAX_AUTO_STEPS):
            step = self.step()
            if step is None:
                return
            names = self.names()
            if step.when is not None and not _truthy(step.when, names, self.today):
                following = self._following(step)  # a skipped step: the next one in order
                if following == END:
                    self._finish()
                    return
                self.page = Page(following, self._first_index(following))
                continue
            if not self._auto(step):
                return
            target = self._transition(step)
            if target == END:
                self._finish()
                return
            self.page = Page(target, self._first_index(target))
        self.error = say("error.rule", self.locale)  # a definition looping on skips

    def _auto(self, step: StepDef) -> bool:
        """Work done on entering ``step``; True when it has nothing to show (skip it)."""
        match step.type:
            case "identify":
                if self.resident() is not None:
                    self._load_prefill()
                    return True
                return False
            case "form":
                self._load_prefill()
                return self._next_field_index(step, self.page.index) is None
            case "licence":
                self._load_licences()
                return not self.licences_offered()
            case "capture":
                material = step.material
                return material is not None and self._materials().get(material.name) == "licence"
            case "records":
                if step.id not in self._records:
                    self._fetch_records(step, 1)
                return False
            case _:
                return False

    # ------------------------------------------------------------------ data loading

    def _load_prefill(self) -> None:
        if self._prefill_loaded or self.resident() is None:
            return
        if not any(s.type == "form" for s in self.definition.steps.values()):
            self._prefill_loaded = True
            return
        self._prefill_loaded = True
        profile = self.ports.profile()
        self._profile = {} if isinstance(profile, PortFailure) else dict(profile)
        prefill = self.ports.prefill(self.definition.service_code)
        self._prefill = {} if isinstance(prefill, PortFailure) else dict(prefill)
        identity = self.names()["identity"]
        names = None
        for step in self.definition.steps.values():
            for f in step.fields:
                value = None
                for source in (self._prefill, self._profile, identity):
                    candidate = source.get(f.prefill)
                    if candidate not in (None, ""):
                        value = str(candidate)
                        break
                if value is not None and self._valid(f, value) == "":
                    self.answers[f.key] = value
                    self.prefilled.add(f.key)
                elif f.default is not None and f.key not in self.answers:
                    names = names or self.names()
                    with contextlib.suppress(ExpressionError):
                        self.answers[f.key] = f.default.render(names, self.today)

    def _load_licences(self) -> None:
        if self._licences is not None:
            return
        found = self.ports.licences()
        self._licences = () if isinstance(found, PortFailure) else tuple(found)
        offered = self.licences_offered()
        self.attached = [lic.licence_id for lic in offered]

    def _materials(self) -> dict[str, str]:
        """Each material of the flow -> "licence" | "captured" | ""."""
        types = {lic.type for lic in (self._licences or ()) if lic.licence_id in self.attached}
        out: dict[str, str] = {}
        for step in self.definition.steps.values():
            for m in (*step.materials, *((step.material,) if step.material else ())):
                if out.get(m.name):
                    continue
                if set(m.licence_types) & types:
                    out[m.name] = "licence"
                elif m.name in self.captures:
                    out[m.name] = "captured"
                else:
                    out[m.name] = ""
        return out

    def page_size(self, step: StepDef) -> int:
        """Rows per records page: the step's, capped by the run's ``max_page_size`` (长者模式
        shows fewer rows per screen)."""
        if self.max_page_size:
            return max(1, min(step.page_size, self.max_page_size))
        return step.page_size

    def _fetch_records(self, step: StepDef, page: int) -> None:
        size = self.page_size(step)
        if step.source == "licences":
            found = self.ports.licences()
            if isinstance(found, PortFailure):
                self.error = found.message
                self._records[step.id] = None
                return
            self._licences = tuple(found)
            cols = self._columns("licence", ("title", "issuer", "valid_to"))
            items = [{"title": x.title, "issuer": x.issuer, "valid_to": x.valid_to,
                      "licence_id": x.licence_id, "type": x.type} for x in found]
            self._store_local_page(step, say("records.licences", self.locale), cols, items, page,
                                   {})
            return
        if step.source == "benefits":
            found_b = self.ports.benefits()
            if isinstance(found_b, PortFailure):
                self.error = found_b.message
                self._records[step.id] = None
                return
            cols = self._columns("benefit", ("title", "amount", "reason"))
            items = [{"title": b.title, "amount": b.amount, "reason": b.reason, "code": b.code}
                     for b in found_b]
            self._store_local_page(step, say("records.benefits", self.locale), cols, items, page,
                                   {"count": str(len(items))})
            return
        if step.source == "certificates":
            found_c = self.ports.issued_certificates()
            if isinstance(found_c, PortFailure):
                self.error = found_c.message
                self._records[step.id] = None
                return
            cols = self._columns("certificate", ("title", "issue_date", "serial"))
            items = [{"title": c.title, "issue_date": c.issue_date, "serial": c.serial,
                      "kind": c.kind} for c in found_c]
            self._store_local_page(step, say("records.certificates", self.locale), cols, items,
                                   page, {"count": str(len(items))})
            return
        if step.source == "case_progress":
            try:
                number = str(step.case_number.evaluate(self.names(), self.today) or "") \
                    if step.case_number else ""
            except ExpressionError:
                number = ""
            progress = self.ports.case_progress(number)
            if isinstance(progress, PortFailure):
                self.error = progress.message
                self._records[step.id] = None
                return
            cols = self._columns("case", ("time", "step", "note"))
            items = [{"time": e.time, "step": e.step, "note": e.note} for e in progress.history]
            self._store_local_page(step, progress.service, cols, items, page,
                                   {"case_number": progress.case_number,
                                    "case_status": progress.status})
            return
        result = self.ports.fetch_records(step.source, page, size)
        if isinstance(result, PortFailure):
            self.error = result.message
            self._records[step.id] = None
            return
        state = {
            "title": result.title, "columns": result.columns, "items": list(result.items),
            "page": result.page, "pages": result.pages, "total": result.total,
            "summary": dict(result.summary), "kind": result.kind,
        }
        self._records[step.id] = state
        self._bind_records(step, state)

    def _columns(self, kind: str, keys: tuple[str, ...]) -> tuple[RecordColumn, ...]:
        return tuple(RecordColumn(k, say(f"col.{kind}.{k}", self.locale)) for k in keys)

    def _store_local_page(self, step: StepDef, title: str, cols: tuple[RecordColumn, ...],
                          items: list[dict[str, str]], page: int,
                          summary: dict[str, str]) -> None:
        size = self.page_size(step)
        pages = max(1, -(-len(items) // size))
        page = min(max(page, 1), pages)
        state = {"title": title, "columns": cols, "items": items[(page - 1) * size: page * size],
                 "page": page, "pages": pages, "total": len(items), "summary": summary,
                 "kind": step.source}
        self._records[step.id] = state
        self._bind_records(step, state)

    def _bind_records(self, step: StepDef, state: dict[str, Any]) -> None:
        bound = {"title": state["title"], "total": state["total"], "summary": state["summary"],
                 "page": state["page"], "items": state["items"]}
        self.data[step.id] = bound
        self.data["_records"] = bound

    # ------------------------------------------------------------------ intents per step

    def _dispatch(self, intent: Intent) -> None:
        page = self.page.step
        if page == GUIDE_PAGE:
            self._on_guide_page(intent)
            return
        if page == REPORT_PAGE:
            self._on_report(intent)
            return
        if page == REPORT_SENT_PAGE:
            if intent.action in ("next", "resume") and self._report_step:
                self.page = Page(self._report_step)
                self._report_step = ""
                self._advance()
            elif intent.action in ("next", "resume"):
                self._back()
            elif intent.action == "finish":
                self._finish()
            return
        if page == RATE_PAGE:
            self._on_rate(intent)
            return
        if page == UNAVAILABLE_PAGE:
            if intent.action in ("next", "finish"):
                self._finish()
            return
        step = self.step()
        if step is None:
            return
        if step.type == "rate":
            self._on_rate(intent)
        elif step.type == "report":
            self._report_from = step.id
            self._report_step = step.id
            self._on_report(intent)
        else:
            getattr(self, f"_on_{step.type}")(step, intent)

    def _on_identify(self, step: StepDef, intent: Intent) -> None:
        if intent.action in ("identified", "next"):
            if self.resident() is None:
                self.error = say("error.not_identified", self.locale)
                return
            self._load_prefill()
            self._advance()

    def _on_choose(self, step: StepDef, intent: Intent) -> None:
        allowed = {o.value for o in self.visible_options(step.options)}
        if intent.action == "choose":
            if step.multiple:
                values = intent.value if isinstance(intent.value, (list, tuple)) else [intent.value]
                chosen = [str(v) for v in values if str(v) in allowed]
                self.answers[step.key] = chosen
                return
            if str(intent.value) not in allowed:
                self.error = say("error.choose", self.locale)
                return
            self.answers[step.key] = str(intent.value)
            self._advance()
        elif intent.action == "next":
            if not self.answers.get(step.key):
                self.error = say("error.choose", self.locale)
                return
            self._advance()

    def visible_options(self, options: tuple[OptionDef, ...]) -> tuple[OptionDef, ...]:
        """Options whose condition holds."""
        if not any(o.when for o in options):
            return options
        names = self.names()
        return tuple(o for o in options if o.when is None or _truthy(o.when, names, self.today))

    def _on_form(self, step: StepDef, intent: Intent) -> None:
        f = self.current_field()
        if f is None:
            self._advance()
            return
        if intent.action in ("answer", "choose"):
            value = intent.value
            text = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else (
                "" if value is None else str(value))
            text = text.strip()
            problem = self._valid(f, text)
            if problem:
                self.answers[f.key] = text
                self.error = problem
                return
            self.answers[f.key] = text
            self.prefilled.discard(f.key)
            self._advance()
        elif intent.action == "next":
            text = self.field_value(f)
            problem = self._valid(f, text)
            if problem:
                self.error = problem
                return
            self._advance()
        elif intent.action == "skip" and not f.required:
            self.answers.setdefault(f.key, "")
            self._advance()

    def _valid(self, f: FieldDef, text: str) -> str:
        """"" when ``text`` is an acceptable answer for ``f``, else the message."""
        label = self.text(f.label)
        if not text:
            return say("error.required", self.locale, label=label) if f.required else ""
        if len(text) > f.max_length:
            return say("error.too_long", self.locale, label=label, value=f.max_length)
        kind_checks = {"id_number": (is_id_number, "error.id_number"),
                       "phone": (is_phone, "error.phone"), "date": (is_date, "error.date"),
                       "digits": (lambda v: v.isascii() and v.isdigit(), "error.digits")}
        if f.kind in kind_checks:
            check, key = kind_checks[f.kind]
            if not check(text):
                return say(key, self.locale)
        if f.kind == "choice" and text not in {o.value for o in f.options}:
            return say("error.choice", self.locale)
        if f.validate:
            names = self.names()
            names = {**names, "value": text, "answers": {**self.answers, f.key: text}}
            for rule in f.validate:
                if not _truthy(rule.rule, names, self.today):
                    return self.text(rule.message)
        return ""

    def _on_check(self, step: StepDef, intent: Intent) -> None:
        if intent.action == "edit":
            for sid in self.definition.order:
                s = self.definition.steps[sid]
                for i, f in enumerate(s.fields):
                    if f.key == intent.value and f.editable:
                        self.editing = True
                        self._push(Page(sid, i))
                        return
        elif intent.action in ("next", "confirm"):
            self._advance()

    def _on_capture(self, step: StepDef, intent: Intent) -> None:
        assert step.material is not None
        name = step.material.name
        if intent.action in ("capture", "retry"):
            devices = [d for d in ("camera", "scanner") if d in self._all_devices()]
            usable = [d for d in devices if self.device_usable(d)[0]]
            if not usable:
                self.error = self.device_usable(devices[0])[1] if devices else say(
                    "error.device", self.locale)
                return
            captured = self.ports.capture_document(name)
            if isinstance(captured, PortFailure):
                self.error = captured.message
                return
            self.captures[name] = captured
        elif intent.action == "next":
            if name not in self.captures and not step.optional:
                self.error = say("error.capture_needed", self.locale)
                return
            self._advance()
        elif intent.action == "skip" and step.optional:
            self._advance()

    def _on_licence(self, step: StepDef, intent: Intent) -> None:
        offered = {lic.licence_id for lic in self.licences_offered()}
        if intent.action == "choose":
            values = intent.value if isinstance(intent.value, (list, tuple)) else [intent.value]
            self.attached = [str(v) for v in values if str(v) in offered]
        elif intent.action == "next":
            self._advance()

    def _on_submit(self, step: StepDef, intent: Intent) -> None:
        if intent.action not in ("submit", "next", "retry"):
            return
        if self._submitted is not None:  # already submitted (a double tap): just move on
            self._advance()
            return
        service = step.service or self.definition.service_code
        key = self.idempotency_key(f"submit:{step.id}")
        if step.target == "appointment":
            extra = self._step_answers(step)
            day = str(extra.get("date") or self.answers.get("date", "") or "")
            service = str(extra.get("service") or service)  # e.g. the business chosen
            booked = self.ports.book_appointment(service, key, day)
            if isinstance(booked, PortFailure):
                self.error = booked.message
                return
            self._submitted = booked
            self.record.ticket = booked.ticket
            self.record.outcome = "accepted"
            self.data[step.id] = {"ticket": booked.ticket, "window": booked.window,
                                  "waiting": booked.waiting}
        else:
            answers = {**self.answers, **self._step_answers(step)}
            request = ApplicationRequest(
                service=service, answers=answers, licences=tuple(self.attached),
                attachments=tuple(Attachment(c.name, c.content_type, c.sha256, c.data)
                                  for c in self.captures.values()),
                idempotency_key=key,
            )
            outcome = self.ports.submit_application(request)
            if isinstance(outcome, PortFailure):
                self.error = outcome.message
                return
            self._submitted = outcome
            self.record.case_number = outcome.case_number
            self.record.outcome = outcome.status.value
            self.data[step.id] = {"case_number": outcome.case_number,
                                  "status": outcome.status.value, "reason": outcome.reason,
                                  "next_step": outcome.next_step,
                                  "time_limit_days": outcome.time_limit_days}
        self._advance()
        self.history.clear()  # never back across a submission

    def _step_answers(self, step: StepDef) -> dict[str, str]:
        """The submit step's templated extra answers (a failing one is left out)."""
        names = self.names()
        out: dict[str, str] = {}
        for key, template in step.answers.items():
            with contextlib.suppress(ExpressionError):
                out[key] = template.render(names, self.today)
        return out

    def _on_result(self, step: StepDef, intent: Intent) -> None:
        if intent.action == "print" and step.receipt:
            self._prints[step.id] = "done" if self._print_receipt(step.receipt) else "failed"
        elif intent.action in ("next", "finish"):
            self._advance()

    def _on_records(self, step: StepDef, intent: Intent) -> None:
        state = self._records.get(step.id)
        if intent.action in ("page", "page_prev", "page_next"):
            current = state["page"] if state else 1
            try:
                number = {"page_prev": current - 1, "page_next": current + 1}.get(
                    intent.action) or int(intent.value)
            except (TypeError, ValueError):
                return
            pages = state["pages"] if state else 1
            if 1 <= number <= pages:
                self._fetch_records(step, number)
        elif intent.action == "retry":
            self._fetch_records(step, state["page"] if state else 1)
        elif intent.action == "choose" and step.select and state:
            column = step.value_column or (state["columns"][0].key if state["columns"] else "")
            values = {str(item.get(column, "")) for item in state["items"]}
            if str(intent.value) in values:
                self.answers[step.select] = str(intent.value)
                self._advance()
            else:
                self.error = say("error.choose", self.locale)
        elif intent.action == "print" and step.receipt and state:
            rows = tuple(tuple(str(item.get(c.key, "")) for c in state["columns"])
                         for item in state["items"])
            self._print_receipt(step.receipt, rows)
        elif intent.action == "next":
            if step.select and not self.answers.get(step.select):
                self.error = say("error.choose", self.locale)
                return
            self._advance()

    def _on_print_certificate(self, step: StepDef, intent: Intent) -> None:
        if intent.action in ("print", "retry"):
            if self._prints.get(step.id) in ("done", "refused"):
                return  # printed once already (no second copy), or the platform said no
            self._print_certificate(step)
        elif intent.action in ("next", "finish"):
            if self._prints.get(step.id) not in ("done", "refused") and intent.action == "next":
                self.error = say("error.print_first", self.locale)
                return
            self._advance()
        elif intent.action == "skip":
            self._advance()

    def _print_certificate(self, step: StepDef) -> None:
        usable, reason = self.device_usable("document_printer")
        if not usable:
            self._prints[step.id] = "failed"
            self.error = reason
            return
        document = self._documents.get(step.id)
        if document is None:
            document = self._issue(step)
            if document is None:
                return
            self._documents[step.id] = document
        if step.reissue is not None:  # 证明补打: the resident asked for this serial again
            result = self.ports.print_certificate(document, reissue=True)
        else:
            result = self.ports.print_certificate(document)
        if not result.ok:
            self._prints[step.id] = "failed"
            self.error = result.message
            return
        self._prints[step.id] = "done"
        if document.serial not in self.record.serials:
            self.record.serials.append(document.serial)
        self.history.clear()  # never back across a print

    def _issue(self, step: StepDef) -> CertificateDocument | None:
        """Get the certificate from the platform (issued anew, or the stored one for a
        ``reissue``) and compose the document; None with ``error`` set when that fails."""
        names = self.names()
        additions = CertificateAdditions()
        try:
            if step.reissue is not None:
                serial = str(step.reissue.evaluate(names, self.today) or "")
                answer = self.ports.reissue_certificate(serial)
            else:
                template = self.definition.certificates[step.certificate]
                case_number = ""
                if template.case_number is not None:
                    with contextlib.suppress(ExpressionError):
                        case_number = str(template.case_number.evaluate(names, self.today) or "")
                additions = certificate_additions(self.definition, template, names, self.locale,
                                                  self.today)
                answer = self.ports.issue_certificate(
                    template.kind, self.idempotency_key(f"certificate:{step.id}"), case_number,
                    additions)
        except ExpressionError:
            self._prints[step.id] = "failed"
            self.error = say("error.rule", self.locale)
            return None
        if isinstance(answer, PortFailure):
            # not retryable: the platform will not issue it here (e.g. 403 not_eligible, or a
            # serial that is not the resident's)
            self._prints[step.id] = "failed" if answer.retryable else "refused"
            self.error = answer.message
            return None
        self._issued[step.id] = answer
        self.data[step.id] = {"serial": answer.serial, "title": answer.title,
                              "issue_date": answer.issue_date.isoformat()}
        if step.reissue is not None:
            additions = answer.additions  # exactly what was printed the first time
        return compose_certificate(answer, additions, self.resident())

    def _on_print_receipt(self, step: StepDef, intent: Intent) -> None:
        if intent.action in ("print", "retry"):
            if self._print_receipt(step.receipt):
                self._prints[step.id] = "done"
            else:
                self._prints[step.id] = "failed"
        elif intent.action in ("next", "skip", "finish"):
            self._advance()

    def _print_receipt(self, name: str, rows: tuple[tuple[str, ...], ...] = ()) -> bool:
        usable, reason = self.device_usable("receipt_printer")
        if not usable:
            self.error = reason
            return False
        template = self.definition.receipts[name]
        try:
            document = fill_receipt(self.definition, template, self.names(), self.locale,
                                    self.today, rows)
        except ExpressionError:
            self.error = say("error.rule", self.locale)
            return False
        result = self.ports.print_receipt(document)
        self._last_receipt = document
        if not result.ok:
            self.error = result.message
            return False
        self.record.receipts_printed += 1
        return True

    def _on_guide(self, step: StepDef, intent: Intent) -> None:
        if intent.action == "print":
            self._print_guide()
        elif intent.action == "next":
            self._advance()

    def _on_guide_page(self, intent: Intent) -> None:
        if intent.action == "print":
            self._print_guide()
        elif intent.action == "next":
            self._back()

    def _print_guide(self) -> None:
        usable, reason = self.device_usable("receipt_printer")
        if not usable:
            self.error = reason
            return
        document = guide_receipt(self.definition, self.locale)
        result = self.ports.print_receipt(document)
        self._last_receipt = document
        if not result.ok:
            self.error = result.message
        else:
            self.record.receipts_printed += 1

    def _on_message(self, step: StepDef, intent: Intent) -> None:
        if intent.action in ("next", "finish"):
            self._advance()

    def _on_rate(self, intent: Intent) -> None:
        if intent.action == "skip":
            self.rated = True
            self._finish()
            return
        if intent.action == "choose":
            try:
                self._rate_draft["score"] = int(intent.value)
            except (TypeError, ValueError):
                self.error = say("error.bad_score", self.locale)
            return
        if intent.action != "rate":
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
        self._rate_draft = {"score": score, "reasons": reasons}
        if score not in SCORES:
            self.error = say("error.bad_score", self.locale)
            return
        if score in LOW_SCORES and not reasons:
            self.error = say("error.need_reason", self.locale)
            return
        receipt = self.ports.rate(Rating(
            service=self.definition.id, score=score, reasons=tuple(reasons),
            comment=str(value.get("comment", "") or "")[:500],
            case_number=self.record.case_number, idempotency_key=self.idempotency_key("rating"),
        ))
        if isinstance(receipt, PortFailure):
            self.error = receipt.message
            return
        self.record.rating_id = receipt.rating_id
        self.record.score = score
        self.rated = True
        self._finish()

    def rating_reasons(self) -> list[str]:
        """Reasons offered for a low score, in the run's language."""
        step_reasons = next((s.reasons for s in self.definition.steps.values()
                             if s.type == "rate" and s.reasons), ())
        custom = step_reasons or self.definition.rating_reasons
        if custom:
            return [self.text(r) for r in custom]
        return [say(k, self.locale) for k in RATING_REASON_KEYS]

    def report_categories(self) -> list[str]:
        """Problem categories offered, in the run's language."""
        custom = next((s.categories for s in self.definition.steps.values()
                       if s.type == "report" and s.categories), ())
        if custom:
            return [self.text(c) for c in custom]
        return [say(k, self.locale) for k in REPORT_CATEGORY_KEYS]

    def _on_report(self, intent: Intent) -> None:
        draft = self._report_draft
        if intent.action == "choose":
            draft["category"] = str(intent.value or "")
            return
        if intent.action == "answer":
            draft["description"] = str(intent.value or "")[:500]
            return
        if intent.action == "report" and isinstance(intent.value, Mapping):
            draft["category"] = str(intent.value.get("category", "") or "")
            draft["description"] = str(intent.value.get("description", "") or "")[:500]
        elif intent.action not in ("submit", "send", "next"):
            return
        if not draft["category"]:
            self.error = say("error.choose", self.locale)
            return
        description = draft["description"]
        if self._report_context:
            description += say("report.context", self.locale, value=self._report_context)
        sent = self.ports.report_problem(ProblemReport(
            service=self.definition.id, step=self._report_from or self.page.step,
            category=draft["category"], description=description[:600],
            idempotency_key=self.idempotency_key(f"report:{len(self.record.report_ids)}"),
        ))
        if isinstance(sent, PortFailure):
            self.error = sent.message
            return
        self.record.report_ids.append(sent.report_id)
        self._report_result = (sent.report_id, sent.reply_within_days)
        self.page = Page(REPORT_SENT_PAGE)

    def _all_devices(self) -> tuple[str, ...]:
        return self.definition.devices + self.definition.optional_devices

    def _unusable_devices(self, names: tuple[str, ...]) -> str:
        for name in names:
            usable, reason = self.device_usable(name)
            if not usable:
                return reason
        return ""

    def guide_sections(self) -> tuple[Section, ...]:
        """The service guide as titled sections in the run's language."""
        return tuple(Section(say(f"guide.{k}", self.locale), self.text(self.definition.guide[k]))
                     for k in GUIDE_KEYS if k in self.definition.guide)


def _truthy(expression: Any, names: Mapping[str, Any], on: date | None) -> bool:
    try:
        return bool(expression.evaluate(names, on))
    except ExpressionError:
        return False


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


__all__ = ["Action", "Field", "FieldKind", "FlowRun", "Intent", "Option", "Page", "RunRecord",
           "StepKind", "Table", "View"]
