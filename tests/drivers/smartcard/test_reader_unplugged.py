"""The reader is unplugged and plugged back in.

Debian's pcscd cannot drop a running serial (vpcd) reader, so two tests: the real pcscd coming
back without the reader (and later with it), and an unplug while pcscd keeps running, made at
pyscard's boundary by a thin wrapper over the real ``smartcard.scard`` that hides the reader
the way pcsc-lite does for an unplugged USB reader (absent from the list, UNKNOWN_READER on
waits, READER_UNAVAILABLE on connect and transmit). Everything below the wrapper is real.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from smartcard import scard as real_scard

from drivers.smartcard.pcsc import PcscReader
from drivers.status import DeviceState
from tests.drivers.smartcard.conftest import EventRecorder


@pytest.mark.slow
def test_reader_gone_after_pcscd_comes_back_without_it(watched) -> None:
    sim, reader, events = watched
    start = events.mark()
    sim.insert()
    events.wait_kind("identity_read", start)

    start = events.mark()
    assert sim.unplug_reader()
    events.wait_kind("card_removed", start)
    gone = events.wait_for(lambda e: e.kind == "status" and "no reader" in e.payload.reason,
                           start)
    assert gone.payload.state is DeviceState.NO_DEVICE

    start = events.mark()
    assert sim.plug_reader()
    events.wait_status("ready", start)
    sim.insert()
    assert events.wait_kind("identity_read", start).payload.id_number
    assert reader.status().state is DeviceState.READY


class UnpluggableScard:
    """The real pyscard ``scard`` module, with readers that can be unplugged."""

    def __init__(self) -> None:
        self.unplugged: set[str] = set()
        self.unplug_after_transmits: tuple[str, int] | None = None
        self._handles: dict[int, str] = {}
        self._transmits = 0
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(real_scard, name)

    def SCardListReaders(self, context: int, groups: list[str]) -> tuple[int, list[str]]:
        rc, names = real_scard.SCardListReaders(context, groups)
        kept = [n for n in (names or []) if n not in self.unplugged]
        if rc == real_scard.SCARD_S_SUCCESS and not kept:
            return real_scard.SCARD_E_NO_READERS_AVAILABLE, []
        return rc, kept

    def SCardGetStatusChange(self, context: int, timeout_ms: int, states: list) -> tuple:
        if any(name in self.unplugged for name, _ in states):
            return real_scard.SCARD_E_UNKNOWN_READER, []
        return real_scard.SCardGetStatusChange(context, timeout_ms, states)

    def SCardConnect(self, context: int, name: str, share: int, protocols: int) -> tuple:
        if name in self.unplugged:
            return real_scard.SCARD_E_READER_UNAVAILABLE, 0, 0
        rc, handle, protocol = real_scard.SCardConnect(context, name, share, protocols)
        if rc == real_scard.SCARD_S_SUCCESS:
            self._handles[handle] = name
            self._transmits = 0
        return rc, handle, protocol

    def SCardTransmit(self, handle: int, protocol: int, apdu: list[int]) -> tuple:
        name = self._handles.get(handle, "")
        self._transmits += 1
        if self.unplug_after_transmits and self._transmits > self.unplug_after_transmits[1]:
            self.unplugged.add(self.unplug_after_transmits[0])
            self.unplug_after_transmits = None
        if name in self.unplugged:
            return real_scard.SCARD_E_READER_UNAVAILABLE, []
        return real_scard.SCardTransmit(handle, protocol, apdu)


def test_reader_unplugged_while_pcscd_runs(sim) -> None:
    scard = UnpluggableScard()
    name = sim.reader_name()
    events = EventRecorder()
    reader = PcscReader("smartcard", "^" + re.escape(name) + "$", poll_timeout_ms=200,
                        reconnect_delay_s=0.2, scard=scard)  # type: ignore[arg-type]
    reader.start(events)
    try:
        events.wait_status("ready")
        start = events.mark()
        sim.insert()
        events.wait_kind("identity_read", start)

        start = events.mark()
        scard.unplugged.add(name)
        sim.remove()  # the card goes with the reader
        assert events.wait_kind("card_removed", start).payload == name
        gone = events.wait_status("no_device", start)
        assert "no reader" in gone.payload.reason

        start = events.mark()
        scard.unplugged.clear()
        events.wait_status("ready", start)
        sim.insert()
        events.wait_kind("identity_read", start)
    finally:
        reader.stop()


def test_reader_unplugged_mid_read(sim) -> None:
    scard = UnpluggableScard()
    name = sim.reader_name()
    events = EventRecorder()
    reader = PcscReader("smartcard", "^" + re.escape(name) + "$", poll_timeout_ms=200,
                        reconnect_delay_s=0.2, scard=scard)  # type: ignore[arg-type]
    reader.start(events)
    try:
        events.wait_status("ready")
        scard.unplug_after_transmits = (name, 5)
        start = events.mark()
        sim.insert()
        assert events.wait_kind("read_failed", start).payload == "reader_gone"
        events.wait_kind("card_removed", start)
        events.wait_status("no_device", start)
        sim.remove()
        scard.unplugged.clear()
        start = events.mark()
        events.wait_status("ready", start)
        sim.insert()
        events.wait_kind("identity_read", start)
    finally:
        reader.stop()
