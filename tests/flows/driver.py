"""The headless resident used by the flow tests (lives in flows.headless for benchmarks too)."""

from flows.headless import MAX_SCREENS, Stuck, drive, intent_for

__all__ = ["MAX_SCREENS", "Stuck", "drive", "intent_for"]
