"""Fixtures: a real pcscd with vpcd readers (private mount namespace as root), virtual cards,
and the real driver with an event recorder.

libpcsclite reads PCSCLITE_CSOCK_NAME once per process, so every pcscd of this test session
lives in one session directory (one socket path); tests start and stop their own pcscd in turn.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.interfaces import DeviceEvent
from drivers.smartcard.pcsc import PcscReader
from drivers.smartcard.simulator import SmartcardSimulator, process_workdir
from drivers.smartcard.virtual_card import CardFault
from drivers.status import DeviceState

#: Generous deadline for waiting on an event: a busy shared machine, never a timing assertion.
EVENT_DEADLINE_S = 15.0


class EventRecorder:
    """Collects driver events; lets a test wait for one."""

    def __init__(self) -> None:
        self.events: list[DeviceEvent] = []
        self._cond = threading.Condition()

    def __call__(self, event: DeviceEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def kinds(self) -> list[str]:
        """Event kinds so far, status events left out."""
        with self._cond:
            return [e.kind for e in self.events if e.kind != "status"]

    def wait_for(self, predicate: Callable[[DeviceEvent], bool],
                 start: int = 0, deadline_s: float = EVENT_DEADLINE_S) -> DeviceEvent:
        """The first event from index ``start`` matching ``predicate``; fails after the deadline."""
        end = time.monotonic() + deadline_s
        with self._cond:
            while True:
                for event in self.events[start:]:
                    if predicate(event):
                        return event
                left = end - time.monotonic()
                if left <= 0:
                    kinds = [(e.kind, e.payload) for e in self.events if e.kind != "status"]
                    raise AssertionError(f"no matching event; saw {kinds}")
                self._cond.wait(left)

    def wait_kind(self, kind: str, start: int = 0) -> DeviceEvent:
        """The first event of ``kind`` from index ``start``."""
        return self.wait_for(lambda e: e.kind == kind, start)

    def wait_status(self, state: str, start: int = 0) -> DeviceEvent:
        """The first status event with ``state`` from index ``start``."""
        return self.wait_for(lambda e: e.kind == "status" and e.payload.state == state, start)

    def mark(self) -> int:
        """Index of the next event (to wait for events after this point)."""
        with self._cond:
            return len(self.events)


@pytest.fixture(scope="session")
def pcsc_session_dir() -> Path:
    """One work directory (and so one pcscd socket path) for the whole session: the one every
    smartcard simulator of this process uses, so the technician and kiosk tests that run later
    in the same process still reach their simulated readers."""
    folder = process_workdir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def sim(pcsc_session_dir: Path) -> Iterator[SmartcardSimulator]:
    """A running pcscd with one vpcd reader config (two PC/SC readers) and no card."""
    sim = SmartcardSimulator(workdir=pcsc_session_dir)
    if not sim.start():
        sim.stop()
        pytest.fail(f"pcscd did not start: {sim.pcscd.failure}")
    try:
        yield sim
    finally:
        sim.stop()


def start_reader(simulator: SmartcardSimulator) -> tuple[PcscReader, EventRecorder]:
    """The real driver on the simulator's readers, started, once it reports ready."""
    recorder = EventRecorder()
    reader = PcscReader("smartcard", simulator.reader_pattern, poll_timeout_ms=200,
                        reconnect_delay_s=0.2)
    reader.start(recorder)
    recorder.wait_status("ready")
    return reader, recorder


@pytest.fixture
def watched(sim: SmartcardSimulator) -> Iterator[tuple[SmartcardSimulator, PcscReader,
                                                       EventRecorder]]:
    """Simulator, started driver and its events."""
    reader, recorder = start_reader(sim)
    try:
        yield sim, reader, recorder
    finally:
        reader.stop()


def pulled_card_fails_then_reader_recovers(
    watched: tuple[SmartcardSimulator, PcscReader, EventRecorder], fault: CardFault,
    after_apdus: int,
) -> None:
    """With ``fault`` pulling the card after ``after_apdus`` commands, the read fails as
    card_removed (then card_removed, no identity); a good card then reads and the reader is
    ready."""
    sim, reader, events = watched
    sim.set_fault(fault, after_apdus=after_apdus)
    start = events.mark()
    sim.insert()
    failed = events.wait_kind("read_failed", start)
    assert failed.payload == "card_removed"
    events.wait_kind("card_removed", start)
    assert "identity_read" not in events.kinds()

    # the reader recovers: a good card reads afterwards
    sim.set_fault(CardFault.NONE)
    start = events.mark()
    sim.insert()
    events.wait_kind("identity_read", start)
    assert reader.status().state is DeviceState.READY
