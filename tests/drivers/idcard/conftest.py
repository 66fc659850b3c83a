"""Fixtures: the real driver against the simulator on a pty, and an event recorder.

Waits are event-driven with generous upper bounds (never timed assertions); the driver's own
timeouts are shortened so fault scenarios finish in well under a second each.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from drivers.idcard import IdCardReader, IdCardSimulator, open_idcard_reader
from drivers.interfaces import DeviceEvent
from drivers.status import DeviceState

#: Short delays for tests; the timeouts stay well above what a loaded 2-core machine needs.
FAST_OPTIONS: dict[str, Any] = {
    "poll_interval_s": 0.01,
    "command_timeout_s": 0.5,
    "read_timeout_s": 0.6,
    "reconnect_interval_s": 0.05,
    "recheck_interval_s": 0.05,
    "io_tick_s": 0.005,
}
#: Upper bound for any wait in a test (only reached when something is broken).
WAIT_S = 15.0


class EventLog:
    """A listener that records events and lets a test wait for one."""

    def __init__(self) -> None:
        self.events: list[DeviceEvent] = []
        self._cond = threading.Condition()

    def __call__(self, event: DeviceEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def mark(self) -> int:
        """Index to wait from (events before it are ignored)."""
        with self._cond:
            return len(self.events)

    def wait_for(self, kind: str | tuple[str, ...],
                 predicate: Callable[[Any], bool] | None = None,
                 after: int = 0, timeout_s: float = WAIT_S) -> DeviceEvent:
        """The first event of ``kind`` (one or a tuple; matching ``predicate``) from ``after``."""
        kinds = (kind,) if isinstance(kind, str) else kind

        def find() -> DeviceEvent | None:
            for event in self.events[after:]:
                if event.kind in kinds and (predicate is None or predicate(event.payload)):
                    return event
            return None

        with self._cond:
            found = self._cond.wait_for(find, timeout=timeout_s)
        assert found is not None, f"no {kind} event; saw {self.kinds(after)}"
        return found

    def wait_status(self, state: DeviceState, after: int = 0) -> DeviceEvent:
        """Wait for a status event with ``state``."""
        return self.wait_for("status", lambda s: s.state is state, after)

    def kinds(self, after: int = 0) -> list[str]:
        """Event kinds from ``after`` on (status events show their state)."""
        with self._cond:
            return [e.kind if e.kind != "status" else f"status:{e.payload.state.value}"
                    for e in self.events[after:]]

    def of_kind(self, kind: str, after: int = 0) -> list[DeviceEvent]:
        """Events of one kind."""
        with self._cond:
            return [e for e in self.events[after:] if e.kind == kind]


class SimReader:
    """A started reader, its simulator and its event log."""

    def __init__(self, reader: IdCardReader, log: EventLog) -> None:
        self.reader = reader
        self.sim: IdCardSimulator = reader.simulator
        self.log = log

    def read(self, card: str) -> DeviceEvent:
        """Insert ``card`` and return the identity_read or read_failed event."""
        mark = self.log.mark()
        self.sim.insert(card)
        self.log.wait_for("card_presented", after=mark)
        return self.log.wait_for(("identity_read", "read_failed"), after=mark)

    def remove(self) -> None:
        """Take the card away and wait for card_removed."""
        mark = self.log.mark()
        self.sim.remove()
        self.log.wait_for("card_removed", after=mark)


@pytest.fixture
def sim_reader() -> Iterator[Callable[..., SimReader]]:
    """Factory: ``sim_reader(url="sim://idcard", **options)`` -> a started, ready SimReader.

    ``before_start(simulator)`` runs before the driver starts (to fail the very first command).
    """
    started: list[IdCardReader] = []

    def make(url: str = "sim://idcard", wait_ready: bool = True,
             before_start: Callable[[IdCardSimulator], None] | None = None,
             **options: Any) -> SimReader:
        reader = open_idcard_reader(url, **{**FAST_OPTIONS, **options})
        log = EventLog()
        started.append(reader)
        if before_start is not None:
            before_start(reader.simulator)
        reader.start(log)
        if wait_ready:
            log.wait_status(DeviceState.READY)
        return SimReader(reader, log)

    yield make
    for reader in started:
        reader.stop()
