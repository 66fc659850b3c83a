"""Helpers shared by the camera and scanner driver tests (events, waiting, process figures)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from drivers.interfaces import DeviceEvent

#: Generous upper bound for anything asynchronous to happen on a busy shared machine.
WAIT_SECONDS = 15.0


class Events:
    """A thread-safe listener that records events and lets a test wait for one."""

    def __init__(self) -> None:
        self.items: list[DeviceEvent] = []
        self._cond = threading.Condition()

    def __call__(self, event: DeviceEvent) -> None:
        with self._cond:
            self.items.append(event)
            self._cond.notify_all()

    def kinds(self) -> list[str]:
        """The kinds received so far."""
        with self._cond:
            return [e.kind for e in self.items]

    def wait_for(self, predicate: Callable[[DeviceEvent], bool],
                 timeout_s: float = WAIT_SECONDS, start: int = 0) -> DeviceEvent:
        """The first event from index ``start`` matching ``predicate``; fails on timeout."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                for event in self.items[start:]:
                    if predicate(event):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no matching event; got {[e.kind for e in self.items]}")
                self._cond.wait(remaining)

    def of_kind(self, kind: str) -> list[DeviceEvent]:
        """Events of one kind, in order."""
        with self._cond:
            return [e for e in self.items if e.kind == kind]


def wait_until(predicate: Callable[[], bool], timeout_s: float = WAIT_SECONDS) -> None:
    """Poll ``predicate`` until true; fails on timeout."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def rss_bytes() -> int:
    """Resident set size of this process."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def os_threads() -> int:
    """Kernel threads of this process (includes OpenCV's own pools)."""
    return len(os.listdir("/proc/self/task"))


def open_fds() -> int:
    """Open file descriptors of this process."""
    return len(os.listdir("/proc/self/fd"))
