"""Technician mode without Kivy: the state of the technician's pages and their intents.

Like the resident side (kiosk.core.controller), the controller holds all state and publishes a
frozen
`TechnicianState` to its listeners; the screen (kiosk.ui.screens.technician) only renders it and
turns taps into intents. Blocking work (PIN hashing, discovery, device tests, saving, export,
the platform check) runs on the terminal's task runner (kiosk.core.tasks), whose ``done`` runs on
the
UI thread. Entry: the corner hold (`corner_down`/`corner_up`, timed on the injected clock), or a
technician card (`card_at_attract`, `card_presented`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from kiosk.core.device_labels import DEVICE_LABELS
from kiosk.core.events import log_event
from kiosk.core.session import Phase, SessionLifecycle
from kiosk.core.tasks import TaskRunner
from kiosk.technician.device_tests import TestResult
from kiosk.technician.discovery import baud_of, with_baud
from kiosk.technician.pin import DEMO_PIN, PinCheck, PinOutcome
from kiosk.technician.services import VOLUME_STEP_PERCENT, TechnicianServices
from kiosk.technician.state import (
    CHANGED_TEXT,
    LOCKED_PREFIX,
    NO_PIN_TEXT,
    PARAMETERS,
    PIN_MAX_DIGITS,
    TOUCH_GRID,
    DeviceEdit,
    Note,
    Page,
    TechnicianState,
    locked_text,
)
from kiosk.technician.words import device_line

__all__ = ["DEMO_PIN", "ENTRY_PHASES", "HOLD_SECONDS", "TOUCH_GRID", "DeviceEdit", "Note",
           "Page", "TechnicianController", "TechnicianState"]

log = logging.getLogger(__name__)

#: Hold this long in the corner to open technician mode (long enough not to happen by chance).
HOLD_SECONDS = 4.0
#: The phases in which the corner hold and a technician card open technician mode.
ENTRY_PHASES = frozenset({Phase.ATTRACT, Phase.OUT_OF_SERVICE})
TechnicianListener = Callable[[TechnicianState], None]


class TechnicianController:
    """State and intents of technician mode, independent of Kivy."""

    def __init__(self, services: TechnicianServices, lifecycle: SessionLifecycle,
                 runner: TaskRunner, clock: Callable[[], float],
                 hold_seconds: float = HOLD_SECONDS,
                 sample_volume: Callable[[int], None] | None = None) -> None:
        self.services = services
        self.lifecycle = lifecycle
        self.runner = runner
        self.hold_seconds = hold_seconds
        self._clock = clock
        self._sample_volume = sample_volume
        self._listeners: list[TechnicianListener] = []
        self._pin = ""
        self._held_since: float | None = None
        self._hold_fired = False
        #: Bumped on every wipe: results of work started before it are dropped.
        self._generation = 0
        self._pending = 0
        self._card_entry = False
        self.state = TechnicianState()
        lifecycle.on_change(self._on_phase)
        lifecycle.on_wipe(self._on_wipe)

    # -- subscription ------------------------------------------------------------------------
    def subscribe(self, listener: TechnicianListener) -> None:
        """Call ``listener(state)`` on every change (on the UI thread)."""
        self._listeners.append(listener)
        listener(self.state)

    def _publish(self, **changes: Any) -> None:
        self.state = replace(self.state, **changes)
        for listener in list(self._listeners):
            listener(self.state)

    def _work(self, work: Callable[[], Any], done: Callable[[Any], None],
              busy_text: str = "") -> None:
        """Run ``work`` on the runner; ``done(result)`` unless a wipe came in between."""
        generation = self._generation
        self._pending += 1
        changes: dict[str, Any] = {"busy": True}
        if busy_text:
            changes["message"] = Note(busy_text, "muted")
        self._publish(**changes)

        def finish(result: Any) -> None:
            if generation != self._generation:
                return
            self._pending -= 1
            self._publish(busy=self._pending > 0)
            if isinstance(result, Exception):
                log_event(log, "technician_task_failed", logging.ERROR,
                          error=type(result).__name__)
                self._publish(message=Note(f"操作失败: {type(result).__name__}"))
                return
            done(result)
        self.runner.submit(work, finish)

    @property
    def active(self) -> bool:
        """True while the terminal is in technician mode."""
        return self.lifecycle.phase is Phase.TECHNICIAN

    # -- entry: the corner hold ----------------------------------------------------------------
    def armed(self) -> bool:
        """True when the corner hold or a technician card may open technician mode."""
        return self.lifecycle.phase in ENTRY_PHASES

    def corner_down(self) -> bool:
        """A finger went down in the corner; True when the hold is being timed."""
        self._hold_fired = False
        if not self.armed():
            self._held_since = None
            return False
        self._held_since = self._clock()
        return True

    def corner_tick(self) -> bool:
        """While the finger stays: open technician mode once it has been held long enough."""
        if self._held_since is None or self._hold_fired:
            return self._hold_fired
        if self._clock() - self._held_since >= self.hold_seconds:
            self._hold_fired = True
            self._held_since = None
            if self.armed():
                log_event(log, "technician_gesture")
                self.lifecycle.enter_technician()
        return self._hold_fired

    def corner_up(self) -> bool:
        """The finger left; True when it was an ordinary tap (released before the hold)."""
        fired = self.corner_tick()
        self._held_since, self._hold_fired = None, False
        return not fired

    def corner_cancel(self) -> None:
        """The finger slid out of the corner: no hold, no tap."""
        self._held_since = None

    # -- entry: the technician card ------------------------------------------------------------
    def card_at_attract(self, card_number: str, otherwise: Callable[[], None]) -> None:
        """A card read between sessions: a technician card opens technician mode logged in;
        any other card goes on to ``otherwise`` (the resident's identification)."""
        pins = self.services.pins
        if not card_number.strip() or pins is None or not pins.has_cards():
            otherwise()
            return

        def done(matches: Any) -> None:
            if matches is True and self.armed():
                log_event(log, "technician_card", outcome="ok", where="attract")
                self._card_entry = True
                self.lifecycle.enter_technician()
            else:
                otherwise()
        self.runner.submit(lambda: pins.card_matches(card_number), done)

    def card_presented(self, card_number: str) -> None:
        """A card read in technician mode: on the PIN page a technician card logs in."""
        pins = self.services.pins
        if not self.active or self.state.page is not Page.PIN or pins is None:
            return

        def done(matches: Any) -> None:
            if matches is True:
                log_event(log, "technician_card", outcome="ok")
                self._log_in()
            else:
                log_event(log, "technician_card", outcome="refused")
                self._publish(message=Note("此卡不是技术员卡"))
        self._work(lambda: pins.card_matches(card_number), done)

    # -- lifecycle ---------------------------------------------------------------------------
    def _on_phase(self, _old: Phase, new: Phase, _reason: str) -> None:
        if new is not Phase.TECHNICIAN:
            return
        by_card, self._card_entry = self._card_entry, False
        if by_card:
            self._log_in()
        else:
            self.show_pin()

    def _on_wipe(self) -> None:
        """Every technician session ends in a wipe: forget the login and every page."""
        self._generation += 1
        self._pending = 0
        self._pin = ""
        self._held_since, self._hold_fired = None, False
        self.state = TechnicianState()
        self._publish()

    def leave(self) -> None:
        """Leave technician mode: the session ends and is wiped."""
        log_event(log, "technician_leave")
        self.lifecycle.end("technician_exit")

    def back(self) -> None:
        """返回: up one page; from the PIN page or home, leave technician mode."""
        if self.state.authenticated and self.state.page in (Page.DEVICE, Page.EXPORT,
                                                             Page.TOUCH, Page.ERRORS):
            self.show_home()
        else:
            self.leave()

    def tick(self) -> None:
        """Once a second: the lockout countdown, and live device status."""
        if not self.active:
            return
        if self.state.page is Page.PIN:
            self._refresh_lock_message()
        elif self.state.page in (Page.HOME, Page.DEVICE):
            self.refresh_statuses()

    # -- PIN ---------------------------------------------------------------------------------
    def show_pin(self) -> None:
        """The PIN page (also after a failed card)."""
        self._pin = ""
        message, demo_pin = Note(), ""
        pins = self.services.pins
        if pins is not None and not pins.is_set():
            if self.services.settings.profile == "demo":
                pins.set_demo_pin(DEMO_PIN)
                demo_pin = DEMO_PIN
            else:
                message = Note(NO_PIN_TEXT)
        self._publish(page=Page.PIN, authenticated=False, pin_length=0, message=message,
                      demo_pin=demo_pin, device=None)
        self._refresh_lock_message()

    def set_pin_entry(self, value: str) -> None:
        """The digits typed so far (from the on-screen PIN pad)."""
        self._pin = "".join(c for c in value if c.isdigit())[:PIN_MAX_DIGITS]
        self._publish(pin_length=len(self._pin))

    def submit_pin(self) -> None:
        """确定: check the PIN (scrypt takes a moment: on the runner)."""
        pin, self._pin = self._pin, ""
        self._publish(pin_length=0)
        pins = self.services.pins
        if pins is None or not self.active or not pin:
            return
        self._work(lambda: pins.check(pin), self._pin_checked)

    def _pin_checked(self, check: PinCheck) -> None:
        log_event(log, "technician_pin", outcome=check.outcome.value)
        if check.ok:
            self._log_in()
        elif check.outcome is PinOutcome.LOCKED:
            self._publish(message=Note(locked_text(check.wait_seconds)))
        elif check.outcome is PinOutcome.NOT_SET:
            self._publish(message=Note("本机尚未设置技术员密码，请刷技术员卡"))
        else:
            self._publish(message=Note(f"密码错误，还可尝试 {check.attempts_left} 次"))

    def _refresh_lock_message(self) -> None:
        pins = self.services.pins
        if pins is None:
            return
        check = pins.state()
        if check.outcome is PinOutcome.LOCKED:
            self._publish(message=Note(locked_text(check.wait_seconds)))
        elif self.state.message.text.startswith(LOCKED_PREFIX):
            self._publish(message=Note())

    def _log_in(self) -> None:
        self._publish(authenticated=True)
        self.show_home()

    # -- home ------------------------------------------------------------------------------
    def _status_lines(self) -> dict[str, str]:
        hub = self.services.hub
        statuses, urls = hub.statuses(), hub.urls()
        lines = {}
        for name in DEVICE_LABELS:
            lines[name] = device_line(name, statuses.get(name), urls.get(name))
        return lines

    def refresh_statuses(self) -> None:
        """The hub's current status and URL of every device."""
        lines = self._status_lines()
        if lines != self.state.statuses:
            self._publish(statuses=lines)

    def show_home(self) -> None:
        """Terminal facts, the device list with live status, and the tools."""
        if not self.state.authenticated:
            self.show_pin()
            return
        self._publish(page=Page.HOME, message=Note(), device=None, facts=None,
                      statuses=self._status_lines(), volume=self.services.volume())
        self._work(self.services.facts, lambda facts: self._publish(facts=tuple(facts)))

    def change_volume(self, delta: int) -> None:
        """音量 −/+ (stored; the voice prompts use it; a sample is spoken)."""
        if not self.state.authenticated:
            return
        value = self.services.set_volume(self.services.volume() + delta)
        self._publish(volume=value)
        if self._sample_volume is not None:
            try:
                self._sample_volume(value)
            except Exception as exc:  # no sound device must not break technician mode
                log_event(log, "technician_volume_sample_failed", logging.WARNING,
                          error=type(exc).__name__)

    def volume_up(self) -> None:
        """音量 +."""
        self.change_volume(VOLUME_STEP_PERCENT)

    def volume_down(self) -> None:
        """音量 −."""
        self.change_volume(-VOLUME_STEP_PERCENT)

    # -- one device ---------------------------------------------------------------------------
    def show_device(self, name: str) -> None:
        """Connection, parameters, 测试 and 保存 for one device."""
        if not self.state.authenticated or name not in DEVICE_LABELS:
            return
        hw = self.services.settings.hardware
        hardware = {key: getattr(hw, key) for _, key, _ in PARAMETERS.get(name, [])
                    if key != "baud"}
        edit = DeviceEdit(name, self.services.hub.urls().get(name, "none"), hardware)
        self._publish(page=Page.DEVICE, device=edit, message=Note(),
                      statuses=self._status_lines())
        self._work(self.services.discover, self._discovered)

    def _discovered(self, found: Any) -> None:
        edit = self.state.device
        if self.state.page is not Page.DEVICE or edit is None:
            return
        topic = {"smartcard": "PC/SC", "document_printer": "IPP"}.get(edit.name, "-")
        notes = tuple(n for n in found.notes if topic in n)
        self._publish(device=replace(edit, candidates=tuple(found.for_device(edit.name)),
                                     notes=notes, discovering=False))

    @staticmethod
    def base_url(url: str) -> str:
        """``url`` without its baud rate (to compare connections)."""
        return with_baud(url, 0).replace("?baud=0", "").replace("&baud=0", "")

    def choose(self, url: str) -> None:
        """Pick a connection (a new choice needs a new test before saving)."""
        edit = self.state.device
        if edit is None:
            return
        baud = baud_of(edit.url)
        chosen = with_baud(url, baud) if baud and baud_of(url) is None else url
        self._changed(replace(edit, url=chosen))

    def set_parameter(self, key: str, value: Any) -> None:
        """Pick a parameter value (baud goes into the URL, the rest into [hardware])."""
        edit = self.state.device
        if edit is None:
            return
        if key == "baud":
            self._changed(replace(edit, url=with_baud(edit.url, int(value))))
        else:
            self._changed(replace(edit, hardware={**edit.hardware, key: value}))

    def _changed(self, edit: DeviceEdit) -> None:
        self._publish(device=replace(edit, last_test=None, confirm="", preview_png=None,
                                     result=Note(CHANGED_TEXT, "muted")), message=Note())

    def run_test(self) -> None:
        """测试: open the device at the chosen connection and make it work once."""
        edit = self.state.device
        if edit is None or edit.testing:
            return
        name, url, hardware = edit.name, edit.url, dict(edit.hardware)
        testing = replace(edit, testing=True, confirm="", preview_png=None, result=Note(
            f"正在测试 {url} …（读卡/扫码测试请放卡或出示码）", "muted"))
        self._publish(device=testing, message=Note())

        def done(result: TestResult) -> None:
            current = self.state.device
            if self.state.page is not Page.DEVICE or current is None or current.name != name:
                return
            ok = Note(("测试通过: " if result.ok else "测试失败: ") + result.detail,
                      "success" if result.ok else "error")
            self._publish(device=replace(
                current, testing=False, last_test=(url, hardware, result), result=ok,
                preview_png=result.preview_png,
                confirm=result.confirm if not result.ok else ""))
        self._work(lambda: self.services.test_device(name, url, hardware), done)

    def confirm(self, seen: bool) -> None:
        """The technician's answer to the test's question (是，已打印 / 否)."""
        edit = self.state.device
        if edit is None or edit.last_test is None or not edit.confirm:
            return
        if not seen:
            self._publish(device=replace(edit, confirm="", preview_png=None))
            return
        url, hardware, result = edit.last_test
        confirmed = result.confirmed()
        self._publish(device=replace(edit, confirm="", preview_png=None,
                                     last_test=(url, hardware, confirmed),
                                     result=Note("测试通过: " + confirmed.detail, "success")))

    def save_blocked_reason(self) -> str:
        """Why 保存 is refused now ("" when it may save)."""
        edit = self.state.device
        if edit is None or edit.last_test is None:
            return "不能保存：请先测试当前设置"
        url, hardware, result = edit.last_test
        if url != edit.url or dict(hardware) != dict(edit.hardware):
            return "不能保存：设置在测试后已更改，请重新测试"
        if not result.ok:
            return f"不能保存：测试未通过（{result.detail}）"
        return ""

    def save(self) -> None:
        """保存: only after a passing test of exactly these settings."""
        edit = self.state.device
        reason = self.save_blocked_reason()
        if edit is None or reason:
            self._publish(message=Note(reason))
            return
        name, url, hardware = edit.name, edit.url, dict(edit.hardware)

        def done(result: Any) -> None:
            if self.state.page is not Page.DEVICE:
                return
            if result.ok:
                self._publish(message=Note(f"已保存并重新连接 {edit.label}", "success"),
                              statuses=self._status_lines())
            else:
                self._publish(message=Note(f"未保存：{result.reason}"))
        self._work(lambda: self.services.save_device(name, url, hardware), done, "正在保存…")

    # -- export, errors, touch test ------------------------------------------------------------
    def show_export(self) -> None:
        """Pick a folder (a USB stick or the data folder) for the diagnostics bundle."""
        if not self.state.authenticated:
            return
        self._publish(page=Page.EXPORT, message=Note(),
                      export_targets=tuple(self.services.export_targets()))

    def export_to(self, target: Path) -> None:
        """Write the bundle to ``target`` (one of the offered folders)."""
        if target not in self.state.export_targets:
            return

        def done(result: Any) -> None:
            self._publish(message=Note(("已导出: " if result.ok else "导出失败: ") + result.detail,
                                       "success" if result.ok else "error"))
        self._work(lambda: self.services.export(target), done, "正在导出…")

    def show_errors(self) -> None:
        """The last warnings and errors of the log (already masked)."""
        if not self.state.authenticated:
            return
        self._publish(page=Page.ERRORS, errors=None, message=Note())
        self._work(self.services.recent_errors,
                   lambda lines: self._publish(errors=tuple(lines)))

    def show_touch_test(self) -> None:
        """A grid of cells that turn green where touched."""
        if self.state.authenticated:
            self._publish(page=Page.TOUCH, touched=frozenset(), message=Note())

    def cell_touched(self, index: int) -> None:
        """A cell of the touch-test grid was touched."""
        if self.state.page is Page.TOUCH and 0 <= index < TOUCH_GRID[0] * TOUCH_GRID[1]:
            self._publish(touched=self.state.touched | {index})
