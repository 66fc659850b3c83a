"""Text typed on the on-screen keyboard must reach the flow when 下一步 is tapped.

The form screen used to send ``next`` with the typed value, and the flow's ``next`` keeps the
answer it already has: an empty field stayed empty and the resident saw "请填写..." for ever.
Typed through the pinyin keyboard by touches: 无犯罪记录证明 -> 就业 -> 用人单位名称.
"""

from __future__ import annotations

import pytest

from kiosk.harness.ui_driver import find_button
from kiosk.harness.ui_journeys import type_pinyin
from tests.ui.conftest import RunningKiosk

pytestmark = pytest.mark.slow

SERVICE = "no-criminal-record"


def test_typed_text_is_the_answer(kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    kiosk.present_id_card("worker")
    driver.tap(app.screens["home"].tab_buttons["打印"])
    driver.tap(app.screens["home"].tile_buttons[SERVICE])
    driver.wait_for_screen("step_choose")
    driver.tap(find_button(app.screens["step_choose"], "就业"))
    driver.wait_for_screen("step_form")
    form = app.screens["step_form"]
    type_pinyin(driver, form)
    typed = form.value
    assert typed
    driver.tap(form.buttons["next"])
    driver.wait_for(lambda: app.manager.current != "step_form" or bool(app.state.view.error),
                    what="the next step or an error")
    assert app.manager.current != "step_form", app.state.view.error
    assert kiosk.parts.controller._run.answers["employer_name"] == typed
