"""The platform connection of `kiosk run`, made after the first frame (docs/adr/0815).

Connecting means importing the HTTP stack and the wire models (requests, pydantic,
cryptography) and, in the demo profile, starting the embedded sandbox with its throwaway PKI:
a few hundred milliseconds that the attract screen does not need. `DeferredPlatform` makes the
connection on a thread once `start` is called (the launcher does it after the first frame), or
on the calling thread if something needs the client before that. `DeferredClient` stands where
the client stands (the verifier, the outbox, the token revoker, the heartbeat, technician mode):
every attribute waits for the connection; cancelling calls and closing never start one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from kiosk.core.events import log_event

log = logging.getLogger(__name__)

#: The thread that connects.
THREAD_NAME = "kiosk-platform-connect"


class DeferredPlatform:
    """A `kiosk.platform.connect.PlatformConnection` made once, later, by ``make``."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._claimed = False
        self._done = threading.Event()
        self._connection: Any = None
        self._error: BaseException | None = None
        self._listeners: list[Callable[[Any], None]] = []
        self.client = DeferredClient(self)

    def start(self) -> None:
        """Connect on a background thread (once; nothing if already connecting)."""
        if self._claim():
            threading.Thread(target=self._connect, name=THREAD_NAME, daemon=True).start()

    def connection(self) -> Any:
        """The connection, made here and now if nobody has started it; re-raises its error."""
        if self._claim():
            self._connect()
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._connection

    def ready(self) -> Any:
        """The connection if it is made, else None (never waits, never starts one)."""
        return self._connection if self._done.is_set() else None

    def when_connected(self, listener: Callable[[Any], None]) -> None:
        """Call ``listener(connection)`` once connected (at once if it already is)."""
        with self._lock:
            if not self._done.is_set():
                self._listeners.append(listener)
                return
        if self._connection is not None:
            listener(self._connection)

    def close(self, wait_seconds: float = 5.0) -> None:
        """Close the connection (and its embedded sandbox); one being made is waited for."""
        with self._lock:
            claimed = self._claimed
            self._claimed = True  # no connection starts after a close
        if not claimed:
            return
        self._done.wait(wait_seconds)
        if self._connection is not None:
            self._connection.close()

    def _claim(self) -> bool:
        with self._lock:
            if self._claimed:
                return False
            self._claimed = True
            return True

    def _connect(self) -> None:
        try:
            connection = self._make()
        except BaseException as exc:  # kept for every caller; the first one sees it
            self._error = exc
            log_event(log, "platform_connect_failed", logging.CRITICAL,
                      error=type(exc).__name__)
            self._done.set()
            return
        with self._lock:
            self._connection = connection
            self._done.set()
            listeners, self._listeners = self._listeners, []
        for listener in listeners:
            try:
                listener(connection)
            except Exception as exc:  # a listener must not undo the connection
                log_event(log, "platform_listener_failed", logging.WARNING,
                          error=type(exc).__name__)


class DeferredClient:
    """Stands for the `kiosk.platform.client.PlatformClient` of a `DeferredPlatform`."""

    def __init__(self, platform: DeferredPlatform) -> None:
        self._platform = platform

    def __getattr__(self, name: str) -> Any:
        return getattr(self._platform.connection().client, name)

    def cancel_calls(self, thread_prefix: str = "") -> int:
        """Cancel calls in flight (none before the connection is made)."""
        connection = self._platform.ready()
        return 0 if connection is None else int(connection.client.cancel_calls(thread_prefix))

    def close(self) -> None:
        """Close the client if it was made (the platform's `close` stops the sandbox too)."""
        connection = self._platform.ready()
        if connection is not None:
            connection.client.close()
