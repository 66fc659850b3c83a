"""The updater's HTTP fetcher: a whole-download deadline that holds whatever the mirror's pace.

python-tuf's urllib3 fetcher reads 400 KB at a time with a per-read gap timeout, so a deadline
checked between reads only fires after 400 KB (or never, for a mirror sending one byte every few
seconds), and the response headers themselves can be trickled forever. :class:`HttpFetcher`
instead:

- connects with a timeout of at most the time left;
- starts a small watchdog thread per download that waits on an event until the deadline and then
  shuts the socket down, which wakes any blocked read at once, in the headers or in the body;
- reads the body with ``read1`` (whatever has arrived, up to `CHUNK_BYTES`) and checks the clock
  after every read.

So a download ends within milliseconds of its deadline (docs/adr/0424). Redirects are not
followed (TUF names every file; a mirror that redirects is refused with an HTTP error) and
proxies are not used.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from tuf.api import exceptions as tuf_errors
from tuf.ngclient import FetcherInterface

#: Bytes asked for per read; ``read1`` returns sooner with whatever has arrived.
CHUNK_BYTES = 64 * 1024


class DownloadDeadlineError(tuf_errors.SlowRetrievalError):
    """A download ran past its whole-download deadline (slow retrieval attack or a hopeless
    link). Plain SlowRetrievalError also covers refused connections, so it is not one."""


class _Watchdog:
    """Shuts a connection's socket down at the deadline unless the download ended first."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self._connection = connection
        self._done = threading.Event()
        self.fired = False
        self._thread = threading.Thread(target=self._watch, args=(seconds,),
                                        name="kiosk-update-deadline", daemon=True)
        self._thread.start()

    def _watch(self, seconds: float) -> None:
        if self._done.wait(seconds):
            return
        self.fired = True
        sock = self._connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        """The download ended (done, failed or abandoned): the watchdog leaves."""
        self._done.set()


class HttpFetcher(FetcherInterface):
    """HTTP(S) fetcher with a gap timeout per read and a whole-download deadline."""

    def __init__(self, gap_seconds: float, deadline_seconds: float, user_agent: str,
                 clock: Callable[[], float] = time.monotonic,
                 tls_context: ssl.SSLContext | None = None) -> None:
        self._gap_seconds = gap_seconds
        self._deadline_seconds = deadline_seconds
        self._user_agent = user_agent
        self._clock = clock
        self._tls_context = tls_context

    def _fetch(self, url: str) -> Iterator[bytes]:
        started = self._clock()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise tuf_errors.DownloadError(f"not an http(s) URL: {url}")
        timeout = min(self._gap_seconds, self._deadline_seconds)
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=timeout,
                context=self._tls_context or ssl.create_default_context())
        else:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        try:
            connection.connect()
        except TimeoutError as exc:
            connection.close()
            raise tuf_errors.SlowRetrievalError(f"no connection within {timeout:g} s") from exc
        remaining = self._deadline_seconds - (self._clock() - started)
        watchdog = _Watchdog(connection, max(remaining, 0.0))
        try:
            connection.request("GET", target, headers={"User-Agent": self._user_agent,
                                                       "Accept-Encoding": "identity"})
            response = connection.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            watchdog.stop()
            connection.close()
            if watchdog.fired:
                raise self._late() from exc
            if isinstance(exc, TimeoutError):
                raise tuf_errors.SlowRetrievalError("mirror silent past the gap timeout") from exc
            raise
        if response.status >= 300:
            watchdog.stop()
            connection.close()
            raise tuf_errors.DownloadHTTPError(
                f"HTTP status {response.status} for {target}", response.status)
        return self._chunks(connection, response, watchdog, started)

    def _late(self) -> DownloadDeadlineError:
        return DownloadDeadlineError(f"download took longer than {self._deadline_seconds:g} s")

    def _chunks(self, connection: http.client.HTTPConnection,
                response: http.client.HTTPResponse, watchdog: _Watchdog,
                started: float) -> Iterator[bytes]:
        try:
            while True:
                try:
                    chunk = response.read1(CHUNK_BYTES)
                except TimeoutError as exc:
                    if watchdog.fired:
                        raise self._late() from exc
                    raise tuf_errors.SlowRetrievalError(
                        "mirror silent past the gap timeout") from exc
                except (OSError, http.client.HTTPException) as exc:
                    if watchdog.fired:
                        raise self._late() from exc
                    raise tuf_errors.DownloadError(
                        f"download interrupted ({exc.__class__.__name__})") from exc
                if watchdog.fired or self._clock() - started > self._deadline_seconds:
                    raise self._late()
                if not chunk:
                    if response.length:  # bytes still owed by Content-Length
                        raise tuf_errors.DownloadError("connection ended early")
                    return
                yield chunk
        finally:
            watchdog.stop()
            connection.close()
