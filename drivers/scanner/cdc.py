"""A code scanner on a serial port (USB CDC / virtual COM, ``/dev/ttyACM*``): raw bytes, Chinese
intact. One reader thread frames the bytes on the suffix and reports classified codes; when the
port vanishes (unplugged) it reports ``no_device`` and reopens it every ``reconnect_delay_s``.
"""

from __future__ import annotations

import logging
import threading
import time

import serial

from drivers.interfaces import DeviceEvent, Listener
from drivers.publisher import StatusPublisher
from drivers.scanner.events import frame_events
from drivers.scanner.framing import SuffixFramer
from drivers.scanner.payloads import MAX_CODE_BYTES
from drivers.status import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

#: Wait between attempts to reopen a missing port.
RECONNECT_DELAY_SECONDS = 1.0
#: Read timeout of the port: how quickly stop() and idle flushing are noticed.
READ_TIMEOUT_SECONDS = 0.1


class SerialScanner:
    """A serial code scanner; a ``drivers.interfaces.Device`` emitting ``code_scanned``."""

    def __init__(self, port: str, *, name: str = "scanner", baudrate: int = 9600,
                 max_bytes: int = MAX_CODE_BYTES,
                 idle_flush_s: float | None = None,
                 reconnect_delay_s: float = RECONNECT_DELAY_SECONDS) -> None:
        self.name = name
        self.port = port
        self.baudrate = baudrate
        self._framer = SuffixFramer(max_bytes=max_bytes)
        self._idle_flush_s = idle_flush_s
        self._reconnect_delay_s = reconnect_delay_s
        self._publisher = StatusPublisher(self.name, DeviceStatus(DeviceState.NO_DEVICE,
                                                                  "not started"), log)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.simulator: object | None = None

    def start(self, listener: Listener) -> None:
        """Start the reader thread. Ignored if running."""
        if self._thread is not None:
            return
        self._publisher.listener = listener
        self._stop.clear()
        if self._publisher.status.reason == "not started":
            self._publisher.set_initial(DeviceStatus(DeviceState.NO_DEVICE, "opening"))
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-reader",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop reading and close the port; safe to call twice."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5.0)

    def status(self) -> DeviceStatus:
        """The last known status (never blocks)."""
        return self._publisher.status

    def _set_status(self, status: DeviceStatus) -> None:
        self._publisher.publish(status)

    def _emit(self, event: DeviceEvent) -> None:
        self._publisher.emit(event)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                port = serial.serial_for_url(self.port, baudrate=self.baudrate,
                                             timeout=READ_TIMEOUT_SECONDS)
            except (serial.SerialException, OSError, ValueError):
                self._set_status(DeviceStatus(DeviceState.NO_DEVICE,
                                              f"no scanner at {self.port}"))
                self._stop.wait(self._reconnect_delay_s)
                continue
            self._framer.reset()
            self._set_status(DeviceStatus(DeviceState.READY))
            try:
                self._read(port)
            except (serial.SerialException, OSError):
                self._set_status(DeviceStatus(DeviceState.NO_DEVICE, "scanner disconnected"))
                self._stop.wait(self._reconnect_delay_s)
            finally:
                port.close()

    def _read(self, port: serial.Serial) -> None:
        last_byte = time.monotonic()
        while not self._stop.is_set():
            data = port.read(max(1, port.in_waiting))
            now = time.monotonic()
            if data:
                last_byte = now
                items = self._framer.feed(data)
            elif (self._idle_flush_s is not None and self._framer.pending
                  and now - last_byte >= self._idle_flush_s):
                items = self._framer.flush()
            else:
                continue
            for event in frame_events(items, "serial", self.name):
                self._emit(event)
