"""Garbage collection and freed memory off the touch path.

A full collection of the kiosk's heap (the widget tree, the pinyin dictionary, the catalogue) took
250-711 ms and landed in about a fifth of a resident's touches. After start-up the long-lived
objects are frozen (``gc.freeze``: the collector no longer walks them), so the collections that
still run during a session only look at what the session made and stay short. When the terminal
has been back at attract for a moment (nobody touching it), `collect_in_idle` unfreezes, runs the
full collection there and freezes what survived (screens rebuilt after the wipe, caches).
glibc's ``malloc_trim`` was tried here and dropped (docs/adr/0780-touch-to-drawn.md): a
technician-card UI test failed with it. That test fails as often on main without any trim
(4 of 6 runs, "timed out waiting for resident identified", 2026-12-03), so the trim is back
(docs/adr/0817): on a thread of its own, 4-13 ms, 32-80 MB returned at attract.

Instead, `tune_allocator` (after the first frame, before the devices' threads start) sets glibc's
thresholds once, so freed memory goes back to the system as it is freed, with no walk of the
heap and no lock held for long (docs/adr/0817):
- ``M_MMAP_THRESHOLD`` fixed at 256 KiB: larger blocks (textures, images, PDFs, HTTP bodies) are
  mapped on their own and unmapped when freed. Left alone, glibc raises this threshold each
  time a large block is freed (up to 32 MiB), after which such blocks come from the heap and
  leave holes the size of the largest session's peak;
- ``M_TRIM_THRESHOLD`` fixed at 1 MiB: free space above that at the top of a heap is returned
  at the ``free`` that made it (fixing it also stops glibc raising it);
- ``M_ARENA_MAX`` 2: without it every thread that allocates may get an arena of its own (up to
  16 on two cores), each keeping its own free memory; Python threads run one at a time under
  the GIL, so two arenas cost no waiting.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time

from kiosk.core.events import log_event

log = logging.getLogger(__name__)

#: glibc mallopt parameters (malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
#: The values `tune_allocator` sets.
ALLOCATOR_SETTINGS = ((M_MMAP_THRESHOLD, 256 * 1024), (M_TRIM_THRESHOLD, 1024 * 1024),
                      (M_ARENA_MAX, 2))


def tune_allocator() -> bool:
    """Set glibc's allocator to give freed memory back as it goes (see the module's text);
    False where there is no glibc (nothing changes there)."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    done = all(mallopt(param, value) == 1 for param, value in ALLOCATOR_SETTINGS)
    log_event(log, "allocator_tuned", logging.DEBUG, ok=done)
    return done


#: Full collections run by themselves only after this many young-generation ones (Python's
#: default is 10): during a session they are the slow ones (100-700 ms with the widget trees of
#: the screens a resident saw), and `collect_in_idle` runs one at attract anyway, which resets
#: the count. A terminal used without a pause for hours still gets one now and then.
FULL_COLLECTION_EVERY = 100


def freeze_after_start() -> None:
    """Collect once and freeze everything alive: start-up's objects are never walked again;
    full collections are left for idle time (`FULL_COLLECTION_EVERY`)."""
    gc.collect()
    gc.freeze()
    young, middle, _full = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)


def release_free_memory(wait: bool = False) -> bool:
    """glibc's ``malloc_trim(0)`` on a thread of its own (the UI thread never waits for it):
    the free memory left between live blocks goes back to the system (32-80 MB at attract
    after a few dozen sessions, in 4-13 ms: docs/adr/0817). False where there is no glibc."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return False
    if wait:  # the memory bench reads RSS right after
        trim(0)
    else:
        threading.Thread(target=trim, args=(0,), name="kiosk-malloc-trim", daemon=True).start()
    return True


def collect_in_idle(trim: bool = False) -> float:
    """The full collection, at a quiet moment (and ``trim``: `release_free_memory`); returns
    the milliseconds it took."""
    started = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    if trim:
        release_free_memory()
    spent = (time.perf_counter() - started) * 1000
    log_event(log, "idle_collection", logging.DEBUG, ms=round(spent),
              frozen=gc.get_freeze_count())
    return spent
