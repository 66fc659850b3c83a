"""Garbage collection and freed memory off the touch path.

A full collection of the kiosk's heap (the widget tree, the pinyin dictionary, the catalogue) took
250-711 ms and landed in about a fifth of a resident's touches. After start-up the long-lived
objects are frozen (``gc.freeze``: the collector no longer walks them), so the collections that
still run during a session only look at what the session made and stay short. When the terminal
has been back at attract for a moment (nobody touching it), `collect_in_idle` unfreezes, runs the
full collection there and freezes what survived (screens rebuilt after the wipe, caches).
glibc's ``malloc_trim`` was tried here and dropped: while it walks a large heap it holds the
allocator's arena locks, and a PC/SC reader thread stalled behind it lost its card events
(docs/adr/0780-touch-to-drawn.md).
"""

from __future__ import annotations

import gc
import logging
import time

from kiosk.core.events import log_event

log = logging.getLogger(__name__)


def freeze_after_start() -> None:
    """Collect once and freeze everything alive: start-up's objects are never walked again."""
    gc.collect()
    gc.freeze()


def collect_in_idle() -> float:
    """The full collection, at a quiet moment; returns the milliseconds it took."""
    started = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    spent = (time.perf_counter() - started) * 1000
    log_event(log, "idle_collection", logging.DEBUG, ms=round(spent),
              frozen=gc.get_freeze_count())
    return spent
