"""Structured events: one short snake_case name plus fields, on a standard `logging` logger.

Pure: it only calls `logging.Logger.log`. Where the records go (a rotating JSON file, masked) is
decided once at start by `kiosk.boot.logs.configure_logging`.
"""

from __future__ import annotations

import logging
from typing import Any


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log a structured event: a short snake_case name plus fields (never personal data)."""
    logger.log(level, event, extra={"fields": fields})
