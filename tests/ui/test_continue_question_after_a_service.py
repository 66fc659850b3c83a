"""After the rating, home shows 还需要办理其他事项吗？ at once: 继续办理 keeps the identified
resident, 退出 wipes, a touch beside the buttons counts as "continue" and never falls through
to the tile below, and no answer wipes after the short countdown. Real touches on the real
window (the tap lands where a finger would).

The sessions' clock here moves only when a test moves it. On the wall clock a loaded machine
could spend the whole short countdown drawing home, so the question came and went before the
test saw it (the old flake); now the countdown runs out exactly when the test says, and the
test also sees that it had not run out a second before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.core.session import Phase
from kiosk.harness.ui_driver import find_button
from kiosk.harness.ui_journeys import wait_for_continue_question
from tests.ui.conftest import RunningKiosk, start_kiosk, stop_kiosk

SERVICE = "social-insurance-payments"


class StoppedClock:
    """A clock that moves only by `advance`."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


@pytest.fixture(scope="module")
def clock() -> StoppedClock:
    return StoppedClock()


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory, clock: StoppedClock) -> Iterator[RunningKiosk]:
    """This module's kiosk: its sessions are timed by `clock`."""
    running = start_kiosk(Path(tmp_path_factory.mktemp("kiosk")), clock=clock)
    running.wait_devices_ready("idcard", "document_printer", "receipt_printer")
    yield running
    stop_kiosk(running)


def _rate(kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    kiosk.present_id_card("worker")
    driver.tap(app.screens["home"].tile_buttons[SERVICE])
    driver.wait_for_screen("step_records")
    driver.tap(app.screens["step_records"].buttons["cancel"])
    driver.wait_for_screen("step_rate")
    driver.tap(find_button(app.screens["step_rate"], "非常满意"))
    driver.wait_for(lambda: any(o.selected for o in app.state.view.options), what="score")
    driver.tap(app.screens["step_rate"].buttons["rate"])
    wait_for_continue_question(driver)
    assert app.still_there.question.text == "还需要办理其他事项吗？"


def test_continue_keeps_the_resident_on_home(kiosk: RunningKiosk) -> None:
    _rate(kiosk)
    session = kiosk.parts.lifecycle.session
    kiosk.driver.tap(kiosk.app.still_there.continue_button)
    kiosk.driver.wait_for(lambda: kiosk.app.still_there.parent is None, what="answered")
    assert kiosk.parts.lifecycle.phase is Phase.ACTIVE
    assert kiosk.parts.lifecycle.session is session and session is not None
    assert session.resident_token
    assert kiosk.app.manager.current == "home"


def test_quit_wipes_at_once(kiosk: RunningKiosk) -> None:
    _rate(kiosk)
    session = kiosk.parts.lifecycle.session
    kiosk.driver.tap(kiosk.app.still_there.quit_button)
    kiosk.driver.wait_for_screen("attract")
    assert session is not None and session.wiped


def test_a_touch_beside_the_buttons_continues_and_opens_nothing(kiosk: RunningKiosk) -> None:
    _rate(kiosk)
    card = kiosk.app.still_there.question
    x, y = card.to_window(card.center_x, card.center_y)
    kiosk.driver.tap_at(x, y)  # on the question's text, above home's tiles
    kiosk.driver.wait_for(lambda: kiosk.app.still_there.parent is None, what="answered")
    assert kiosk.parts.lifecycle.phase is Phase.ACTIVE
    assert kiosk.app.manager.current == "home"  # the tap did not reach a tile


def test_no_answer_wipes_after_the_short_countdown(kiosk: RunningKiosk,
                                                    clock: StoppedClock) -> None:
    lifecycle = kiosk.parts.lifecycle
    countdown = lifecycle.timing.after_service_countdown_seconds
    assert countdown < lifecycle.timing.still_there_countdown_seconds  # it is the short one
    _rate(kiosk)
    session = lifecycle.session
    assert session is not None
    clock.advance(countdown - 1.5)
    question = kiosk.app.still_there
    kiosk.driver.wait_for(lambda: question.countdown.text.startswith("1 "),
                          what="a tick (once a second) at 1.5 s before the end")
    assert lifecycle.phase is Phase.STILL_THERE and not session.wiped  # not yet
    assert question.parent is not None
    clock.advance(1.5)
    kiosk.driver.wait_for_screen("attract", timeout=30)
    assert session.wiped
