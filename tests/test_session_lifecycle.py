"""The session state machine: timeouts, and nothing personal survives a return to attract."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core.privacy import Redactor
from kiosk.core.session import Phase, SessionLifecycle, SessionTiming

NAME = "欧阳明月"
ID_NUMBER = "11010519491231002X"


class FakeClock:
    """An injected clock advanced by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(tmp_path: Path) -> tuple[SessionLifecycle, FakeClock, Redactor]:
    clock = FakeClock()
    redactor = Redactor()
    timing = SessionTiming(idle_timeout_seconds=60, still_there_countdown_seconds=20,
                           hard_cap_seconds=600)
    return SessionLifecycle(timing, clock, tmp_path / "sessions", redactor), clock, redactor


def test_idle_asks_still_there_then_wipes(tmp_path: Path) -> None:
    life, clock, _ = make(tmp_path)
    changes: list[tuple[Phase, Phase, str]] = []
    life.on_change(lambda old, new, why: changes.append((old, new, why)))
    life.start()
    clock.now += 59
    life.tick()
    assert life.phase is Phase.ACTIVE
    clock.now += 1
    life.tick()
    assert life.phase is Phase.STILL_THERE
    assert life.countdown_seconds() == 20
    clock.now += 20
    life.tick()
    assert life.phase is Phase.ATTRACT and life.session is None
    assert (Phase.WIPING, Phase.ATTRACT, "timeout") in changes


def test_touch_during_countdown_keeps_the_session(tmp_path: Path) -> None:
    life, clock, _ = make(tmp_path)
    session = life.start()
    clock.now += 61
    life.tick()
    life.touch()
    assert life.phase is Phase.ACTIVE and life.session is session


def test_hard_cap_ends_even_a_busy_session(tmp_path: Path) -> None:
    life, clock, _ = make(tmp_path)
    life.start()
    for _ in range(30):
        clock.now += 30
        life.touch()
        life.tick()
    assert life.phase is Phase.ATTRACT


def test_out_of_service_only_between_sessions(tmp_path: Path) -> None:
    life, _, _ = make(tmp_path)
    life.start()
    life.set_service_available(False, "printer and reader down")
    assert life.phase is Phase.ACTIVE
    life.end()
    assert life.phase is Phase.OUT_OF_SERVICE
    life.set_service_available(True)
    assert life.phase is Phase.ATTRACT


def test_wipe_deletes_files_and_personal_values(tmp_path: Path) -> None:
    life, _, redactor = make(tmp_path)
    hooks: list[str] = []
    life.on_wipe(lambda: hooks.append("rebuilt"))
    session = life.start()
    assert session is not None
    session.resident = {"name": NAME}
    session.values["answers"] = {"phone": "13800138000"}
    photo = session.new_temp_file(".jpg")
    photo.write_bytes(b"\xff\xd8 face")
    redactor.register(NAME)
    assert NAME not in redactor.redact(f"hello {NAME}")
    life.end("finished")
    assert session.wiped and not photo.exists()
    assert NAME in redactor.redact(f"hello {NAME}")  # nothing registered any more
    assert hooks == ["rebuilt"]


EVENTS = st.lists(
    st.one_of(
        st.tuples(st.just("start")), st.tuples(st.just("touch")), st.tuples(st.just("end")),
        st.tuples(st.just("tick"), st.floats(min_value=0, max_value=700)),
        st.tuples(st.just("personal")), st.tuples(st.just("file")),
        st.tuples(st.just("technician")),
        st.tuples(st.just("service"), st.booleans()),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=EVENTS)
def test_nothing_personal_reachable_back_at_attract(tmp_path: Path, events: list[tuple]) -> None:
    life, clock, redactor = make(tmp_path / str(clock_id()))
    seen = []
    for event in events:
        match event:
            case ("start",):
                if (s := life.start()) is not None:
                    seen.append(s)
            case ("touch",):
                life.touch()
            case ("end",):
                life.end()
            case ("tick", seconds):
                clock.now += seconds
                life.tick()
            case ("personal",):
                if life.session is not None:
                    life.session.resident = {"name": NAME, "id": ID_NUMBER}
                    life.session.resident_token = "tok"
                    life.session.values["answers"] = {"address": "某路1号"}
                    redactor.register(NAME)
            case ("file",):
                if life.session is not None:
                    life.session.new_temp_file(".png").write_bytes(b"img")
            case ("technician",):
                life.enter_technician()
                if life.session is not None and life.session not in seen:
                    seen.append(life.session)
            case ("service", available):
                life.set_service_available(available)
        if life.phase in (Phase.ATTRACT, Phase.OUT_OF_SERVICE):
            assert life.session is None
            assert all(s.wiped for s in seen)
            assert NAME in redactor.redact(NAME)  # the redactor forgot the name
            root = tmp_path / str(_counter[0]) / "sessions"
            assert not root.exists() or not any(root.rglob("*"))


_counter = [0]


def clock_id() -> int:
    _counter[0] += 1
    return _counter[0]
