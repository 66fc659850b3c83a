"""Scanner URLs select the driver; bad URLs are configuration errors; the simulator is refused
when simulators are not allowed."""

from __future__ import annotations

import pytest

from drivers.scanner import EvdevScanner, ScannerUrlError, SerialScanner, open_scanner


def test_serial_and_evdev() -> None:
    serial_scanner = open_scanner("serial:///dev/ttyACM0", baudrate=115200)
    assert isinstance(serial_scanner, SerialScanner)
    assert serial_scanner.port == "/dev/ttyACM0" and serial_scanner.baudrate == 115200
    wedge = open_scanner("evdev:///dev/input/by-id/usb-X-event-kbd", grab=True)
    assert isinstance(wedge, EvdevScanner) and wedge.grab


def test_simulator_handle() -> None:
    scanner = open_scanner("sim://scanner")
    try:
        assert scanner.simulator is not None
        assert isinstance(scanner, SerialScanner)
        assert scanner.port == scanner.simulator.target()
    finally:
        scanner.simulator.close()


@pytest.mark.parametrize("url", ["serial://", "evdev:///etc/passwd", "hid://1", "sim://camera"])
def test_bad_urls(url: str) -> None:
    with pytest.raises(ScannerUrlError):
        open_scanner(url)


def test_simulator_refused_in_production() -> None:
    with pytest.raises(ScannerUrlError):
        open_scanner("sim://scanner", allow_simulator=False)
