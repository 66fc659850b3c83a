"""Publishing a device's status and events: one listener, only changes, old -> new logged.

Every driver composes one `StatusPublisher` (composition, not a base class). A listener that
raises is logged and never stops the driver's worker thread.
"""

from __future__ import annotations

import logging
import threading

from drivers.interfaces import DeviceEvent, Listener
from drivers.status import DeviceStatus


class StatusPublisher:
    """The last known status of one device and the listener its events go to (thread-safe)."""

    def __init__(self, name: str, initial: DeviceStatus, log: logging.Logger) -> None:
        self.name = name
        self.listener: Listener | None = None
        self._status = initial
        self._lock = threading.Lock()
        self._log = log

    @property
    def status(self) -> DeviceStatus:
        """The last known status (never blocks for long)."""
        with self._lock:
            return self._status

    def set_initial(self, status: DeviceStatus) -> None:
        """Replace the status without publishing (before the first listener)."""
        with self._lock:
            self._status = status

    def publish(self, status: DeviceStatus) -> DeviceStatus:
        """Record ``status``; tell the listener only when it changed."""
        with self._lock:
            old, self._status = self._status, status
        if status != old:
            self._log.info("%s: %s -> %s", self.name, old.describe(), status.describe())
            self.emit(DeviceEvent("status", status, self.name))
        return status

    def emit(self, event: DeviceEvent) -> None:
        """Deliver one event; a failing listener is logged, never raised."""
        listener = self.listener
        if listener is None:
            return
        try:
            listener(event)
        except Exception:
            self._log.exception("%s: listener failed on %s", self.name, event.kind)
