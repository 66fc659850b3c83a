"""Structured, rotating logs with personal data masked.

One JSON object per line: time, level, logger, event and fields. Every record passes through
the process `REDACTOR` before it is formatted, so a name or ID number that slipped into a
message is still masked. Call `log_event(logger, "event_name", key=value)` for structured events.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
import time
from pathlib import Path
from typing import Any

from kiosk.privacy import REDACTOR

LOG_FILE_NAME = "kiosk.log"


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line, redacted."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created))
            + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            payload.update({k: v for k, v in fields.items() if k not in payload})
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        text = json.dumps(payload, ensure_ascii=False, default=str)
        return REDACTOR.redact(text)


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log a structured event: a short snake_case name plus fields (never personal data)."""
    logger.log(level, event, extra={"fields": fields})


def configure_logging(log_dir: Path, level: str = "INFO", max_bytes: int = 5_000_000,
                      backups: int = 5, to_stderr: bool = False) -> Path:
    """Send all logs to a rotating JSON-lines file in ``log_dir``; return the file's path."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk", False):
            root.removeHandler(handler)
            handler.close()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups,
                                                   encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    handler._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if to_stderr:
        err = logging.StreamHandler(sys.stderr)
        err.setFormatter(JsonFormatter())
        err._kiosk = True  # type: ignore[attr-defined]
        root.addHandler(err)
    root.setLevel(level)
    return path
