"""The platform client's transport: a hard deadline per call and a bounded answer (ADR 0411).

requests' ``timeout`` bounds each socket read, so a server that sends one byte every few seconds
holds a call forever. Here every attempt runs under a `Deadline`: the connection classes of the
session's pools register their sockets with the calling thread's deadline, and one watchdog
thread shuts those sockets down the moment the deadline passes, which ends any blocked connect,
handshake, header or body read. `read_body` streams the answer in chunks, refuses more than
``limit`` bytes (before or after decompression, so a gzip bomb never grows memory) and refuses
encodings it does not know. Redirects are never followed (the caller treats 3xx as an error).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
import zlib
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from kiosk.platform.errors import ErrorKind, PlatformError

CHUNK_BYTES = 64 * 1024
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024

_current = threading.local()


class Deadline:
    """The end of one attempt; sockets opened or used meanwhile are shut down when it passes."""

    def __init__(self, seconds: float) -> None:
        self.seconds = max(0.0, seconds)
        self.expires = time.monotonic() + self.seconds
        self.fired = False
        self.cancelled = False  # ended early by `cancel`, not by the clock
        self.sent = False  # the request went out (before that, nothing answered: unavailable)
        self.thread_name = threading.current_thread().name
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._done = False

    def remaining(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.expires - time.monotonic())

    def watch(self, sock: Any) -> None:
        """Shut ``sock`` down at the deadline (at once when it already passed)."""
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            if not self.fired:
                self._sockets.append(sock)
                return
        _shutdown(sock)

    def cancel(self) -> None:
        """End the attempt now (the session it served is gone)."""
        self.cancelled = True
        self.fire()

    def fire(self) -> None:
        """The deadline passed: end every socket this attempt uses."""
        with self._lock:
            if self._done or self.fired:
                return
            self.fired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shutdown(sock)

    def __enter__(self) -> Deadline:
        _current.deadline = self
        _WATCHDOG.add(self)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._done = True
            self._sockets.clear()
        _current.deadline = None


def _shutdown(sock: socket.socket) -> None:
    # socket.socket.shutdown, not SSLSocket.shutdown: the latter also drops the TLS object
    # under a read that another thread is blocked in.
    with contextlib.suppress(OSError, ValueError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _ended(deadline: Deadline) -> str:
    return "cancelled" if deadline.cancelled else "deadline"


def _register(sock: Any) -> None:
    deadline: Deadline | None = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline.watch(sock)


def _mark_sent() -> None:
    deadline: Deadline | None = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline.sent = True


class _Watchdog:
    """One daemon thread firing deadlines in order of expiry."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._cond = threading.Condition()
        self._ids = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, deadline: Deadline) -> None:
        with self._cond:
            heapq.heappush(self._heap, (deadline.expires, next(self._ids), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="platform-deadlines", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                expires, _, deadline = self._heap[0]
                wait = expires - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
            deadline.fire()


_WATCHDOG = _Watchdog()


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _register(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self.sock)
        super().request(*args, **kwargs)
        _mark_sent()


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _register(sock)
        return sock

    def connect(self) -> None:
        super().connect()
        _register(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self.sock)
        super().request(*args, **kwargs)
        _mark_sent()


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """An adapter whose connections obey the calling thread's `Deadline`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Build the pool manager with watched connection classes."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }


class _NoRedirectSession(requests.Session):
    """A session that never looks at ``Location``.

    Even with ``allow_redirects=False`` requests reads a redirect's whole body into memory to
    prepare the next hop; with no redirect target it leaves the body to `read_body`.
    """

    def get_redirect_target(self, resp: requests.Response) -> None:
        """Never a redirect target."""
        return None


def new_session(
    headers: dict[str, str],
    *,
    ca_file: str = "",
    cert_file: str = "",
    key_file: str = "",
) -> requests.Session:
    """A session with watched connections, no environment proxies or CA bundles, and mTLS.

    ``ca_file`` is the only trust anchor when given (never the system's store, ADR 0410);
    ``cert_file``/``key_file`` is the terminal's certificate presented to the platform.
    """
    session = _NoRedirectSession()
    session.trust_env = False  # no HTTPS_PROXY, REQUESTS_CA_BUNDLE or .netrc from outside
    adapter = DeadlineAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update(headers)
    session.headers["Accept-Encoding"] = "gzip, identity"
    if ca_file:
        session.verify = ca_file
    if cert_file:
        session.cert = (cert_file, key_file) if key_file else cert_file
    return session


def read_body(response: requests.Response, deadline: Deadline, limit: int) -> bytes:
    """The answer's body, decompressed, at most ``limit`` bytes, before the deadline.

    Raises `PlatformError` (SERVER_ERROR ``too_large`` / ``bad_encoding``, TIMEOUT ``deadline``).
    """
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PlatformError(ErrorKind.SERVER_ERROR, status=response.status_code, code="too_large")
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    decoder: Any = None
    if encoding in ("gzip", "x-gzip", "deflate"):
        decoder = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header
    elif encoding not in ("", "identity"):
        raise PlatformError(
            ErrorKind.SERVER_ERROR, status=response.status_code, code="bad_encoding"
        )
    parts: list[bytes] = []
    size = 0
    raw = response.raw
    while True:
        if deadline.fired or deadline.remaining() <= 0:
            raise PlatformError(ErrorKind.TIMEOUT, code=_ended(deadline))
        chunk = raw.read(CHUNK_BYTES, decode_content=False)
        if not chunk:
            break
        if decoder is None:
            size += len(chunk)
            if size > limit:
                raise PlatformError(
                    ErrorKind.SERVER_ERROR, status=response.status_code, code="too_large"
                )
            parts.append(chunk)
            continue
        pending = chunk
        while pending:
            try:
                out = decoder.decompress(pending, limit - size + 1)
            except zlib.error:
                raise PlatformError(
                    ErrorKind.SERVER_ERROR, status=response.status_code, code="bad_encoding"
                ) from None
            size += len(out)
            if size > limit:
                raise PlatformError(
                    ErrorKind.SERVER_ERROR, status=response.status_code, code="too_large"
                )
            parts.append(out)
            pending = decoder.unconsumed_tail
            if decoder.eof:
                break
    if deadline.fired:
        raise PlatformError(ErrorKind.TIMEOUT, code=_ended(deadline))
    if decoder is not None and not decoder.eof and parts:
        raise PlatformError(
            ErrorKind.SERVER_ERROR, status=response.status_code, code="bad_encoding"
        )
    return b"".join(parts)
