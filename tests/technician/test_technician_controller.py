"""The technician controller headless (no Kivy): the corner hold timed on the kiosk's clock, in
attract and out of service only; PIN entry; the technician card between sessions; a device
tested on its simulator before saving; and a wipe that drops every login, page and late
result. Real parts: a session lifecycle, a device hub of simulators, the PIN store and the
site file on disk, the inline task runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.adapters.devices import DeviceHub
from kiosk.boot.settings import load_settings
from kiosk.core.session import Phase, SessionLifecycle, SessionTiming
from kiosk.core.tasks import InlineRunner
from kiosk.technician.controller import (
    DEMO_PIN,
    HOLD_SECONDS,
    Page,
    TechnicianController,
)
from kiosk.technician.device_tests import TestOptions
from kiosk.technician.pin import PinStore
from kiosk.technician.services import TechnicianServices

PIN = "13572468"
CARD = "D15600012"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class QueuedRunner:
    """A task runner that holds work until the test lets it run (to test late results)."""

    def __init__(self) -> None:
        self.queue: list[tuple[Callable[[], Any], Callable[[Any], None]]] = []

    def submit(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Hold the work."""
        self.queue.append((work, done))

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run now."""
        fn()

    def run_all(self) -> None:
        """Run everything held, in order."""
        while self.queue:
            work, done = self.queue.pop(0)
            done(work())


class Rig:
    """A lifecycle, a hub of simulators and the technician controller on them."""

    def __init__(self, tmp: Path, runner: Any = None) -> None:
        env = {"KIOSK__PATHS__DATA_DIR": str(tmp / "data")}
        self.settings = load_settings(environ=env)
        self.clock = Clock()
        self.lifecycle = SessionLifecycle(SessionTiming(60, 20, 900), self.clock,
                                          tmp / "sessions")
        self.hub = DeviceHub({"receipt_printer": "sim://receipt", "idcard": "none",
                              "smartcard": "none", "camera": "none", "scanner": "none",
                              "document_printer": "none"}, call_soon=lambda fn: fn())
        self.pins = PinStore(tmp / "data" / "technician" / "pin.json", self.clock, profile="demo")
        self.services = TechnicianServices(
            self.settings, self.hub, site_file=tmp / "site.toml", pins=self.pins,
            probe_ipp=False, test_options=TestOptions(present_timeout_seconds=5,
                                                      open_timeout_seconds=10))
        self.runner = runner or InlineRunner()
        self.tech = TechnicianController(self.services, self.lifecycle, self.runner,
                                         self.clock)
        self.published: list[Any] = []
        self.tech.subscribe(self.published.append)

    def log_in(self) -> None:
        self.lifecycle.enter_technician()
        self.tech.set_pin_entry(PIN)
        self.tech.submit_pin()
        assert self.tech.state.page is Page.HOME and self.tech.state.authenticated


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    rig = Rig(tmp_path)
    rig.pins.set_pin(PIN)
    rig.hub.start(lambda _name, _event: None)
    yield rig
    rig.hub.stop()


def test_the_hold_opens_only_after_four_seconds_on_the_clock(rig: Rig) -> None:
    assert rig.tech.hold_seconds == HOLD_SECONDS == 4.0
    assert rig.tech.corner_down()
    rig.clock.now += 3.9
    assert not rig.tech.corner_tick()
    assert rig.lifecycle.phase is Phase.ATTRACT
    rig.clock.now += 0.1
    assert rig.tech.corner_tick()
    assert rig.lifecycle.phase is Phase.TECHNICIAN
    assert rig.tech.state.page is Page.PIN and not rig.tech.state.authenticated
    assert not rig.tech.corner_up()  # the hold fired: the release is not a tap


def test_a_short_press_is_a_tap_and_a_slide_out_is_nothing(rig: Rig) -> None:
    assert rig.tech.corner_down()
    rig.clock.now += 1.0
    assert rig.tech.corner_up()  # an ordinary tap on attract
    assert rig.tech.corner_down()
    rig.tech.corner_cancel()
    rig.clock.now += 10
    assert not rig.tech.corner_tick()
    assert rig.lifecycle.phase is Phase.ATTRACT


def test_the_hold_works_out_of_service_but_not_in_a_residents_session(rig: Rig) -> None:
    rig.lifecycle.set_service_available(False, "devices")
    assert rig.lifecycle.phase is Phase.OUT_OF_SERVICE
    assert rig.tech.corner_down()
    rig.clock.now += HOLD_SECONDS
    rig.tech.corner_tick()
    assert rig.lifecycle.phase is Phase.TECHNICIAN
    rig.tech.leave()
    rig.lifecycle.set_service_available(True)
    rig.lifecycle.start("touch")
    assert not rig.tech.corner_down()
    rig.clock.now += HOLD_SECONDS
    assert not rig.tech.corner_tick()
    assert rig.lifecycle.phase is Phase.ACTIVE


def test_wrong_then_right_pin_and_the_home_page(rig: Rig) -> None:
    rig.lifecycle.enter_technician()
    rig.tech.set_pin_entry("11a1111")
    assert rig.tech.state.pin_length == 6  # digits only
    rig.tech.submit_pin()
    assert "还可尝试 2 次" in rig.tech.state.message.text
    assert rig.tech.state.pin_length == 0 and not rig.tech.state.busy
    rig.tech.submit_pin()  # nothing typed: no attempt counted
    assert "还可尝试 2 次" in rig.tech.state.message.text
    rig.tech.set_pin_entry(PIN)
    rig.tech.submit_pin()
    state = rig.tech.state
    assert state.page is Page.HOME and state.authenticated
    assert state.facts is not None and any(f.name == "terminal" for f in state.facts)
    assert "凭条打印机" in state.statuses["receipt_printer"]
    assert "sim://receipt" in state.statuses["receipt_printer"]


def test_pages_need_the_login(rig: Rig) -> None:
    rig.lifecycle.enter_technician()
    for intent in (rig.tech.show_home, rig.tech.show_export, rig.tech.show_errors,
                   rig.tech.show_touch_test, lambda: rig.tech.show_device("idcard")):
        intent()
        assert rig.tech.state.page is Page.PIN and not rig.tech.state.authenticated


def test_demo_terminal_without_a_pin_gets_the_demo_pin(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    rig.lifecycle.enter_technician()
    assert rig.tech.state.demo_pin == DEMO_PIN
    rig.tech.set_pin_entry(DEMO_PIN)
    rig.tech.submit_pin()
    assert rig.tech.state.authenticated


def test_technician_card_between_sessions(rig: Rig) -> None:
    residents: list[str] = []
    rig.tech.card_at_attract(CARD, lambda: residents.append("no cards configured"))
    assert residents == ["no cards configured"] and rig.lifecycle.phase is Phase.ATTRACT
    rig.pins.add_card(CARD)
    rig.tech.card_at_attract("D99999999", lambda: residents.append("resident"))
    assert residents[-1] == "resident" and rig.lifecycle.phase is Phase.ATTRACT
    rig.tech.card_at_attract(CARD.lower(), lambda: residents.append("wrong"))
    assert residents[-1] == "resident"
    assert rig.lifecycle.phase is Phase.TECHNICIAN
    assert rig.tech.state.authenticated and rig.tech.state.page is Page.HOME


def test_card_on_the_pin_page(rig: Rig) -> None:
    rig.pins.add_card(CARD)
    rig.lifecycle.enter_technician()
    rig.tech.card_presented("D99999999")
    assert rig.tech.state.message.text == "此卡不是技术员卡"
    assert not rig.tech.state.authenticated
    rig.tech.card_presented(CARD)
    assert rig.tech.state.authenticated and rig.tech.state.page is Page.HOME


def test_device_tested_on_its_simulator_then_saved(rig: Rig) -> None:
    rig.log_in()
    rig.tech.show_device("receipt_printer")
    edit = rig.tech.state.device
    assert edit is not None and not edit.discovering
    assert any(c.url.startswith("sim://") for c in edit.candidates)
    rig.tech.save()
    assert rig.tech.state.message.text == "不能保存：请先测试当前设置"
    rig.tech.set_parameter("receipt_paper_width_mm", 58)
    rig.tech.run_test()
    edit = rig.tech.state.device
    assert edit is not None and edit.last_test is not None, edit
    assert edit.result.text.startswith("测试通过"), edit.result
    rig.tech.set_parameter("receipt_paper_width_mm", 80)
    assert rig.tech.state.device is not None
    assert rig.tech.state.device.result.text.startswith("设置已更改")
    rig.tech.save()  # a change after the test: test again first
    assert rig.tech.state.message.text == "不能保存：请先测试当前设置"
    rig.tech.set_parameter("receipt_paper_width_mm", 58)
    rig.tech.run_test()
    rig.tech.save()
    assert rig.tech.state.message.text.startswith("已保存"), rig.tech.state.message
    assert "receipt_paper_width_mm = 58" in rig.services.site_file.read_text("utf-8")


def test_touch_grid_volume_and_back(rig: Rig) -> None:
    rig.log_in()
    before = rig.tech.state.volume
    rig.tech.volume_up()
    assert rig.tech.state.volume == min(100, before + 10) == rig.services.volume()
    rig.tech.show_touch_test()
    for cell in (0, 31, 31, 99):
        rig.tech.cell_touched(cell)
    assert rig.tech.state.touched == {0, 31}
    rig.tech.back()
    assert rig.tech.state.page is Page.HOME
    rig.tech.back()
    assert rig.lifecycle.phase is Phase.ATTRACT


def test_a_wipe_forgets_the_login_and_drops_late_results(tmp_path: Path) -> None:
    runner = QueuedRunner()
    rig = Rig(tmp_path, runner)
    rig.pins.set_pin(PIN)
    rig.lifecycle.enter_technician()
    rig.tech.set_pin_entry(PIN)
    rig.tech.submit_pin()
    assert rig.tech.state.busy and len(runner.queue) == 1
    rig.tech.leave()  # the technician walks away before the check finishes
    assert rig.lifecycle.phase is Phase.ATTRACT
    runner.run_all()
    state = rig.tech.state
    assert not state.authenticated and state.page is Page.PIN and not state.busy
    assert state.device is None and state.facts is None
    rig.lifecycle.enter_technician()
    assert not rig.tech.state.authenticated
