"""Waiting calls in order, routing by queue, positions and estimates (pure; no sockets, no DB).

A terminal's request names a queue (its site's configuration: its district's window such as
"district:110105", or another region's 远程虚拟窗口 such as "kuasheng" for 跨省通办). A staff member
serves either every queue or the ones they chose; a call goes to the first free staff member who
serves its queue, longest wait first.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def serves(staff_queues: frozenset[str] | None, queue: str) -> bool:
    """Whether a staff member with `staff_queues` (None = all) answers `queue`."""
    return staff_queues is None or queue in staff_queues


def parse_queues(text: str) -> frozenset[str] | None:
    """The queues a staff member chose ("a,b"); None (all queues) for an empty choice."""
    names = frozenset(q.strip() for q in text.split(",") if q.strip())
    return names or None


def estimate_seconds(position: int, handle_seconds: float, staff_count: int) -> int:
    """How long the resident at `position` (1 = next) may wait: the calls ahead of them and
    their own turn's start, shared among the staff who serve their queue."""
    ahead = max(position - 1, 0) + 0.5
    return math.ceil(ahead * handle_seconds / max(staff_count, 1))


def positions(queues_in_order: Iterable[str]) -> list[int]:
    """For waiting calls in arrival order (their queue names), each one's place in its queue."""
    seen: dict[str, int] = {}
    result = []
    for queue in queues_in_order:
        seen[queue] = seen.get(queue, 0) + 1
        result.append(seen[queue])
    return result
