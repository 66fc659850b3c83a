"""The kiosk controller: everything the screen shows, and everything a resident can do, in pure
Python (no Kivy). The UI renders `UiState` and calls the intent methods; device events arrive
through the hub on the UI thread; blocking work runs on the task runner.

It ties together the session lifecycle, identification, the service catalogue, the running
flow, and degraded mode (services needing an unusable device are greyed with the reason).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol

from drivers.interfaces import DeviceEvent
from drivers.status import DeviceStatus
from flows.ports import DeviceName
from flows.views import Intent, IntentAction, StepKind, View
from identifiers.masking import mask_name
from kiosk.core.browse import (
    ALL_CATEGORY,
    BROWSE_TABS,
    CATEGORIES,
    FREQUENT,
    TILE_CATEGORIES,
    select,
)
from kiosk.core.device_labels import DEVICE_LABELS, DISABLED, devices_down_text
from kiosk.core.enterprise import (
    AUDIENCES,
    ENTERPRISE,
    ENTERPRISE_METHOD,
    LICENCE_CODE_KINDS,
    PERSON,
    TEXT_CHOSEN,
    TEXT_CODE_FIRST,
    TEXT_CODE_OK,
    TEXT_LICENCE_SCANNED,
    TEXT_PERSON,
    TEXT_SWITCH_LATER,
    EnterpriseIdentity,
    credit_code_problem,
    normalise_credit_code,
)
from kiosk.core.entries import ServiceEntry
from kiosk.core.events import log_event
from kiosk.core.privacy import REDACTOR
from kiosk.core.session import Phase, SessionLifecycle
from kiosk.core.tasks import TaskRunner
from kiosk.i18n import N_, _, current_locale

log = logging.getLogger(__name__)

#: Screens where a card presented or a failed read is reported as a notice.
IDENTIFY_SCREENS = ("attract", "identify", "enterprise_identify", "home")
#: Devices that read a card (an ID card or a social security card).
CARD_READERS = (DeviceName.IDCARD, DeviceName.SMARTCARD)

__all__ = ["ALL_CATEGORY", "CATEGORIES", "FREQUENT", "TILE_CATEGORIES", "KioskController",
           "ServiceEntry", "UiState"]


class FlowRunLike(Protocol):
    """What the controller needs of a running flow (flows.engine.FlowRun)."""

    def view(self) -> View:
        """The current screen."""

    def send(self, intent: Intent) -> View:
        """Apply the resident's intent and return the next screen."""


class CatalogueLike(Protocol):
    """What the controller needs of the service catalogue."""

    def entries(self) -> list[ServiceEntry]:
        """Every service offered, in display order."""

    def search(self, query: str) -> list[str]:
        """Service ids matching Chinese, full pinyin or pinyin initials."""

    def start(self, service_id: str, session_context: dict[str, Any]) -> FlowRunLike:
        """Start a run of ``service_id`` for the current session."""


class IdentityVerifier(Protocol):
    """Turns a card identity into a platform resident token (blocking; runs on the worker)."""

    def verify(self, method: str, identity: Any) -> tuple[str, str]:
        """Return (resident_token, display_name) or raise with a plain ``message``."""


class FaceAddOn(Protocol):
    """The face check after a card (kiosk.core.face_flow.FaceFlow), attached as ``face``."""

    def required_for(self, method: str) -> bool:
        """True when a resident identified by ``method`` must pass the face check."""

    def begin(self, identity: Any, proceed: Callable[[str, str], None]) -> None:
        """Check the card holder ``identity``; ``proceed(token, display_name)`` on a match."""


@dataclass(frozen=True, slots=True)
class UiState:
    """Everything the UI renders."""

    screen: str  # attract | home | identify | enterprise_identify | step | out_of_service | ...
    phase: Phase
    view: View | None = None
    services: tuple[ServiceEntry, ...] = ()
    category: str = FREQUENT
    query: str = ""
    groups: tuple[tuple[str, int], ...] = ()  # 按主题 / 按部门 before a group is chosen
    group: str = ""  # the theme or department chosen
    page: int = 0  # page of the tiles (the screen knows how many fit)
    greeting: str = ""
    busy: bool = False
    busy_text: str = ""
    notice: str = ""
    notice_kind: str = "info"  # info | error
    out_of_service_reason: str = ""
    service_title: str = ""
    #: What the still-there overlay asks: "idle" (您还在吗？) or "continue" (after a service).
    ask: str = "idle"
    #: 通知公告 from the console, shown on the attract screen ("" = none).
    announcement: str = ""
    #: 个人办事 (person) or 法人办事 (enterprise): which items home lists and how one identifies.
    audience: str = PERSON
    #: 法人办事 identification: the enterprise's code is known (typed or scanned), card next.
    enterprise_code_ready: bool = False


