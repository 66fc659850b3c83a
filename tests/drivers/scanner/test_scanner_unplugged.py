"""The serial scanner is unplugged and plugged back: no_device as a status, then ready again
on the same path, and codes flow again; a port that never existed is no_device too."""

from __future__ import annotations

from drivers.scanner import CODE_SCANNED, open_scanner
from drivers.status import DeviceState
from tests.drivers.device_events import Events, wait_until


def test_unplug_and_replug() -> None:
    scanner = open_scanner("sim://scanner", reconnect_delay_s=0.05)
    sim = scanner.simulator
    events = Events()
    try:
        scanner.start(events)
        wait_until(lambda: scanner.status().usable)
        sim.scan("before")
        events.wait_for(lambda e: e.kind == CODE_SCANNED)
        sim.unplug()
        gone = events.wait_for(lambda e: e.kind == "status"
                               and e.payload.state is DeviceState.NO_DEVICE)
        assert gone.payload.reason
        mark = len(events.items)
        sim.replug()
        events.wait_for(lambda e: e.kind == "status" and e.payload.state is DeviceState.READY,
                        start=mark)
        sim.scan("after")
        after = events.wait_for(lambda e: e.kind == CODE_SCANNED and e.payload.text == "after")
        assert after.payload.source == "serial"
    finally:
        scanner.stop()
        sim.close()


def test_absent_port() -> None:
    scanner = open_scanner("serial:///dev/ttyACM-kiosk-test-absent", reconnect_delay_s=0.05)
    try:
        scanner.start(Events())
        wait_until(lambda: scanner.status().state is DeviceState.NO_DEVICE
                   and "ttyACM" in scanner.status().reason)
    finally:
        scanner.stop()
