"""Technician entry through the screen of the kiosk as `kiosk run` composes it: the hidden
4-second hold in the corner (timed on the kiosk's clock) up to the device list, a short tap that
stays an ordinary tap, wrong PINs, the lockout message, and leaving (a wipe back to attract)."""

from __future__ import annotations

import pytest
from kivy.tests.common import UnitTestTouch

from kiosk.core.session import Phase
from kiosk.technician.controller import HOLD_SECONDS
from kiosk.technician.pin import FIRST_LOCKOUT_SECONDS
from tests.technician.ui.conftest import PIN, TechnicianKiosk


@pytest.mark.slow
def test_four_second_hold_in_the_corner_reaches_the_device_list(tech: TechnicianKiosk) -> None:
    assert tech.technician.hold_seconds == HOLD_SECONDS == 4.0
    touch = UnitTestTouch(8, 8)
    touch.touch_down()
    tech.driver.pump(3)
    tech.clock.offset += HOLD_SECONDS - 0.5
    tech.driver.pump(10)
    assert tech.parts.lifecycle.phase is Phase.ATTRACT  # 3.5 s is not enough
    tech.clock.offset += 0.5
    tech.wait(lambda: tech.parts.lifecycle.phase is Phase.TECHNICIAN, "the 4 s hold")
    touch.touch_up()
    tech.wait(lambda: tech.driver.app.manager.current == "technician", "technician screen")
    assert tech.screen.page == "pin" and not tech.state.authenticated
    assert tech.parts.lifecycle.session is not None  # technician mode is a session
    tech.type_pin(PIN)
    tech.wait(lambda: tech.screen.page == "home", "technician home")
    assert tech.state.authenticated
    tech.wait(lambda: "就绪" in tech.screen.status_texts["idcard"].text, "device list")
    assert set(tech.screen.status_texts) >= {"idcard", "receipt_printer", "scanner"}
    tech.tap("身份证阅读器")
    tech.wait(lambda: tech.screen.page == "device", "the reader's page")
    tech.tap("返回设备列表")
    tech.tap("退出技术员模式")
    tech.wait(lambda: tech.driver.app.manager.current == "attract", "attract after 退出")
    assert tech.parts.lifecycle.session is None
    assert not tech.state.authenticated


def test_short_tap_in_the_corner_is_an_ordinary_tap(tech: TechnicianKiosk) -> None:
    tech.driver.tap_at(8, 8)
    tech.wait(lambda: tech.parts.controller.lifecycle.phase is Phase.ACTIVE, "session started")
    assert tech.driver.app.manager.current == "home"


@pytest.mark.slow
def test_pin_page_exit_wipes_back_to_attract(tech: TechnicianKiosk) -> None:
    tech.enter()
    tech.tap("退出")
    tech.wait(lambda: tech.driver.app.manager.current == "attract", "attract after 退出")
    assert tech.parts.lifecycle.session is None


@pytest.mark.slow
def test_wrong_pins_lock_with_a_message_then_the_right_pin_opens(tech: TechnicianKiosk) -> None:
    tech.enter()
    tech.type_pin("111111")
    tech.wait(lambda: "还可尝试 2 次" in tech.screen.message.text, "first wrong PIN message")
    tech.type_pin("222222")
    tech.wait(lambda: "还可尝试 1 次" in tech.screen.message.text, "second wrong PIN message")
    tech.type_pin("333333")
    tech.wait(lambda: "已锁定" in tech.screen.message.text, "lockout message")
    assert f"{int(FIRST_LOCKOUT_SECONDS)} 秒" in tech.screen.message.text or \
        "秒后再试" in tech.screen.message.text
    tech.type_pin(PIN)  # right, but locked
    tech.wait(lambda: not tech.state.busy, "check done")
    tech.driver.pump(3)
    assert tech.screen.page == "pin" and "已锁定" in tech.screen.message.text
    # leaving and coming back (a new screen after the wipe) still shows the lockout
    tech.tap("退出")
    tech.wait(lambda: tech.driver.app.manager.current == "attract", "attract")
    tech.enter()
    tech.wait(lambda: "已锁定" in tech.screen.message.text, "lockout after re-entry")
    tech.wall_clock.offset += FIRST_LOCKOUT_SECONDS + 1
    tech.type_pin(PIN)
    tech.wait(lambda: tech.screen.page == "home", "home after the lockout")
    tech.tap("退出技术员模式")
    tech.wait(lambda: tech.driver.app.manager.current == "attract", "attract after leaving")
    assert tech.parts.controller.lifecycle.phase is Phase.ATTRACT