Listener = Callable[[UiState], None]


class KioskController:
    """State and intents of the kiosk, independent of Kivy."""

    def __init__(self, lifecycle: SessionLifecycle, catalogue: CatalogueLike,
                 verifier: IdentityVerifier, runner: TaskRunner,
                 device_status: Callable[[str], DeviceStatus],
                 today: Callable[[], date] = date.today,
                 identify_devices: tuple[str, ...] = (DeviceName.IDCARD, DeviceName.SMARTCARD,
                                                        DeviceName.SCANNER)) -> None:
        self.lifecycle = lifecycle
        self.catalogue = catalogue
        self.verifier = verifier
        self.runner = runner
        self._device_status = device_status
        self._today = today
        self._identify_devices = identify_devices
        self._listeners: list[Listener] = []
        self._run: FlowRunLike | None = None
        self._pending_service: str | None = None
        self._service_id = ""  # the item being run (counted when completed)
        self._left_early = False  # the resident cancelled it (rated, but not a completion)
        #: Set by the composition root (kiosk.technician.controller): a card read in
        #: technician mode goes to the technician's PIN page...
        self.on_technician_card: Callable[[str], None] | None = None
        #: ...and a card read between sessions is first offered as a technician card:
        #: ``technician_card_at_attract(card_number, otherwise)``.
        self.technician_card_at_attract: Callable[[str, Callable[[], None]], None] | None = None
        self.state = UiState(screen="attract", phase=lifecycle.phase)
        #: The face check (kiosk.core.face_flow.FaceFlow), attached by build_kiosk; None = none.
        self.face: FaceAddOn | None = None
        #: Told the id of every completed item (the console link's statistics); None = no one.
        self.on_completed: Callable[[str], None] | None = None
        #: Told usage codes (the console link's statistics, docs/adr/0740):
        #: ``on_usage(kind, service=..., step=..., method=...)`` for started, abandoned,
        #: printed, print_failed and identified; ids and codes only. None = no one.
        self.on_usage: Callable[..., None] | None = None
        #: Out of service by a remote operation: the message for residents (None = not).
        self._remote_message: str | None = None
        lifecycle.on_change(self._on_phase)
        lifecycle.on_wipe(self._on_wipe)

    @property
    def service_id(self) -> str:
        """The id of the service being run ("" on home)."""
        return self._service_id if self._run is not None else ""

    @property
    def current_run(self) -> FlowRunLike | None:
        """The service run on screen (None at home or attract); for headless residents."""
        return self._run

    # -- subscription ------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(state)`` on every change (on the UI thread)."""
        self._listeners.append(listener)
        listener(self.state)

    def _publish(self, **changes: Any) -> None:
        self.state = replace(self.state, phase=self.lifecycle.phase, **changes)
        for listener in list(self._listeners):
            listener(self.state)

    # -- attract and home --------------------------------------------------------------------
    def tap_attract(self) -> None:
        """The resident touched the attract screen."""
        if self.lifecycle.phase is Phase.ATTRACT:
            self.lifecycle.start("touch")
            self._show_home()

    def touch(self) -> None:
        """Any touch during a session keeps it alive."""
        self.lifecycle.touch()

    def still_here(self) -> None:
        """The resident answered the "still there?" question."""
        self.lifecycle.touch()

    def home(self) -> None:
        """首页: leave the running service (the session stays)."""
        if self.lifecycle.phase not in (Phase.ACTIVE, Phase.STILL_THERE):
            return
        self._abandoned()
        discard = getattr(self._run, "discard", None)
        if callable(discard):
            discard()
        self._run = None
        self._show_home()

    def finish(self) -> None:
        """End the session (退出 / 完成)."""
        self.lifecycle.end("finished")

    def set_audience(self, audience: str) -> None:
        """个人办事 / 法人办事: list that audience's items (an identified session keeps its own)."""
        if audience not in AUDIENCES or self.lifecycle.phase not in (Phase.ACTIVE,
                                                                    Phase.STILL_THERE):
            return
        self.lifecycle.touch()
        session = self.lifecycle.session
        if session is not None and session.resident_token and audience != self.state.audience:
            self._publish(notice=_(TEXT_SWITCH_LATER), notice_kind="error")
            return
        self._publish(audience=audience, notice=_(TEXT_CHOSEN if audience == ENTERPRISE
                                                  else TEXT_PERSON), notice_kind="info")
        self._show_home(category=FREQUENT, group="", page=0, query="")

    def enter_credit_code(self, text: str) -> bool:
        """法人办事: the 统一社会信用代码 typed on the identify screen; False (and a plain
        message) when its length or check character is wrong."""
        session = self.lifecycle.session
        if session is None:
            return False
        self.lifecycle.touch()
        code = normalise_credit_code(text)
        problem = credit_code_problem(code)
        if problem:
            session.credit_code = ""
            self._publish(notice=_(problem), notice_kind="error", enterprise_code_ready=bool(
                session.licence_code))
            return False
        session.credit_code, session.licence_code = code, ""
        self._publish(notice=_(TEXT_CODE_OK), notice_kind="info", enterprise_code_ready=True)
        return True

    def set_category(self, category: str) -> None:
        """Show a tab: 常用, 按主题, 按部门, 全部, 查询, 办理 or 打印 (first page, no group)."""
        if category in CATEGORIES:
            self._show_home(category=category, group="", page=0, query="")

    def open_group(self, group: str) -> None:
        """On 按主题 / 按部门: list the items of one theme or department."""
        if self.state.category in BROWSE_TABS:
            self._show_home(group=group, page=0)

    def show_page(self, page: int) -> None:
        """Another page of the tiles (the screen clamps it to what exists)."""
        self._show_home(page=max(0, page))

    def search(self, query: str) -> None:
        """Filter the home screen by a search text (Chinese, pinyin, initials, synonyms)."""
        self._show_home(query=query[:32], page=0)

    def _entries(self) -> list[ServiceEntry]:
        entries = []
        session = self.lifecycle.session
        identified = bool(session and session.resident_token)
        configured = [d for d in self._identify_devices if self._device_status(d) != DISABLED]
        can_identify = not configured or any(self._usable(d) for d in configured)
        usable: dict[str, bool] = {}  # each device asked once per listing, not once per item
        reasons: dict[tuple[str, ...], str] = {}
        for entry in self.catalogue.entries():
            for device in entry.devices:
                if device not in usable:
                    usable[device] = self._usable(device)
            missing = tuple(d for d in entry.devices if not usable[d])
            if entry.needs_identity and not identified and not can_identify and entry.available:
                entry = replace(entry, available=False, reason=_("身份核验设备暂不可用"))
            if missing and entry.available:
                if missing not in reasons:
                    reasons[missing] = devices_down_text(missing, current_locale())
                entry = replace(entry, available=False, reason=reasons[missing])
            entries.append(entry)
        return entries

    def _usable(self, device: str) -> bool:
        status = self._device_status(device)
        return bool(getattr(status, "usable", False))

    def _show_home(self, category: str | None = None, query: str | None = None,
                   group: str | None = None, page: int | None = None) -> None:
        category = self.state.category if category is None else category
        query = self.state.query if query is None else query
        group = self.state.group if group is None else group
        page = self.state.page if page is None else page
        order = getattr(self.catalogue, "theme_order", tuple)
        audience = self.state.audience
        listed = [e for e in self._entries() if e.audience == audience]
        entries, groups = select(listed, category, group, query, self.catalogue.search, order())
        session = self.lifecycle.session
        greeting = (_("您好，{name}", name=session.display_name)
                    if session and session.display_name else "")
        self._publish(screen="home", services=tuple(entries), category=category, query=query,
                      view=None, greeting=greeting, busy=False, service_title="", group=group,
                      groups=tuple((g.name, g.count) for g in groups), page=page)

    def services_available(self) -> bool:
        """True when at least one service can be used now (else out of service)."""
        if self._remote_message is not None:
            return False
        return any(e.available for e in self._entries())

    # -- remote operation (the central console) ----------------------------------------------
    @property
    def remote_out_of_service(self) -> bool:
        """True while a remote operation holds the terminal out of service."""
        return self._remote_message is not None

    def set_remote_out_of_service(self, message: str) -> None:
        """Out of service with ``message`` for residents; a running session finishes first
        (out of service shows only between sessions)."""
        self._remote_message = message.strip() or _("设备维护中")
        self._refresh_availability()
        if self.lifecycle.phase is Phase.OUT_OF_SERVICE:
            self._publish(out_of_service_reason=self._out_of_service_reason())

    def return_to_service(self) -> None:
        """End a remote out of service; devices decide again whether services are offered."""
        self._remote_message = None
        self._refresh_availability()
        if self.lifecycle.phase is Phase.OUT_OF_SERVICE:
            self._publish(out_of_service_reason=self._out_of_service_reason())

    def set_announcement(self, text: str) -> None:
        """Show (or with "" take down) a 通知公告 on the attract screen."""
        self._publish(announcement=text)

    # -- services ----------------------------------------------------------------------------
    def open_service(self, service_id: str) -> None:
        """Start a service; ask for identification first when it needs it."""
        if self.lifecycle.phase not in (Phase.ACTIVE, Phase.STILL_THERE) or self.state.busy:
            return
        entry = next((e for e in self._entries() if e.service_id == service_id), None)
        if entry is None:
            return
        if not entry.available:
            self._publish(notice=_("“{title}”暂不可用：{reason}", title=entry.title,
                                    reason=entry.reason), notice_kind="error")
            return
        session = self.lifecycle.session
        if entry.needs_identity and session is not None and not session.resident_token:
            self._pending_service = service_id
            enterprise = entry.audience == ENTERPRISE
            self._publish(screen="enterprise_identify" if enterprise else "identify",
                          audience=ENTERPRISE if enterprise else self.state.audience,
                          service_title=entry.title, view=None, notice="",
                          enterprise_code_ready=bool(session.credit_code or session.licence_code))
            return
        self._start_run(entry)

    def _start_run(self, entry: ServiceEntry) -> None:
        session = self.lifecycle.session
        if session is None:
            return
        session_id = session.session_id
        try:
            run = self.catalogue.start(entry.service_id, {"session": session})
        except Exception as exc:  # a broken bundle: the service is unavailable, never a crash
            log_event(log, "service_start_failed", logging.ERROR, service=entry.service_id,
                      error=type(exc).__name__)
            self._publish(notice=_("“{title}”暂不可用，请选择其他服务或到窗口办理",
                                   title=entry.title), notice_kind="error")
            return
        self._run = run
        self._service_id = entry.service_id
        self._left_early = False
        log_event(log, "service_started", service=entry.service_id)
        self._usage("started", service=entry.service_id)
        self._publish(busy=True, busy_text=_("正在处理，请稍候"), notice="",
                      service_title=entry.title)

        def done(result: Any) -> None:
            current = self.lifecycle.session
            if current is None or current.session_id != session_id or self._run is not run:
                return
            if isinstance(result, Exception):
                self._run = None
                self._publish(busy=False, notice=_("“{title}”暂不可用，请选择其他服务或到窗口办理",
                                                   title=entry.title), notice_kind="error")
                self._show_home()
                return
            self._show_view(result, entry.title)

        starter = getattr(run, "start", run.view)
        self.runner.submit(starter, done)

    def send(self, intent: Intent) -> None:
        """Forward the resident's intent to the running flow (blocking work on the worker)."""
        run = self._run
        if run is None or self.state.busy:
            return  # a touch storm or a stale tap: ignored, not raised
        self.lifecycle.touch()
        session = self.lifecycle.session
        session_id = session.session_id if session else ""
        self._publish(busy=True, busy_text=_busy_text(intent), notice="")
        before = self.state.view
        if intent.action == IntentAction.CANCEL:
            self._abandoned()
            self._left_early = True

        def done(result: Any) -> None:
            current = self.lifecycle.session
            if current is None or current.session_id != session_id or self._run is not run:
                return  # the session ended meanwhile: drop the stale result
            if isinstance(result, Exception):
                self._publish(busy=False, notice=_("系统繁忙，请稍后再试或到窗口办理"),
                              notice_kind="error")
                return
            printing = intent.action in (IntentAction.PRINT, IntentAction.RETRY)
            if printing and before is not None and (
                    before.kind in _PRINT_STEPS or intent.action == IntentAction.PRINT):
                self._usage("print_failed" if result.error else "printed",
                            service=self._service_id, step=before.step_id)
            finished = getattr(result, "kind", None) is StepKind.DONE
            if finished and intent.action != IntentAction.CANCEL:
                self._completed(self._service_id)
            self._show_view(result, self.state.service_title)
            if _printed_silently(intent, result):
                self._publish(notice=_("已打印，请在出纸口取走凭条"), notice_kind="info")

        self.runner.submit(lambda: run.send(intent), done)

    def _usage(self, kind: str, **codes: str) -> None:
        """Tell `on_usage` (statistics never stop a resident)."""
        if self.on_usage is None:
            return
        try:
            self.on_usage(kind, **codes)
        except Exception as exc:
            log_event(log, "usage_report_failed", logging.WARNING, error=type(exc).__name__)

    def _abandoned(self) -> None:
        """The running service ends here without completing: count the step it ended at
        (once; a service the resident left and then rated is not counted again)."""
        view = self.state.view
        if self._run is None or self._left_early or view is None:
            return
        if view.kind is StepKind.DONE:
            return
        self._left_early = True
        self._usage("abandoned", service=self._service_id, step=view.step_id)

    def _completed(self, service_id: str) -> None:
        """Count a completed item for 常用 and search ranking (the id only)."""
        if self.on_completed is not None and service_id and not self._left_early:
            try:
                self.on_completed(service_id)
            except Exception as exc:  # statistics never stop a resident
                log_event(log, "usage_report_failed", logging.WARNING, error=type(exc).__name__)
        count = getattr(self.catalogue, "completed", None)
        if callable(count) and service_id:
            try:
                count(service_id)
            except Exception as exc:  # counting never stops a resident
                log_event(log, "usage_count_failed", logging.WARNING, error=type(exc).__name__)

    def _show_view(self, view: View, service_title: str) -> None:
        if view.kind is StepKind.DONE:
            self._run = None
            self._show_home()
            # the service is over (rated, or cancelled): ask at once, do not wait for idle
            self.lifecycle.ask_to_continue()
            return
        self._publish(screen="step", view=view, busy=False, service_title=service_title,
                      notice="")

    # -- identification ----------------------------------------------------------------------
    def on_device_event(self, device: str, event: DeviceEvent) -> None:
        """Device events, already on the UI thread."""
        if event.kind == "status":
            self._refresh_availability()
            return
        if self.lifecycle.phase is Phase.TECHNICIAN:
            if event.kind == "identity_read" and self.on_technician_card is not None:
                self.on_technician_card(str(getattr(event.payload, "card_number", "")))
            return
        if event.kind == "card_presented" and device in CARD_READERS and \
                self.state.screen in IDENTIFY_SCREENS and not self.state.busy:
            self._publish(notice=_("正在读取证件，请不要移动"), notice_kind="info")
            return
        if event.kind == "identity_read" and device in self._identify_devices:
            card_number = str(getattr(event.payload, "card_number", "") or "")
            check = self.technician_card_at_attract
            if check is not None and card_number and self.lifecycle.phase in (
                    Phase.ATTRACT, Phase.OUT_OF_SERVICE):
                payload = event.payload
                check(card_number, lambda: self._identify(device, payload))
                return
            self._identify(device, event.payload)
        elif event.kind == "read_failed" and self.state.screen in IDENTIFY_SCREENS:
            self._publish(notice=_read_failure_text(str(event.payload)), notice_kind="error")
        elif event.kind == "code_scanned" and device in (DeviceName.SCANNER, DeviceName.CAMERA):
            self._on_code(event.payload)
        elif event.kind == "code_rejected" and self.lifecycle.phase is not Phase.TECHNICIAN:
            self._publish(notice=_("无法识别该二维码，请重新出示或到窗口办理"), notice_kind="error")
        elif event.kind == "card_removed":
            pass  # the card is no longer needed once read; the session goes on

    def _on_code(self, payload: Any) -> None:
        kind = getattr(payload, "kind", None)
        if str(kind) in ("personal_code", "PayloadKind.PERSONAL_CODE", "personal"):
            if self.state.audience == ENTERPRISE:
                self._publish(notice=_(TEXT_CODE_FIRST), notice_kind="error")
                return
            self._identify("qrcode", payload)
        elif str(kind) in LICENCE_CODE_KINDS and self._run is None:
            self._licence_code(str(getattr(payload, "text", "")))
        elif self._run is not None:
            self.send(Intent(IntentAction.SCANNED, payload))

    def _licence_code(self, code: str) -> None:
        """An enterprise's business licence QR code: 法人办事, the representative's card next."""
        if self.lifecycle.phase is Phase.ATTRACT:
            self.lifecycle.start("licence_code")
        session = self.lifecycle.session
        if session is None or self.state.busy or self.lifecycle.phase not in (
                Phase.ACTIVE, Phase.STILL_THERE):
            return
        if session.resident_token:
            self._publish(notice=_(TEXT_SWITCH_LATER), notice_kind="error")
            return
        session.licence_code, session.credit_code = code, ""
        screen = self.state.screen if self.state.screen in ("home", "enterprise_identify") \
            else "home"
        self._publish(audience=ENTERPRISE, enterprise_code_ready=True, screen=screen,
                      notice=_(TEXT_LICENCE_SCANNED), notice_kind="info")
        if screen == "home":
            self._show_home(category=FREQUENT, group="", page=0, query="")

    def _identify(self, method: str, identity: Any) -> None:
        if self.lifecycle.phase not in (Phase.ATTRACT, Phase.ACTIVE, Phase.STILL_THERE):
            return
        if self.state.audience == ENTERPRISE and method in CARD_READERS:
            session = self.lifecycle.session
            if session is None or not (session.credit_code or session.licence_code):
                self._publish(notice=_(TEXT_CODE_FIRST), notice_kind="error")
                return
            method = ENTERPRISE_METHOD
            identity = EnterpriseIdentity(identity, session.credit_code, session.licence_code)
        expired = getattr(identity, "expired", None)
        if callable(expired) and expired(self._today()):
            self._publish(notice=_("您的证件已过有效期，请使用有效证件或到窗口办理"),
                          notice_kind="error")
            return
        if self.lifecycle.phase is Phase.ATTRACT:
            self.lifecycle.start(method)
        session = self.lifecycle.session
        if session is None or self.state.busy:
            return
        session_id = session.session_id
        session.resident = identity
        REDACTOR.register(getattr(identity, "name", ""), getattr(identity, "address", ""),
                          getattr(identity, "id_number", ""))
        self._publish(busy=True, busy_text=_("正在核验身份，请稍候"), notice="")

        def done(result: Any) -> None:
            current = self.lifecycle.session
            if current is None or current.session_id != session_id:
                return
            if isinstance(result, Exception):
                current.resident = None
                if method == ENTERPRISE_METHOD:  # the code may be the wrong one: typed again
                    current.credit_code = current.licence_code = ""
                    self._publish(enterprise_code_ready=False)
                message = getattr(result, "message", "") or _("身份核验暂时无法完成，请稍后再试")
                self._publish(busy=False, notice=message, notice_kind="error")
                if self.state.screen == "attract":
                    self._show_home()
                return
            token, display_name = result
            self._publish(busy=False)
            if self.face is not None and self.face.required_for(method):
                self.face.begin(identity, lambda t, n: self._identified(method, identity, t, n,
                                                                        face=True))
                return
            self._identified(method, identity, token, display_name)

        self.runner.submit(lambda: self.verifier.verify(method, identity), done)

    def _identified(self, method: str, identity: Any, token: str, display_name: str,
                    face: bool = False) -> None:
        """The resident is identified (card, code, or card and face): carry on."""
        current = self.lifecycle.session
        if current is None:
            return
        self._usage("identified", method=method)
        if face:
            self._usage("identified", method="face")
        current.resident_token = token
        current.display_name = display_name or mask_name(getattr(identity, "name", ""))
        if method == ENTERPRISE_METHOD:
            current.enterprise_name = current.display_name
        log_event(log, "resident_identified", method=method)
        pending, self._pending_service = self._pending_service, None
        entry = next((e for e in self._entries() if e.service_id == pending), None)
        if entry is not None and entry.available:
            self._start_run(entry)
        elif self._run is not None:
            self.send(Intent(IntentAction.IDENTIFIED))
        else:
            self._show_home()

    def relocalize(self, locale: str) -> None:
        """The language changed: show the same screen again in ``locale``."""
        run = self._run
        if run is not None and self.state.screen == "step":
            if hasattr(run, "locale"):
                run.locale = locale
            self._show_view(run.view(), self.state.service_title)
        elif self.state.screen == "home":
            self._show_home()
        else:
            self._publish()

    # -- lifecycle ---------------------------------------------------------------------------
    def tick(self) -> None:
        """Once a second: timeouts and the header's countdown."""
        self.lifecycle.tick()

    def refresh_availability(self) -> None:
        """Re-check which services can be offered (after devices changed)."""
        self._refresh_availability()

    def _refresh_availability(self) -> None:
        if self.state.screen == "identify" and not self._usable(DeviceName.IDCARD) and \
                not self._usable(DeviceName.SMARTCARD):
            offline = READ_FAILURE_TEXT["offline"]
            self._publish(notice=_(offline), notice_kind="error")
        available = self.services_available()
        self.lifecycle.set_service_available(available, "devices" if not available else "")
        if self.state.screen == "home":
            self._show_home()
        elif self.state.screen == "step":
            self._refresh_step()

    def _refresh_step(self) -> None:
        """A device changed while a step is shown: ask the flow for the view again, so that
        打印 is not offered on a printer the kiosk now knows is out of paper (and offered again
        once it is back). Only the buttons' states and the reason change; nothing is sent."""
        run = self._run
        old = self.state.view
        if run is None or old is None or self.state.busy:
            return
        try:
            view = run.view()
        except Exception as exc:  # a flow bug must not break device handling
            log_event(log, "step_refresh_failed", logging.WARNING, error=type(exc).__name__)
            return
        if view.step_id == old.step_id and (view.actions, view.error) != (old.actions,
                                                                            old.error):
            self._publish(view=view)

    def _on_phase(self, old: Phase, new: Phase, reason: str) -> None:
        log_event(log, "session_phase", old=old.value, new=new.value, reason=reason)
        if new is Phase.ATTRACT:
            self._publish(screen="attract", view=None, busy=False, greeting="", query="",
                          category=FREQUENT, group="", page=0, notice="", service_title="",
                          audience=PERSON, enterprise_code_ready=False)
        elif new is Phase.OUT_OF_SERVICE:
            self._publish(screen="out_of_service", view=None, busy=False,
                          out_of_service_reason=self._out_of_service_reason())
        elif new is Phase.STILL_THERE or (old is Phase.STILL_THERE and new is Phase.ACTIVE):
            self._publish(ask=self.lifecycle.ask.value)
        elif new is Phase.TECHNICIAN:
            self._publish(screen="technician", view=None)

    def _out_of_service_reason(self) -> str:
        if self._remote_message is not None:
            return self._remote_message
        down = [d for d in DEVICE_LABELS
                if not self._usable(d) and self._device_status(d) != DISABLED]
        if not down:
            return _("服务暂不可用")
        return devices_down_text(down, current_locale())

    def _on_wipe(self) -> None:
        self._abandoned()
        discard = getattr(self._run, "discard", None)
        if callable(discard):
            discard()
        self._run = None
        self._pending_service = None
        self.state = UiState(screen="attract", phase=self.lifecycle.phase,
                             announcement=self.state.announcement)


