"""Residents at the real Kivy UI, by touches: the journeys of the UI soak (`kiosk bench soak
--ui`), the UI tests and the UI crash test (kiosk/ui/journey_runner.py).

Every journey starts at attract and ends there: the simulated ID card of a sandbox resident is
placed on the reader (kiosk.demo_cards) and taken away again, the service tile is tapped, each
step is answered by tapping its buttons (text typed on the pinyin keyboard), the service is
rated 非常满意 and 退出并清除信息 is tapped, which wipes the session. Waits pump the Kivy loop
through `UiDriver.wait_for` (bounded; a timeout raises AssertionError). Demo profile only: the
card reader must be the simulator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.ui.driver import UiDriver, find_button

#: Told the name of a decisive tap just before it is made (the crash test aims its kills).
Mark = Callable[[str], None]

#: The pinyin typed into a Chinese text field, and what the first candidate gives for it.
TYPED_PINYIN = "ceshi"


def present_id_card(driver: UiDriver, hub: Any, key: str = "worker") -> None:
    """Place a sandbox resident's ID card, wait until identified, take the card away and wait
    until the reader has noticed (a card put back within the reader's removal window counts as
    never removed, as on a real reader)."""
    from kiosk.demo_cards import demo_id_card

    app = driver.app
    reader, simulator = hub.get("idcard"), hub.simulator("idcard")
    assert simulator is not None, "the ID card reader is not simulated"
    driver.wait_for(lambda: reader.card_state.value == "absent", what="empty reader")
    simulator.insert(demo_id_card(key))
    driver.wait_for(lambda: app.state is not None and bool(app.state.greeting)
                    and not app.state.busy, what="greeting")
    simulator.remove()
    driver.wait_for(lambda: reader.card_state.value == "absent", what="card removed")


def rate_and_leave(driver: UiDriver) -> None:
    """On the 好差评 screen: 非常满意, 提交评价, then 退出 from home; back at attract."""
    app = driver.app
    driver.wait_for_screen("step_rate")
    driver.tap(find_button(app.screens["step_rate"], "非常满意"))
    driver.wait_for(lambda: any(o.selected for o in app.state.view.options), what="score")
    driver.tap(app.screens["step_rate"].buttons["rate"])
    driver.wait_for_screen("home")
    driver.tap(app.screens["home"].exit_button)
    driver.wait_for_screen("attract")


def _no_mark(_tap: str) -> None:
    """No one is told of the decisive taps."""


def query_and_print(driver: UiDriver, hub: Any, key: str = "worker",
                    mark: Mark = _no_mark) -> None:
    """Card -> 社保缴费记录查询 -> print 社保缴费证明 (A4) -> rate -> 退出; ``mark("print")``
    before the print tap."""
    app = driver.app
    present_id_card(driver, hub, key)
    driver.tap(app.screens["home"].tile_buttons["social-insurance-payments"])
    driver.wait_for_screen("step_records")
    driver.tap(app.screens["step_records"].buttons["next"])
    driver.wait_for_screen("step_print_certificate")
    mark("print")
    driver.tap(app.screens["step_print_certificate"].buttons["print"])
    driver.wait_for(lambda: app.state.view is not None and app.state.view.outcome == "done",
                    what="certificate printed")
    driver.tap(app.screens["step_print_certificate"].buttons["next"])
    rate_and_leave(driver)


def apply_generic(driver: UiDriver, hub: Any, key: str = "worker",
                  service: str = "generic-application", mark: Mark = _no_mark) -> None:
    """Card -> the test-only 通用申请 (kiosk/reliability/flows) -> type the note in pinyin ->
    check -> 提交 (journaled in the outbox, sent to the platform) -> print the acceptance
    receipt (thermal) -> rate -> 退出; ``mark("submit")`` and ``mark("print")`` before those
    taps."""
    app = driver.app
    present_id_card(driver, hub, key)
    driver.tap(app.screens["home"].tile_buttons[service])
    driver.wait_for_screen("step_form")
    form = app.screens["step_form"]
    type_pinyin(driver, form)
    driver.tap(form.buttons["next"])
    driver.wait_for_screen("step_check")
    driver.tap(app.screens["step_check"].buttons["confirm"])
    driver.wait_for_screen("step_submit")
    mark("submit")
    driver.tap(app.screens["step_submit"].buttons["submit"])
    driver.wait_for_screen("step_result")
    mark("print")
    driver.tap(app.screens["step_result"].buttons["print"])
    driver.wait_for_screen("step_result")
    driver.tap(app.screens["step_result"].buttons["next"])
    rate_and_leave(driver)


def type_pinyin(driver: Any, form: Any, pinyin: str = TYPED_PINYIN) -> None:
    """Type ``pinyin`` on the form's on-screen pinyin keyboard and tap the first candidate."""
    keyboard = next(w for w in form.walk() if hasattr(w, "candidate_buttons"))
    for letter in pinyin:
        driver.tap(keyboard.keys[letter])
    driver.tap(keyboard.candidate_buttons[0])
