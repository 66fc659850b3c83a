"""Fleet heartbeat: report the terminal's status to the platform on an interval.

A worker thread wakes every ``interval_seconds``, asks ``collect()`` for a `WireHeartbeatReport`
(versions, device and supply status, outbox depth, session and rating counts) and posts it.
A failed heartbeat is logged and tried again next time; it never raises into the app.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kiosk.core.events import log_event
from kiosk.platform.client import PlatformClient
from kiosk.platform.errors import PlatformError
from kiosk.platform.models import WireHeartbeatReport

LOG = logging.getLogger("kiosk.platform.heartbeat")
DEFAULT_HEARTBEAT_INTERVAL_SECONDS = 60.0  # the fleet view calls a terminal stale after 3


class HeartbeatSender:
    """Posts a heartbeat now and then every ``interval_seconds`` until `stop`."""

    def __init__(
        self,
        client: PlatformClient,
        collect: Callable[[], WireHeartbeatReport],
        interval_seconds: float = DEFAULT_HEARTBEAT_INTERVAL_SECONDS,
    ) -> None:
        if interval_seconds <= 0:
            raise ValueError("interval_seconds must be positive")
        self._client = client
        self._collect = collect
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sent = 0
        self.failed = 0

    def beat(self) -> bool:
        """Send one heartbeat now; True when the platform took it."""
        try:
            report = self._collect()
            self._client.heartbeat(report)
        except PlatformError as exc:
            self.failed += 1
            log_event(LOG, "heartbeat_failed", logging.WARNING, kind=exc.kind.value)
            return False
        except Exception as exc:  # a broken collector must not kill the heartbeat thread
            self.failed += 1
            log_event(LOG, "heartbeat_collect_failed", logging.ERROR, error=type(exc).__name__)
            return False
        self.sent += 1
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            self.beat()
            self._stop.wait(self._interval)

    def start(self) -> None:
        """Start the worker thread (idempotent)."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
            self._thread.start()

    def stop(self, timeout_seconds: float = 5.0) -> None:
        """Stop the worker thread and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout_seconds)
            self._thread = None
