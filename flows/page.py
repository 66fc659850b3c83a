"""Where a run is: a step (and, for form steps, which question), and the built-in pages.

Built-in pages are ids a definition cannot use (they start with "_"): every service has them.
"""

from __future__ import annotations

from dataclasses import dataclass

GUIDE_PAGE = "_guide"
REPORT_PAGE = "_report"
REPORT_SENT_PAGE = "_report_sent"
RATE_PAGE = "_rate"
DONE_PAGE = "_done"
UNAVAILABLE_PAGE = "_unavailable"
#: Built-in pages reachable on top of any step (they return to it with ``back``).
OVERLAY_PAGES = (GUIDE_PAGE, REPORT_PAGE, REPORT_SENT_PAGE)


@dataclass(frozen=True, slots=True)
class Page:
    """Where the run is: a step and, for form steps, which question."""

    step: str
    index: int = 0
