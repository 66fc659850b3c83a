"""Send all logging at DEBUG to the kiosk's JSON-lines file for one test, then put the
previous handlers and level back (tests that read the log for personal data use it)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.boot.logs import configure_logging


@contextmanager
def debug_log_file(folder: Path) -> Iterator[Path]:
    """All logging at DEBUG into ``folder``; yields the log file's path."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    path = configure_logging(folder, level="DEBUG")
    try:
        yield path
    finally:
        for handler in list(root.handlers):
            if handler not in saved_handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(saved_level)
