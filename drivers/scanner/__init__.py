"""Code scanners: serial (CDC) and keyboard-wedge (evdev), with payload classification.

``open_scanner(url, **options)`` is the one factory:
- ``serial:///dev/ttyACM0`` (options: baudrate, idle_flush_s) — any pyserial URL after
  ``serial://`` also works, e.g. ``serial://socket://host:port``;
- ``evdev:///dev/input/by-id/usb-...-event-kbd`` (option: grab, default True);
- ``sim://scanner`` — a pty simulator with the real serial driver; ``.simulator.scan(text)``.
Events: ``code_scanned`` / ``code_rejected`` with a drivers.scanner.payloads.ScannedCode.
"""

from __future__ import annotations

from typing import Any

from drivers.scanner.cdc import SerialScanner
from drivers.scanner.events import CODE_REJECTED, CODE_SCANNED
from drivers.scanner.payloads import CodeKind, ELicenceId, ScannedCode, classify
from drivers.scanner.simulator import ScannerSimulator
from drivers.scanner.wedge import EvdevScanner, KeyboardWedgeDecoder

__all__ = [
    "CODE_REJECTED",
    "CODE_SCANNED",
    "CodeKind",
    "ELicenceId",
    "EvdevScanner",
    "KeyboardWedgeDecoder",
    "ScannedCode",
    "ScannerSimulator",
    "ScannerUrlError",
    "SerialScanner",
    "classify",
    "open_scanner",
]


class ScannerUrlError(ValueError):
    """The configured scanner URL is malformed."""


def open_scanner(url: str, *, allow_simulator: bool = True,
                 **options: Any) -> SerialScanner | EvdevScanner:
    """A scanner for ``url`` (not started); see the module docstring for URLs and options."""
    if url == "sim://scanner":
        if not allow_simulator:
            raise ScannerUrlError("the scanner simulator is refused in production")
        simulator = ScannerSimulator(int(options.get("baudrate", 9600)))
        scanner = SerialScanner(simulator.target(), **options)
        scanner.simulator = simulator
        return scanner
    if url.startswith("serial://"):
        port = url[len("serial://"):]
        if not port:
            raise ScannerUrlError(f"no port in {url!r}")
        return SerialScanner(port, **options)
    if url.startswith("evdev://"):
        path = url[len("evdev://"):]
        if not path.startswith("/dev/input/"):
            raise ScannerUrlError(f"evdev path must be under /dev/input: {url!r}")
        return EvdevScanner(path, **options)
    raise ScannerUrlError(f"unsupported scanner URL {url!r}")
