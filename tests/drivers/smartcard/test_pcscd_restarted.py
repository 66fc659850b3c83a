"""pcscd stops and starts again: the stale context is dropped and a new one established."""

from __future__ import annotations

import pytest

from drivers.smartcard.pcsc import PcscReader
from drivers.status import DeviceState
from tests.drivers.smartcard.conftest import EventRecorder

pytestmark = pytest.mark.slow


def test_pcscd_restart_recovers(watched) -> None:
    sim, reader, events = watched
    start = events.mark()
    sim.insert()
    events.wait_kind("identity_read", start)

    start = events.mark()
    assert sim.restart_pcscd()
    lost = events.wait_status("no_device", start)
    assert "PC/SC" in lost.payload.reason
    events.wait_kind("card_removed", start)
    events.wait_status("ready", start)

    start = events.mark()
    sim.insert()
    events.wait_kind("identity_read", start)
    assert reader.status().state is DeviceState.READY


def test_pcscd_down_at_start_then_up(sim) -> None:
    sim.pcscd.stop()
    events = EventRecorder()
    reader = PcscReader("smartcard", sim.reader_pattern, poll_timeout_ms=200,
                        reconnect_delay_s=0.2)
    reader.start(events)
    try:
        down = events.wait_status("no_device")
        assert down.payload.reason == "PC/SC service not running"
        assert sim.pcscd.start()
        events.wait_status("ready")
        start = events.mark()
        sim.insert()
        events.wait_kind("identity_read", start)
    finally:
        reader.stop()
