"""Faults during a journey, through the real UI: a touch storm, a device pulled out, the
printer running out of paper, the platform down. Each gets a plain message; nothing crashes;
the kiosk keeps running or returns to attract."""

from __future__ import annotations

import time

import pytest

from tests.ui.conftest import RunningKiosk

pytestmark = pytest.mark.slow

SERVICE = "social-insurance-payments"


def _start_records(kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    kiosk.present_id_card("worker")
    driver.tap(app.screens["home"].tile_buttons[SERVICE])
    driver.wait_for_screen("step_records")


def test_touch_storm_starts_one_run_and_prints_once(kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    kiosk.present_id_card("worker")
    tile = app.screens["home"].tile_buttons[SERVICE]
    for _ in range(25):
        driver.tap(tile)
    driver.wait_for_screen("step_records")
    first_run = kiosk.parts.controller._run
    driver.tap(app.screens["step_records"].buttons["next"])
    driver.wait_for_screen("step_print_certificate")
    printed = len(kiosk.sim("document_printer").printed_documents())
    button = app.screens["step_print_certificate"].buttons["print"]
    for _ in range(15):
        driver.tap(button)
    # taps after the print landed on 下一步 (same place): the storm may move on, never reprint
    driver.wait_for(lambda: app.state.view is not None and not app.state.busy and (
        app.state.view.outcome == "done" or app.manager.current == "step_rate"), what="printed")
    driver.pump(10)
    assert kiosk.parts.controller._run is first_run
    assert len(kiosk.sim("document_printer").printed_documents()) == printed + 1


def test_id_reader_pulled_out_mid_journey_does_not_stop_the_resident(
        kiosk: RunningKiosk) -> None:
    driver, app, hub = kiosk.driver, kiosk.app, kiosk.parts.hub
    _start_records(kiosk)
    kiosk.sim("idcard").unplug()
    driver.wait_for(lambda: not hub.usable("idcard"), what="reader gone")
    driver.tap(app.screens["step_records"].buttons["next"])
    driver.wait_for_screen("step_print_certificate")  # the journey goes on
    kiosk.sim("idcard").replug()
    driver.wait_for(lambda: hub.usable("idcard"), what="reader back by itself")


def test_printer_out_of_paper_gives_a_plain_message_and_a_reprint(kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    printer = kiosk.sim("document_printer")
    _start_records(kiosk)
    driver.tap(app.screens["step_records"].buttons["next"])
    driver.wait_for_screen("step_print_certificate")
    printer.set_fault("media-empty")
    driver.tap(app.screens["step_print_certificate"].buttons["print"])
    driver.wait_for(lambda: bool(app.screens["step_print_certificate"].error.text),
                    what="paper-out message")
    message = app.screens["step_print_certificate"].error.text
    assert "纸" in message or "打印" in message
    assert "Traceback" not in message
    entries = kiosk.parts.printing.journal.pending_reprints()
    assert entries, "the interrupted certificate is offered again"
    printer.load_paper()
    printer.set_fault("complete")
    kiosk.back_to_attract()


def test_platform_down_shows_a_plain_message_and_recovers(kiosk: RunningKiosk) -> None:
    driver, app, sandbox = kiosk.driver, kiosk.app, kiosk.parts.sandbox
    kiosk.present_id_card("worker")
    sandbox.app.faults.arm({"fail_next": 100, "status": 503})
    try:
        driver.tap(app.screens["home"].tile_buttons[SERVICE])
        driver.wait_for(lambda: app.state is not None and not app.state.busy and (
            bool(app.state.notice) or (app.state.view is not None and bool(app.state.view.error))),
            what="a plain message")
        shown = app.state.notice or app.state.view.error
        assert "暂时" in shown or "稍后" in shown
    finally:
        sandbox.app.faults.clear()
    started = time.monotonic()
    kiosk.back_to_attract()
    assert time.monotonic() - started < 60
