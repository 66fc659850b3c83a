"""The serial scanner simulator: a pty whose slave the real SerialScanner opens.

The driver opens a stable path (a symlink in a temporary folder, like /dev/serial/by-id)
pointing at the pty's slave. ``scan(text, suffix)`` writes the code to the master as a scanner
would; ``write_raw(bytes)`` sends anything (garbage, overlong input); ``unplug()`` closes the
pty (the driver's reads fail as with a pulled USB cable) and ``replug()`` makes a new one.
"""

from __future__ import annotations

import os
import pty
import shutil
import tempfile
import threading
import time
import tty
import weakref
from pathlib import Path

#: pyserial's wire time per byte at 8N1 is 10 bits; the pty itself ignores the baud rate.
BITS_PER_BYTE = 10


class ScannerSimulator:
    """A scanner at the other end of a pty: ``scan(text, suffix="\\r")``, ``unplug()``,
    ``replug()``."""

    def __init__(self, baudrate: int = 9600, *, wire_time: bool = False) -> None:
        self.baudrate = baudrate
        self.wire_time = wire_time
        self.directory = Path(tempfile.mkdtemp(prefix="kiosk-scansim-"))
        self.device_path = self.directory / "ttyACM0"
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.directory, True)
        self._lock = threading.Lock()
        self._master: int | None = None
        self._slave: int | None = None
        self.replug()

    def target(self) -> str:
        """The port path the driver opens."""
        return str(self.device_path)

    def replug(self) -> None:
        """Plug the scanner in (a fresh pty behind the same path)."""
        with self._lock:
            if self._master is not None:
                return
            master, slave = pty.openpty()
            tty.setraw(master)
            tty.setraw(slave)
            tmp = self.directory / ".link"
            tmp.unlink(missing_ok=True)
            os.symlink(os.ttyname(slave), tmp)
            os.replace(tmp, self.device_path)
            self._master, self._slave = master, slave

    def unplug(self) -> None:
        """Pull the cable: the path goes and the pty closes under the driver."""
        with self._lock:
            self.device_path.unlink(missing_ok=True)
            for fd in (self._master, self._slave):
                if fd is not None:
                    os.close(fd)
            self._master = self._slave = None

    def write_raw(self, data: bytes) -> None:
        """Send bytes as they are (garbage, partial codes, overlong input)."""
        with self._lock:
            if self._master is None:
                raise OSError("scanner simulator is unplugged")
            view = memoryview(data)
            while view:
                written = os.write(self._master, view[:4096])
                view = view[written:]
        if self.wire_time:
            time.sleep(len(data) * BITS_PER_BYTE / self.baudrate)

    def scan(self, text: str, suffix: str = "\r", encoding: str = "utf-8") -> None:
        """A code is scanned: its text in ``encoding`` followed by the configured suffix."""
        self.write_raw((text + suffix).encode(encoding))

    def close(self) -> None:
        """Unplug and remove the temporary folder."""
        self.unplug()
        self._finalizer()
