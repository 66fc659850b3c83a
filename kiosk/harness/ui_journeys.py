"""Residents at the real Kivy UI, by touches: the journeys of the UI soak (`kiosk bench soak
--ui`), the UI tests and the UI crash test (kiosk/harness/ui_journey_runner.py).

Every journey starts at attract and ends there: the simulated ID card of a sandbox resident is
placed on the reader (kiosk.adapters.demo_cards) and taken away again, the service tile is tapped,
each
step is answered by tapping its buttons (text typed on the pinyin keyboard), the service is
rated 非常满意 and 退出并清除信息 is tapped, which wipes the session. Waits pump the Kivy loop
through `UiDriver.wait_for` (bounded; a timeout raises AssertionError). Demo profile only: the
card reader must be the simulator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flows.ports import DeviceName
from flows.views import IntentAction
from kiosk.harness.ui_driver import UiDriver, find_button

if TYPE_CHECKING:
    from kiosk.adapters.devices import DeviceHub

#: Told the name of a decisive tap just before it is made (the crash test aims its kills).
Mark = Callable[[str], None]

#: The pinyin typed into a Chinese text field, and what the first candidate gives for it.
TYPED_PINYIN = "ceshi"


def present_id_card(driver: UiDriver, hub: DeviceHub, key: str = "worker") -> None:
    """Place a sandbox resident's ID card, wait until identified, take the card away and wait
    until the reader has noticed (a card put back within the reader's removal window counts as
    never removed, as on a real reader)."""
    from kiosk.adapters.demo_cards import demo_id_card

    app = driver.app
    reader, simulator = hub.get(DeviceName.IDCARD), hub.simulator(DeviceName.IDCARD)
    assert reader is not None and simulator is not None, "the ID card reader is not simulated"
    driver.wait_for(lambda: reader.card_state.value == "absent", what="empty reader")
    simulator.insert(demo_id_card(key))
    driver.wait_for(lambda: app.state is not None and bool(app.state.greeting)
                    and not app.state.busy, what="greeting")
    simulator.remove()
    driver.wait_for(lambda: reader.card_state.value == "absent", what="card removed")


def rate_and_leave(driver: UiDriver) -> None:
    """On the 好差评 screen: 非常满意, 提交评价, then 退出 on the "anything else?" question that
    ends every service; back at attract."""
    app = driver.app
    driver.wait_for_screen("step_rate")
    driver.tap(find_button(app.screens["step_rate"], "非常满意"))
    driver.wait_for(lambda: app.state is not None and app.state.view is not None
                    and any(o.selected for o in app.state.view.options), what="score")
    driver.tap(app.screens["step_rate"].buttons[IntentAction.RATE])
    wait_for_continue_question(driver)
    driver.tap(app.still_there.quit_button)
    driver.wait_for_screen("attract")


def wait_for_continue_question(driver: UiDriver) -> None:
    """Wait until a finished service shows home with 还需要办理其他事项吗？ over it."""
    app = driver.app
    driver.wait_for(lambda: app.manager.current == "home" and app.state is not None
                    and app.state.ask == "continue" and app.still_there.parent is not None,
                    what="the continue question")


def _no_mark(_tap: str) -> None:
    """No one is told of the decisive taps."""


def query_and_print(driver: UiDriver, hub: DeviceHub, key: str = "worker",
                    mark: Mark = _no_mark) -> None:
    """Card -> 社保缴费记录查询 -> print 社保缴费证明 (A4) -> rate -> 退出; ``mark("print")``
    before the print tap."""
    app = driver.app
    present_id_card(driver, hub, key)
    driver.tap(app.screens["home"].tile_buttons["social-insurance-payments"])
    driver.wait_for_screen("step_records")
    driver.tap(app.screens["step_records"].buttons[IntentAction.NEXT])
    driver.wait_for_screen("step_print_certificate")
    mark("print")
    driver.tap(app.screens["step_print_certificate"].buttons[IntentAction.PRINT])
    driver.wait_for(lambda: app.state is not None and app.state.view is not None
                    and app.state.view.outcome == "done",
                    what="certificate printed")
    driver.tap(app.screens["step_print_certificate"].buttons[IntentAction.NEXT])
    rate_and_leave(driver)


def apply_generic(driver: UiDriver, hub: DeviceHub, key: str = "worker",
                  service: str = "generic-application", mark: Mark = _no_mark) -> None:
    """Card -> the test-only 通用申请 (kiosk/harness/reliability/flows) -> type the note in pinyin
    ->
    check -> 提交 (journaled in the outbox, sent to the platform) -> print the acceptance
    receipt (thermal) -> rate -> 退出; ``mark("submit")`` and ``mark("print")`` before those
    taps."""
    app = driver.app
    present_id_card(driver, hub, key)
    driver.tap(app.screens["home"].tile_buttons[service])
    driver.wait_for_screen("step_form")
    form = app.screens["step_form"]
    type_pinyin(driver, form)
    driver.tap(form.buttons[IntentAction.NEXT])
    driver.wait_for_screen("step_check")
    driver.tap(app.screens["step_check"].buttons[IntentAction.CONFIRM])
    driver.wait_for_screen("step_submit")
    mark("submit")
    driver.tap(app.screens["step_submit"].buttons[IntentAction.SUBMIT])
    driver.wait_for_screen("step_result")
    mark("print")
    driver.tap(app.screens["step_result"].buttons[IntentAction.PRINT])
    driver.wait_for_screen("step_result")
    driver.tap(app.screens["step_result"].buttons[IntentAction.NEXT])
    rate_and_leave(driver)


def type_pinyin(driver: UiDriver, form: Any, pinyin: str = TYPED_PINYIN) -> None:
    """Type ``pinyin`` on the form's on-screen pinyin keyboard and tap the first candidate."""
    keyboard = next(w for w in form.walk() if hasattr(w, "candidate_buttons"))
    for letter in pinyin:
        driver.tap(keyboard.keys[letter])
    driver.tap(keyboard.candidate_buttons[0])
