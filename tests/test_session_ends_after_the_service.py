"""After the rating the resident used to land on home still identified, for the idle time and
the still-there countdown (about 80 s) in which anyone could walk up to their session. The end
of a service now asks at once "还需要办理其他事项吗？" with a short countdown and wipes the
session when nobody answers; a touch (继续办理) keeps it.

Pure state machine first (kiosk.core.session), then the controller of a real terminal
(kiosk.boot.composition.build_kiosk, InlineRunner, the embedded sandbox, an injected clock) driven
through a real service to its end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.interfaces import DeviceEvent
from flows.views import Intent, StepKind
from kiosk.boot.composition import KioskParts, build_kiosk
from kiosk.boot.settings import load_settings
from kiosk.core.accessibility import Preferences, stretch_timing
from kiosk.core.privacy import Redactor
from kiosk.core.session import Ask, Phase, SessionLifecycle, SessionTiming
from kiosk.core.tasks import InlineRunner
from tests.integration.conftest import Terminal

SERVICE = "social-insurance-payments"
DEVICES_OFF = {f"KIOSK__DEVICES__{d}": "none" for d in (
    "IDCARD", "SMARTCARD", "CAMERA", "SCANNER", "RECEIPT_PRINTER", "DOCUMENT_PRINTER")}


class Clock:
    """An injected clock advanced by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def lifecycle(tmp_path: Path) -> tuple[SessionLifecycle, Clock]:
    clock = Clock()
    timing = SessionTiming(idle_timeout_seconds=60, still_there_countdown_seconds=20,
                           hard_cap_seconds=600, after_service_countdown_seconds=10)
    return SessionLifecycle(timing, clock, tmp_path / "sessions", Redactor()), clock


def test_the_question_comes_at_once_and_no_answer_wipes(tmp_path: Path) -> None:
    life, clock = lifecycle(tmp_path)
    changes: list[tuple[Phase, Phase, str]] = []
    life.on_change(lambda old, new, why: changes.append((old, new, why)))
    session = life.start()
    assert session is not None
    session.resident_token = "tok"
    life.ask_to_continue()
    assert life.phase is Phase.STILL_THERE and life.ask is Ask.CONTINUE
    assert life.countdown_seconds() == 10
    assert life.remaining_seconds() == 10
    clock.now += 9.9
    life.tick()
    assert life.phase is Phase.STILL_THERE
    clock.now += 0.1
    life.tick()
    assert life.phase is Phase.ATTRACT and life.session is None and session.wiped
    assert (Phase.WIPING, Phase.ATTRACT, "service_done_timeout") in changes


def test_a_touch_answers_continue_and_the_idle_question_is_unchanged(tmp_path: Path) -> None:
    life, clock = lifecycle(tmp_path)
    session = life.start()
    life.ask_to_continue()
    clock.now += 5
    life.touch()
    assert life.phase is Phase.ACTIVE and life.session is session
    clock.now += 60  # later, the resident stops touching: the ordinary idle question
    life.tick()
    assert life.phase is Phase.STILL_THERE and life.ask is Ask.IDLE
    assert life.countdown_seconds() == 20


def test_only_an_active_session_is_asked(tmp_path: Path) -> None:
    life, _clock = lifecycle(tmp_path)
    life.ask_to_continue()
    assert life.phase is Phase.ATTRACT
    life.enter_technician()
    life.ask_to_continue()
    assert life.phase is Phase.TECHNICIAN


def test_elderly_mode_doubles_the_short_countdown_too() -> None:
    timing = SessionTiming(after_service_countdown_seconds=10)
    stretched = stretch_timing(timing, Preferences(elderly=True))
    assert stretched.after_service_countdown_seconds == 20


@pytest.fixture(scope="module")
def terminal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[KioskParts, Clock]]:
    clock = Clock()
    env = {"KIOSK__PATHS__DATA_DIR": str(tmp_path_factory.mktemp("data")), **DEVICES_OFF}
    parts = build_kiosk(load_settings(environ=env), InlineRunner(), clock=clock)
    yield parts, clock
    parts.close()


def _rate_a_service(parts: KioskParts) -> None:
    controller = parts.controller
    controller.on_device_event("idcard", DeviceEvent("identity_read", Terminal.identity("worker"),
                                                     "idcard"))
    assert parts.lifecycle.session is not None and parts.lifecycle.session.resident_token
    controller.open_service(SERVICE)
    controller.send(Intent("cancel"))  # 退出办理 passes by the rating
    assert controller.state.view is not None and controller.state.view.kind is StepKind.RATE
    controller.send(Intent("rate", {"score": 5}))


def test_after_the_rating_home_asks_and_wipes_in_seconds(
        terminal: tuple[KioskParts, Clock]) -> None:
    parts, clock = terminal
    _rate_a_service(parts)
    state = parts.controller.state
    assert state.screen == "home" and state.phase is Phase.STILL_THERE and state.ask == "continue"
    session = parts.lifecycle.session
    assert session is not None
    clock.now += parts.lifecycle.timing.after_service_countdown_seconds
    parts.controller.tick()
    assert parts.lifecycle.phase is Phase.ATTRACT and parts.lifecycle.session is None
    assert session.wiped and parts.controller.state.screen == "attract"


def test_continue_keeps_the_identified_resident_on_home(
        terminal: tuple[KioskParts, Clock]) -> None:
    parts, clock = terminal
    _rate_a_service(parts)
    clock.now += 3
    parts.controller.still_here()  # 继续办理
    state = parts.controller.state
    assert parts.lifecycle.phase is Phase.ACTIVE and state.screen == "home"
    session = parts.lifecycle.session
    assert session is not None and session.resident_token
    parts.controller.finish()


def test_quit_on_the_question_wipes_at_once(terminal: tuple[KioskParts, Clock]) -> None:
    parts, _clock = terminal
    _rate_a_service(parts)
    session = parts.lifecycle.session
    parts.controller.finish()  # 退出
    assert parts.lifecycle.phase is Phase.ATTRACT and session is not None and session.wiped
