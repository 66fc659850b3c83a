"""Technician entry through the screen: the hidden long press, wrong PINs, the lockout
message, and leaving (a wipe back to attract)."""

from __future__ import annotations

import pytest
from kivy.tests.common import UnitTestTouch

from kiosk.core.session import Phase
from kiosk.technician.pin import FIRST_LOCKOUT_SECONDS
from tests.technician.ui.conftest import PIN, TechnicianKiosk


@pytest.mark.slow
def test_long_press_in_the_corner_opens_the_pin_page(tech: TechnicianKiosk) -> None:
    touch = UnitTestTouch(8, 8)
    touch.touch_down()
    tech.wait(lambda: tech.parts.controller.lifecycle.phase is Phase.TECHNICIAN, "long press")
    touch.touch_up()
    tech.wait(lambda: tech.driver.app.manager.current == "technician", "technician screen")
    assert tech.screen.page == "pin"
    assert not tech.screen.authenticated
    tech.tap("退出")
    tech.wait(lambda: tech.driver.app.manager.current == "attract", "attract after 退出")
    assert tech.parts.controller.lifecycle.session is None


def test_short_tap_in_the_corner_is_an_ordinary_tap(tech: TechnicianKiosk) -> None:
    tech.driver.tap_at(8, 8)
    tech.wait(lambda: tech.parts.controller.lifecycle.phase is Phase.ACTIVE, "session started")
    assert tech.driver.app.manager.current == "home"


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
    tech.wait(lambda: not tech.screen.busy, "check done")
    tech.driver.pump(3)
    assert tech.screen.page == "pin" and "已锁定" in tech.screen.message.text
    # leaving and coming back (a new screen after the wipe) still shows the lockout
    tech.tap("退出")
    tech.wait(lambda: tech.driver.app.manager.current == "attract", "attract")
    tech.enter()
    tech.wait(lambda: "已锁定" in tech.screen.message.text, "lockout after re-entry")
    tech.clock.offset += FIRST_LOCKOUT_SECONDS + 1
    tech.type_pin(PIN)
    tech.wait(lambda: tech.screen.page == "home", "home after the lockout")
    tech.tap("退出技术员模式")
    tech.wait(lambda: tech.driver.app.manager.current == "attract", "attract after leaving")
    assert tech.parts.controller.lifecycle.phase is Phase.ATTRACT
