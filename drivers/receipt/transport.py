"""Byte transports to a receipt printer, through python-escpos' printer classes.

python-escpos does the connection handling right (raw TCP 9100, serial, USB via pyusb, a device
file); we only use its raw write and read. Every failure is returned as a reason string.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

#: Transport errors that mean "the printer is not reachable right now".
try:  # pragma: no cover - import guard
    import serial as _serial

    SERIAL_ERRORS: tuple[type[BaseException], ...] = (_serial.SerialException,)
except ImportError:  # pragma: no cover
    SERIAL_ERRORS = ()


def _escpos_errors() -> tuple[type[BaseException], ...]:
    from escpos.exceptions import Error as EscposError

    return (EscposError, OSError, socket.timeout, AssertionError, ValueError, *SERIAL_ERRORS)


class EscposTransport:
    """One python-escpos printer object, opened lazily and reopened after a failure."""

    def __init__(self, kind: str, status_timeout_seconds: float = 1.0, **params: Any) -> None:
        self.kind = kind  # network | serial | usb | file
        self.params = params
        self.status_timeout_seconds = status_timeout_seconds
        self._printer: Any = None
        self._errors = _escpos_errors()

    def describe(self) -> str:
        """Where the printer is, for logs (no personal data)."""
        return f"{self.kind}:" + ",".join(f"{k}={v}" for k, v in sorted(self.params.items()))

    def _make(self) -> Any:
        from escpos import printer as escpos_printer

        if self.kind == "network":
            return escpos_printer.Network(self.params["host"], int(self.params["port"]),
                                          timeout=float(self.params.get("timeout", 5.0)))
        if self.kind == "serial":
            return escpos_printer.Serial(self.params["devfile"],
                                         baudrate=int(self.params.get("baudrate", 9600)),
                                         timeout=self.status_timeout_seconds)
        if self.kind == "usb":
            return escpos_printer.Usb(int(self.params["vid"]), int(self.params["pid"]),
                                      timeout=int(self.status_timeout_seconds * 1000))
        if self.kind == "file":
            return escpos_printer.File(self.params["devfile"])
        raise ValueError(f"unknown transport {self.kind!r}")

    def open(self) -> str:
        """Connect if needed; return "" or the reason it failed."""
        if self._printer is not None:
            return ""
        try:
            printer = self._make()
            printer.open()
        except ImportError as exc:
            return f"transport unavailable ({exc.name} not installed)"
        except self._errors as exc:
            return f"cannot open printer ({type(exc).__name__})"
        self._printer = printer
        return ""

    def close(self) -> None:
        """Disconnect (safe to call twice)."""
        printer, self._printer = self._printer, None
        if printer is not None:
            with contextlib.suppress(*self._errors):
                printer.close()

    def write(self, data: bytes) -> str:
        """Send bytes; return "" or the reason it failed (the connection is then dropped)."""
        reason = self.open()
        if reason:
            return reason
        try:
            self._printer._raw(data)
        except self._errors as exc:
            self.close()
            return f"write failed ({type(exc).__name__})"
        return ""

    def _drain(self, device: Any) -> None:
        """Drop stale bytes (a late answer to an earlier, timed-out query)."""
        if isinstance(device, socket.socket):
            device.setblocking(False)
            try:
                while device.recv(256):
                    pass
            except (BlockingIOError, InterruptedError):
                pass
            finally:
                device.setblocking(True)
        elif self.kind == "serial" and device is not None:
            device.reset_input_buffer()

    def query(self, request: bytes) -> tuple[int | None, str]:
        """Send a real-time status request and read one reply byte (None when no reply)."""
        reason = self.open()
        if reason:
            return None, reason
        device = getattr(self._printer, "device", None)
        old_timeout = None
        if isinstance(device, socket.socket):
            old_timeout = device.gettimeout()
        try:
            self._drain(device)
            if isinstance(device, socket.socket):
                device.settimeout(self.status_timeout_seconds)
            self._printer._raw(request)
            if self.kind == "serial" and device is not None:
                reply = device.read(1) or b""  # returns at the first byte (read(16) would wait)
            else:
                reply = self._printer._read() or b""
                if self.kind == "network" and not reply:
                    self.close()  # the peer closed the connection
                    return None, "connection closed by printer"
        except TimeoutError:
            return None, ""
        except self._errors as exc:
            self.close()
            return None, f"status query failed ({type(exc).__name__})"
        finally:
            if old_timeout is not None and isinstance(device, socket.socket):
                with contextlib.suppress(OSError):
                    device.settimeout(old_timeout)
        return (reply[-1] if reply else None), ""
