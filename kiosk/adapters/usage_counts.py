"""How often residents completed each item at this terminal: item id -> count, nothing else.

The counts rank search hits and fill 常用 (the most used). They hold no personal data (no time,
no session, no resident), so they may stay on disk: a small JSON file written atomically
(temporary file, fsync, rename) at most every `SAVE_EVERY` completions and on request. A
missing or damaged file starts from zero; it never stops the kiosk.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path

from kiosk.core.events import log_event

log = logging.getLogger(__name__)
SAVE_EVERY = 1
MAX_ITEMS = 20000


class UsageCounts:
    """Completion counts per item, optionally kept in ``path``."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._counts: dict[str, int] = self._read(path) if path else {}
        self._unsaved = 0

    @staticmethod
    def _read(path: Path) -> dict[str, int]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError, ValueError):
            log_event(log, "usage_counts_unreadable", logging.WARNING)
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): int(v) for k, v in list(data.items())[:MAX_ITEMS]
                if isinstance(v, int) and not isinstance(v, bool) and v > 0}

    def snapshot(self) -> Mapping[str, int]:
        """The counts now (a copy)."""
        with self._lock:
            return dict(self._counts)

    def completed(self, item: str) -> None:
        """One more completion of ``item``."""
        with self._lock:
            self._counts[item] = self._counts.get(item, 0) + 1
            self._unsaved += 1
            due = self._unsaved >= SAVE_EVERY
        if due:
            self.save()

    def save(self) -> None:
        """Write the counts (atomically); a failure is logged, never raised."""
        if self._path is None:
            return
        with self._lock:
            text = json.dumps(self._counts, ensure_ascii=False, sort_keys=True)
            self._unsaved = 0
        tmp = self._path.with_suffix(".tmp")
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self._path)
        except OSError as exc:
            log_event(log, "usage_counts_not_saved", logging.WARNING, error=type(exc).__name__)
