"""Wrong technician PINs lock entry with a growing delay, and a restart does not reset it."""

from __future__ import annotations

from pathlib import Path

from kiosk.technician.pin import (
    FAILURES_BEFORE_LOCKOUT,
    FIRST_LOCKOUT_SECONDS,
    MAX_LOCKOUT_SECONDS,
    PinOutcome,
    PinStore,
    lockout_seconds,
)


class FakeClock:
    """Wall-clock seconds the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _fail_until_locked(store: PinStore) -> None:
    for attempt in range(1, FAILURES_BEFORE_LOCKOUT):
        check = store.check("000000")
        assert check.outcome is PinOutcome.WRONG
        assert check.attempts_left == FAILURES_BEFORE_LOCKOUT - attempt
    assert store.check("000000").outcome is PinOutcome.LOCKED


def test_three_wrong_pins_lock_and_even_the_right_pin_waits(tmp_path: Path) -> None:
    clock = FakeClock()
    store = PinStore(tmp_path / "pin.json", clock)
    store.set_pin("24681357")
    _fail_until_locked(store)
    locked = store.check("24681357")
    assert locked.outcome is PinOutcome.LOCKED
    assert locked.wait_seconds == FIRST_LOCKOUT_SECONDS
    clock.now += FIRST_LOCKOUT_SECONDS - 1
    assert store.check("24681357").outcome is PinOutcome.LOCKED
    clock.now += 1
    assert store.check("24681357").ok


def test_lockout_survives_a_restart_and_doubles(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "pin.json"
    first = PinStore(path, clock)
    first.set_pin("24681357")
    _fail_until_locked(first)
    restarted = PinStore(path, clock)  # the kiosk restarted: a new instance, same file
    state = restarted.state()
    assert state.outcome is PinOutcome.LOCKED
    assert state.wait_seconds == FIRST_LOCKOUT_SECONDS
    clock.now += FIRST_LOCKOUT_SECONDS
    _fail_until_locked(restarted)
    assert PinStore(path, clock).state().wait_seconds == 2 * FIRST_LOCKOUT_SECONDS
    clock.now += 2 * FIRST_LOCKOUT_SECONDS
    assert PinStore(path, clock).check("24681357").ok
    # a right PIN resets the growth: the next lockout is the first one again
    _fail_until_locked(PinStore(path, clock))
    assert PinStore(path, clock).state().wait_seconds == FIRST_LOCKOUT_SECONDS


def test_lockout_delay_is_capped() -> None:
    assert [lockout_seconds(n) for n in (1, 2, 3)] == [30.0, 60.0, 120.0]
    assert lockout_seconds(50) == MAX_LOCKOUT_SECONDS


def test_no_pin_set_refuses_every_pin(tmp_path: Path) -> None:
    store = PinStore(tmp_path / "pin.json", FakeClock())
    assert store.check("123456").outcome is PinOutcome.NOT_SET
    assert not store.is_set()
