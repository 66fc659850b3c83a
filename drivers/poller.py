"""A device's status poller: one daemon thread that refreshes the status every interval and
skips a round while the device is busy with a job (its lock is held), so polling never delays
or interleaves with a print."""

from __future__ import annotations

import threading
from collections.abc import Callable


class StatusPoller:
    """Calls ``refresh()`` every ``interval_seconds`` while ``lock`` is free."""

    def __init__(self, name: str, interval_seconds: float, lock: threading.Lock,
                 refresh: Callable[[], object]) -> None:
        self.name = name
        self.interval_seconds = interval_seconds
        self._lock = lock
        self._refresh = refresh
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def stop(self, grace_seconds: float = 5.0) -> None:
        """Stop the thread and wait for it (at most one interval plus ``grace_seconds``)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval_seconds + grace_seconds)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval_seconds):
            if self._lock.acquire(blocking=False):
                try:
                    self._refresh()
                finally:
                    self._lock.release()
