"""Running blocking work off the UI thread, and getting the result back onto it.

The UI uses a single worker thread and hops results onto the Kivy clock; tests and the soak
benchmark use `InlineRunner`, which runs everything immediately on the caller's thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from kiosk.logs import log_event

log = logging.getLogger(__name__)

Dispatch = Callable[[Callable[[], None]], None]


class TaskRunner(Protocol):
    """Runs ``work`` somewhere and then ``done(result)`` on the UI thread."""

    def submit(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Run ``work`` and deliver its result (or the exception instance) to ``done``."""

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the UI thread (from any thread)."""


class InlineRunner:
    """Runs work at once on the calling thread (headless, tests, benchmarks)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()

    def submit(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Run now; deliver exceptions as values so the caller shows a plain message."""
        with self._lock:
            done(_safely(work))

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run now, serialised with other calls."""
        with self._lock:
            fn()


class ThreadRunner:
    """One worker thread for blocking work; results hop onto the UI via ``dispatch``."""

    def __init__(self, dispatch: Dispatch) -> None:
        self._dispatch = dispatch
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-work")

    def submit(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Queue ``work``; ``done`` runs on the UI thread."""
        def job() -> None:
            result = _safely(work)
            self._dispatch(lambda: done(result))
        self._pool.submit(job)

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Hop ``fn`` onto the UI thread."""
        self._dispatch(fn)

    def shutdown(self) -> None:
        """Stop the worker (pending work is dropped)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def _safely(work: Callable[[], Any]) -> Any:
    try:
        return work()
    except Exception as exc:  # a bug or an unexpected fault: never a crash, never a traceback shown
        log_event(log, "task_failed", logging.ERROR, error=type(exc).__name__)
        log.debug("task failure detail", exc_info=True)
        return exc
