"""`sim://receipt`: an in-process ESC/POS printer on a loopback TCP port.

It speaks the real wire protocol: it records every byte it "prints" and answers DLE EOT n with
status bytes built from a controllable state (paper ok / near end / out, cover open, cutter
error), the way a networked thermal printer on port 9100 does. `run_out_after(n)` makes the paper
run out after ``n`` more bytes, so what follows is lost, as on a real printer. `answer_status`
False simulates a printer that never answers status requests. `open_serial()` also serves the
same printer on a pseudo-terminal, for the serial transport (``escpos+serial://``).
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import socket
import threading
from collections.abc import Callable
from enum import StrEnum

from drivers.receipt.status import DLE_EOT


class PaperState(StrEnum):
    """The paper roll as the sensors see it."""

    OK = "ok"
    NEAR_END = "near_end"
    OUT = "out"


class ReceiptPrinterSimulator:
    """A raw TCP ESC/POS listener that records bytes and answers DLE EOT."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = socket.create_server((host, port))
        self._server.settimeout(0.2)
        self.host, self.port = self._server.getsockname()[:2]
        self._lock = threading.Lock()
        self._captured = bytearray()
        self._lost = 0
        self.paper = PaperState.OK
        self.cover_open = False
        self.cutter_error = False
        self.answer_status = True
        self._run_out_after: int | None = None
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        self._pty_master: int | None = None
        self._pty_slave: int | None = None
        self._pty_thread: threading.Thread | None = None
        self._thread = threading.Thread(target=self._serve, name="receipt-sim", daemon=True)

    @property
    def url(self) -> str:
        """``escpos+tcp://`` URL of this printer."""
        return f"escpos+tcp://{self.host}:{self.port}"

    def start(self) -> ReceiptPrinterSimulator:
        """Start accepting connections."""
        self._thread.start()
        return self

    def open_serial(self) -> str:
        """Serve the printer on a pseudo-terminal too; return the device path to open."""
        if self._pty_master is None:
            self._pty_master, self._pty_slave = pty.openpty()
            self._pty_thread = threading.Thread(target=self._serve_pty, name="receipt-sim-pty",
                                                daemon=True)
            self._pty_thread.start()
        assert self._pty_slave is not None
        return os.ttyname(self._pty_slave)

    def stop(self) -> None:
        """Stop the listener and close connections (safe to call twice)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
        if self._pty_thread is not None and self._pty_thread.is_alive():
            self._pty_thread.join(timeout=2)
        for fd in (self._pty_master, self._pty_slave):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._pty_master = self._pty_slave = None
        for conn in list(self._conns):
            with contextlib.suppress(OSError):
                conn.close()
        with contextlib.suppress(OSError):
            self._server.close()

    # -- control ---------------------------------------------------------------------------
    def set_paper(self, state: PaperState | str) -> None:
        """Set the paper sensors (ok, near_end, out)."""
        with self._lock:
            self.paper = PaperState(state)
            if self.paper is not PaperState.OUT:
                self._run_out_after = None

    def set_cover_open(self, is_open: bool) -> None:
        """Open or close the cover."""
        with self._lock:
            self.cover_open = is_open

    def set_cutter_error(self, error: bool) -> None:
        """Make the auto-cutter fail (or recover)."""
        with self._lock:
            self.cutter_error = error

    def run_out_after(self, n_bytes: int) -> None:
        """The paper runs out after ``n_bytes`` more printed bytes."""
        with self._lock:
            self._run_out_after = n_bytes

    def captured(self) -> bytes:
        """Every byte printed so far (status requests excluded)."""
        with self._lock:
            return bytes(self._captured)

    def lost_bytes(self) -> int:
        """Bytes received while out of paper (not printed)."""
        with self._lock:
            return self._lost

    def clear(self) -> None:
        """Forget what was printed."""
        with self._lock:
            self._captured.clear()
            self._lost = 0

    # -- wire ------------------------------------------------------------------------------
    def status_byte(self, n: int) -> int:
        """The reply to DLE EOT n for the current state."""
        with self._lock:
            out = self.paper is PaperState.OUT
            if n == 1:
                offline = out or self.cover_open or self.cutter_error
                return 0x12 | (0x08 if offline else 0)
            if n == 2:
                return 0x12 | (0x04 if self.cover_open else 0) | (0x20 if out else 0) | (
                    0x40 if self.cutter_error else 0)
            if n == 3:
                return 0x12 | (0x08 if self.cutter_error else 0)
            near = self.paper in (PaperState.NEAR_END, PaperState.OUT)
            return 0x12 | (0x0C if near else 0) | (0x60 if out else 0)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(0.2)
        pending = b""
        try:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                pending += chunk
                pending = self._consume(conn.sendall, pending)
        except OSError:
            return
        finally:
            with contextlib.suppress(OSError):
                conn.close()
            with contextlib.suppress(ValueError):
                self._conns.remove(conn)

    def _serve_pty(self) -> None:
        master = self._pty_master
        assert master is not None
        pending = b""
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([master], [], [], 0.2)
                if not ready:
                    continue
                chunk = os.read(master, 65536)
            except OSError:  # EIO while no one holds the slave open
                self._stop.wait(0.05)
                continue
            pending = self._consume(lambda reply: os.write(master, reply), pending + chunk)

    def _consume(self, reply: Callable[[bytes], object], data: bytes) -> bytes:
        """Handle complete DLE EOT requests; print everything else; keep a partial tail."""
        index = 0
        while True:
            at = data.find(DLE_EOT, index)
            if at < 0:
                keep = 2 if data.endswith(DLE_EOT) else 1 if data.endswith(b"\x10") else 0
                keep = min(keep, len(data) - index)  # a request split across reads
                self._print(data[index:len(data) - keep])
                return data[len(data) - keep:] if keep else b""
            if at + 2 >= len(data):
                self._print(data[index:at])
                return data[at:]
            self._print(data[index:at])
            n = data[at + 2]
            if self.answer_status and n in (1, 2, 3, 4):
                reply(bytes([self.status_byte(n)]))
            index = at + 3

    def _print(self, data: bytes) -> None:
        if not data:
            return
        with self._lock:
            if self.paper is PaperState.OUT or self.cover_open:
                self._lost += len(data)
                return
            if self._run_out_after is not None:
                room = self._run_out_after
                printed, lost = data[:room], data[room:]
                self._captured += printed
                self._run_out_after -= len(printed)
                if self._run_out_after <= 0:
                    self.paper = PaperState.OUT
                    self._run_out_after = None
                    self._lost += len(lost)
                return
            self._captured += data
