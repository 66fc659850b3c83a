"""Measure the Python memory a refused call allocated (tests of hostile input that must be
refused in bounded memory: huge answers, redirects with huge bodies, oversized archives)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import TypeVar

import pytest

E = TypeVar("E", bound=BaseException)


def refused_with_peak(expected: type[E], call: Callable[[], object],
                      match: str | None = None) -> tuple[E, int]:
    """Run ``call``, which must raise ``expected`` (its text matching ``match``); return the
    error and the peak bytes Python allocated meanwhile (tracemalloc)."""
    tracemalloc.start()
    try:
        with pytest.raises(expected, match=match) as refused:
            call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return refused.value, peak
