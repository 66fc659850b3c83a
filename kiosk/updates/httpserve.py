"""A plain HTTP server for a published repository folder, counting the bytes it sends.

Used by the tests, the benchmark and a technician's demo (the real deployment serves the same
folder from any web server or CDN). ``overrides`` maps a URL path to a handler function so tests
can play a hostile mirror (endless data, swapped files) with a real socket in between.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

#: An endless response stops after this many bytes so a test can never fill a disk.
ENDLESS_CAP_BYTES = 256 * 1024 * 1024
_ENDLESS_CHUNK_BYTES = 64 * 1024


class _CountingWriter:
    def __init__(self, inner: Any, server: RepoServer) -> None:
        self._inner = inner
        self._server = server

    def write(self, data: bytes) -> int:
        written = self._inner.write(data)
        self._server.add_bytes(len(data))
        return written if written is not None else len(data)

    def flush(self) -> None:
        self._inner.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Handler(SimpleHTTPRequestHandler):
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.wfile = _CountingWriter(self.wfile, self.server.owner)  # type: ignore[assignment]

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.owner.requests.append(path)
        override = self.server.owner.overrides.get(path)
        if override is not None:
            override(self)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read ``requests`` instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: RepoServer


def send_endless(handler: SimpleHTTPRequestHandler) -> None:
    """Override: a 200 response that never ends (until the client hangs up or the cap)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/octet-stream")
    handler.end_headers()
    chunk = b"\x00" * _ENDLESS_CHUNK_BYTES
    sent = 0
    try:
        while sent < ENDLESS_CAP_BYTES:
            handler.wfile.write(chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        return


def send_trickle(data: bytes, chunk_bytes: int = 64,
                 pause_seconds: float = 0.05) -> Callable[[SimpleHTTPRequestHandler], None]:
    """Override: serve ``data`` (with its true length) a few bytes at a time (slow retrieval)."""
    def _send(handler: SimpleHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        try:
            for offset in range(0, len(data), chunk_bytes):
                handler.wfile.write(data[offset:offset + chunk_bytes])
                handler.wfile.flush()
                time.sleep(pause_seconds)
        except (BrokenPipeError, ConnectionResetError):
            return
    return _send


def send_bytes(data: bytes) -> Callable[[SimpleHTTPRequestHandler], None]:
    """Override: serve fixed bytes."""
    def _send(handler: SimpleHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
    return _send


class RepoServer:
    """Serve ``root`` on 127.0.0.1 (free port) in a background thread; use as a context manager."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.overrides: dict[str, Callable[[SimpleHTTPRequestHandler], None]] = {}
        self.requests: list[str] = []
        self._bytes = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), partial(_Handler, directory=str(self.root)))
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="repo-server", daemon=True)

    @property
    def url(self) -> str:
        """Base URL ending in a slash."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    @property
    def bytes_sent(self) -> int:
        """Bytes written to clients (headers and bodies) since start or the last reset."""
        with self._lock:
            return self._bytes

    def add_bytes(self, count: int) -> None:
        """Count bytes sent (called by the handler)."""
        with self._lock:
            self._bytes += count

    def reset_counters(self) -> None:
        """Zero the byte counter and the request log."""
        with self._lock:
            self._bytes = 0
        self.requests.clear()

    def __enter__(self) -> RepoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
