"""Fault injection for tests and demos, set through ``POST /_sandbox/faults``.

Faults apply to the public API (``/v1/...``) only, never to the admin path:
- ``delay_seconds`` (with ``delay_count``, default every request): answer late;
- ``fail_next`` N with ``status`` (default 503): refuse the next N requests before doing anything;
- ``fail_after_commit`` N: do the work, commit it, then answer ``status`` anyway (the answer
  "lost on the way back"), which is what proves a client's retry does not duplicate;
- ``path_prefix``: limit the faults to paths starting with it (default ``/v1/``).
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

DEFAULT_FAULT_STATUS = 503


@dataclass(slots=True)
class FaultPlan:
    """The faults currently armed (a snapshot is returned to the admin caller)."""

    delay_seconds: float = 0.0
    delay_count: int | None = None  # None: every request
    fail_next: int = 0
    fail_after_commit: int = 0
    status: int = DEFAULT_FAULT_STATUS
    path_prefix: str = "/v1/"


class FaultInjector:
    """Thread-safe holder of the fault plan; requests consume it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plan = FaultPlan()

    def arm(self, spec: dict[str, Any]) -> FaultPlan:
        """Replace the plan with ``spec`` (unknown keys -> ValueError); return the new plan."""
        allowed = set(FaultPlan.__dataclass_fields__)
        unknown = set(spec) - allowed
        if unknown:
            raise ValueError(f"unknown fault keys: {sorted(unknown)}")
        plan = FaultPlan(**spec)
        if plan.delay_seconds < 0 or plan.fail_next < 0 or plan.fail_after_commit < 0:
            raise ValueError("fault numbers must not be negative")
        if not 400 <= int(plan.status) <= 599:
            raise ValueError("status must be 4xx or 5xx")
        with self._lock:
            self._plan = plan
        return plan

    def clear(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._plan = FaultPlan()

    def snapshot(self) -> dict[str, Any]:
        """The plan as a dict."""
        with self._lock:
            return asdict(self._plan)

    def take_delay(self, path: str) -> float:
        """Seconds to wait before answering ``path`` (consumes one delayed request)."""
        with self._lock:
            plan = self._plan
            if plan.delay_seconds <= 0 or not path.startswith(plan.path_prefix):
                return 0.0
            if plan.delay_count is not None:
                if plan.delay_count <= 0:
                    return 0.0
                plan.delay_count -= 1
            return plan.delay_seconds

    def take_failure(self, path: str) -> int | None:
        """The status to fail ``path`` with before processing, or None."""
        with self._lock:
            plan = self._plan
            if plan.fail_next > 0 and path.startswith(plan.path_prefix):
                plan.fail_next -= 1
                return plan.status
            return None

    def take_failure_after_commit(self, path: str) -> int | None:
        """The status to answer with after the work was committed, or None."""
        with self._lock:
            plan = self._plan
            if plan.fail_after_commit > 0 and path.startswith(plan.path_prefix):
                plan.fail_after_commit -= 1
                return plan.status
            return None
