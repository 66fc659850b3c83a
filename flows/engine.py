"""The flow engine: runs one service definition for one resident, one screen at a time.

    run = FlowRun(definition, ports, locale="zh-CN")
    view = run.view()               # what to show now
    view = run.send(Intent(IntentAction.NEXT))  # what the resident did -> the next screen

The engine is synchronous and pure apart from the port calls: the UI calls `send` from a
worker thread when the intent may reach a port (submit, print, fetch), then shows the returned
`View`. Every screen carries the 办事指南 and 办不成事 actions; ``back`` returns to the previous
screen shown (never across a submission or a print); every way out passes through the rating
screen and ends on a DONE view.

`FlowRun` keeps navigation (the page, the history, skipping), the bindings templates read and
the `RunRecord`; each step kind (flows/steps/<kind>.py, one table in ``flows.steps``) does its
own entering, intents and view. Everything the run holds about its resident is one
`ResidentState`, replaced whole by `discard`.

A run generates one idempotency root (``run.key``); each creating call derives its key from it
and its purpose, so a retry of the same submission or certificate reuses the same key.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flows.definition import END, FieldDef, FlowDefinition, OptionDef, StepDef
from flows.documents import CertificateDocument, ReceiptDocument
from flows.page import (
    DONE_PAGE,
    GUIDE_PAGE,
    OVERLAY_PAGES,
    RATE_PAGE,
    REPORT_PAGE,
    REPORT_SENT_PAGE,
    UNAVAILABLE_PAGE,
    Page,
)
from flows.ports import (
    ApplicationOutcome,
    Appointment,
    CapturedDocument,
    Resident,
    SessionPorts,
)
from flows.screens import build_view
from flows.state import ResidentState
from flows.steps import STEP_TYPES, guide, rate, report
from flows.steps.base import truthy
from flows.strings import say
from flows.views import (
    Action,
    Field,
    FieldKind,
    Intent,
    IntentAction,
    Option,
    StepKind,
    Table,
    View,
)

MAX_AUTO_STEPS = 200  # guard against a definition that skips in a circle


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
        #: Everything about the resident (answers, captures, fetched data, drafts, errors).
        self.state = ResidentState()
        self.history: list[Page] = []
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

        The whole `ResidentState` is replaced; the `record` (ids, serials, outcome; no
        personal data) is kept for the journal.
        """
        self.state = ResidentState()
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
        step = self.step()
        if action == IntentAction.GUIDE and self.page.step not in OVERLAY_PAGES:
            self.push(Page(GUIDE_PAGE))
        elif action == IntentAction.REPORT and self.page.step != REPORT_PAGE and not (
                step is not None and step.type == "report"):
            self.state.new_report(self.page.step, shown_error)
            self.push(Page(REPORT_PAGE))
            if isinstance(intent.value, Mapping):  # one-shot report from any screen
                report.respond(self, intent)
        elif action == IntentAction.BACK:
            self.back()
        elif action == IntentAction.CANCEL:
            self.finish()
        elif action == IntentAction.SCANNED:
            self._scanned(intent.value)
        else:
            self._dispatch(intent)
        return self.view()

    def _scanned(self, payload: Any) -> None:
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
        if step is None or not STEP_TYPES[step.type].scan(self, step, kind, text):
            self.error = say("error.scan_here", self.locale)

    def _dispatch(self, intent: Intent) -> None:
        page = self.page.step
        if page == GUIDE_PAGE:
            guide.handle_page(self, intent)
        elif page == REPORT_PAGE:
            report.respond(self, intent)
        elif page == REPORT_SENT_PAGE:
            if intent.action in (IntentAction.NEXT, IntentAction.RESUME) and self.state.report_step:
                self.page = Page(self.state.report_step)
                self.state.report_step = ""
                self.advance()
            elif intent.action in (IntentAction.NEXT, IntentAction.RESUME):
                self.back()
            elif intent.action == IntentAction.FINISH:
                self.finish()
        elif page == RATE_PAGE:
            rate.respond(self, intent)
        elif page == UNAVAILABLE_PAGE:
            if intent.action in (IntentAction.NEXT, IntentAction.FINISH):
                self.finish()
        else:
            step = self.step()
            if step is not None:
                STEP_TYPES[step.type].handle(self, step, intent)

    # ------------------------------------------------------------------ resident state

    @property
    def error(self) -> str:
        """The problem shown on the current screen ("" when none)."""
        return self.state.error

    @error.setter
    def error(self, message: str) -> None:
        self.state.error = message

    @property
    def answers(self) -> dict[str, Any]:
        """The answers given (or pre-filled) by field or step key."""
        return self.state.answers

    @property
    def prefilled(self) -> set[str]:
        """Keys of the answers taken from what the platform already knows."""
        return self.state.prefilled

    @property
    def data(self) -> dict[str, Any]:
        """What steps fetched or were given, by step id, for templates."""
        return self.state.data

    @property
    def captures(self) -> dict[str, CapturedDocument]:
        """The paper materials photographed, by material name."""
        return self.state.captures

    def submitted(self) -> ApplicationOutcome | Appointment | None:
        """The outcome of the submission, if any."""
        return self.state.submitted

    def last_receipt(self) -> ReceiptDocument | None:
        """The last receipt handed to the printer (for tests and the journal)."""
        return self.state.last_receipt

    def certificate_document(self, step_id: str) -> CertificateDocument | None:
        """The certificate filled on a step (for tests and the journal)."""
        return self.state.documents.get(step_id)

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
        state = self.state
        outcome = state.submitted
        return {
            "identity": identity, "profile": dict(state.profile), "prefill": dict(state.prefill),
            "answers": state.answers, "data": state.data,
            "licences": [lic.type for lic in (state.licences or ()) if
                         lic.licence_id in state.attached],
            "materials": self.materials(), "service": self.definition.id,
            "locale": self.locale,
            "outcome": outcome.status.value if isinstance(outcome, ApplicationOutcome) else "",
            "case_number": self.record.case_number,
            "records": state.data.get("_records", {}),
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

    def materials(self) -> dict[str, str]:
        """Each material of the flow -> "licence" | "captured" | ""."""
        state = self.state
        types = {lic.type for lic in (state.licences or ()) if lic.licence_id in state.attached}
        out: dict[str, str] = {}
        for step in self.definition.steps.values():
            for m in (*step.materials, *((step.material,) if step.material else ())):
                if out.get(m.name):
                    continue
                if set(m.licence_types) & types:
                    out[m.name] = "licence"
                elif m.name in state.captures:
                    out[m.name] = "captured"
                else:
                    out[m.name] = ""
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

    def visible_options(self, options: tuple[OptionDef, ...]) -> tuple[OptionDef, ...]:
        """Options whose condition holds."""
        if not any(o.when for o in options):
            return options
        names = self.names()
        return tuple(o for o in options if o.when is None or truthy(o.when, names, self.today))

    def device_usable(self, name: str) -> tuple[bool, str]:
        """Whether a device is usable now, and a resident-facing reason when it is not (the
        ports' words, which name the device; a generic sentence when they give none)."""
        state = self.ports.devices().get(name)
        if state is None:
            return False, say("error.device", self.locale)
        if state.usable:
            return True, ""
        return False, state.reason or say("error.device", self.locale)

    def _unusable_devices(self, names: tuple[str, ...]) -> str:
        for name in names:
            usable, reason = self.device_usable(name)
            if not usable:
                return reason
        return ""

    # ------------------------------------------------------------------ navigation

    def can_go_back(self) -> bool:
        """True when ``back`` leads somewhere."""
        return bool(self.history) and self.page.step not in (DONE_PAGE, RATE_PAGE)

    def push(self, page: Page) -> None:
        """Show ``page`` next, the current one going onto the history."""
        self.history.append(self.page)
        self.page = page

    def back(self) -> None:
        """Return to the previous page shown (nothing when there is none)."""
        if not self.can_go_back():
            return
        self.page = self.history.pop()
        self.state.editing = False
        while self.page.step == REPORT_SENT_PAGE and self.history:
            self.page = self.history.pop()

    def advance(self) -> None:
        """Leave the current page for the next one (recorded in history): the step's next
        page (question), the check page after an edit, or the next step."""
        step = self.step()
        if step is None:
            self.finish()
            return
        if not self.state.editing:
            nxt = STEP_TYPES[step.type].pages(self, step, self.page.index + 1)
            if nxt is not None:
                self.push(Page(step.id, nxt))
                self._settle()
                return
        if self.state.editing:
            self.state.editing = False
            target = self._check_page()
            if target is not None:
                self.push(target)
                return
        target_id = self._transition(step)
        if target_id == END:
            self.finish()
            return
        self.push(Page(target_id, self._first_index(target_id)))
        self._settle()

    def finish(self) -> None:
        """Leave the service: through the rating page, then the DONE page."""
        self.history.clear()
        if self.state.rated or self.page.step == RATE_PAGE:
            self.page = Page(DONE_PAGE)
        else:
            self.page = Page(RATE_PAGE)

    def _transition(self, step: StepDef) -> str:
        names = None
        for t in step.next:
            if t.when is None:
                return t.target
            names = names or self.names()
            if truthy(t.when, names, self.today):
                return t.target
        return self._following(step)

    def _following(self, step: StepDef) -> str:
        order = self.definition.order
        i = order.index(step.id)
        return order[i + 1] if i + 1 < len(order) else END

    def _first_index(self, step_id: str) -> int:
        step = self.step(step_id)
        if step is None:
            return 0
        return STEP_TYPES[step.type].pages(self, step, 0) or 0

    def _check_page(self) -> Page | None:
        for sid in self.definition.order:
            if self.definition.steps[sid].type == "check":
                return Page(sid)
        return None

    def _settle(self) -> None:
        """Skip pages with nothing to ask (condition false, already known) and load data."""
        for _ in range(MAX_AUTO_STEPS):
            step = self.step()
            if step is None:
                return
            names = self.names()
            if step.when is not None and not truthy(step.when, names, self.today):
                following = self._following(step)  # a skipped step: the next one in order
                if following == END:
                    self.finish()
                    return
                self.page = Page(following, self._first_index(following))
                continue
            if not STEP_TYPES[step.type].enter(self, step):
                return
            target = self._transition(step)
            if target == END:
                self.finish()
                return
            self.page = Page(target, self._first_index(target))
        self.error = say("error.rule", self.locale)  # a definition looping on skips


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


__all__ = ["Action", "Field", "FieldKind", "FlowRun", "Intent", "Option", "Page", "RunRecord",
           "StepKind", "Table", "View"]