#: Steps that show a print's outcome themselves; after a print anywhere else (打印查询结果 on a
#: list, 打印办事指南 on the guide) the screen would otherwise not change at all.
_PRINT_STEPS = frozenset({StepKind.PRINT_CERTIFICATE, StepKind.PRINT_RECEIPT, StepKind.DONE})


def _printed_silently(intent: Intent, view: View) -> bool:
    """True when ``intent`` printed on a step that says nothing about it (no error shown)."""
    return intent.action == IntentAction.PRINT and view.kind not in _PRINT_STEPS and not view.error


def _busy_text(intent: Intent) -> str:
    texts: dict[str, str] = {IntentAction.PRINT: N_("正在打印，请稍候"),
                             IntentAction.SUBMIT: N_("正在提交，请稍候")}
    return _(texts.get(intent.action, N_("正在处理，请稍候")))


READ_FAILURE_TEXT = {
    "bad_check_character": N_("身份证号码校验未通过，请到人工窗口办理"),
    "invalid_id_number": N_("身份证号码校验未通过，请到人工窗口办理"),
    "unreadable": N_("读卡失败，请将身份证平放在感应区，不要移动"),
    "removed": N_("证件已移开，请重新放置"),
    "pulled_mid_read": N_("证件已移开，请重新放置"),
    "offline": N_("读卡器暂时无法使用，请使用其他方式或到窗口办理"),
}


def _read_failure_text(reason: str) -> str:
    for key, text in READ_FAILURE_TEXT.items():
        if key in reason:
            return _(text)
    fallback = READ_FAILURE_TEXT["unreadable"]
    return _(fallback)
