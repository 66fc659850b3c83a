"""Where a demo terminal's embedded sandbox listens, so `kiosk sandbox fleet` finds it.

The demo profile starts the sandbox (mutual TLS, kiosk.platform.connect) on
``platform.demo_port`` (8765 by default), or on any free port when that one is taken. The URL in
use is
written to ``<data folder>/sandbox.url`` while the demo runs; `kiosk sandbox fleet` without
``--url`` reads it (else the configured platform, else the default demo port).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kiosk.core.events import log_event

log = logging.getLogger(__name__)

URL_FILE_NAME = "sandbox.url"


def record_demo_url(data_dir: Path, url: str) -> None:
    """Record the embedded sandbox's URL for `kiosk sandbox fleet` (never fails the demo)."""
    try:
        (data_dir / URL_FILE_NAME).write_text(url + "\n", encoding="utf-8")
    except OSError as exc:  # fleet falls back to the default port; the demo runs on
        log_event(log, "demo_url_not_recorded", logging.WARNING, error=type(exc).__name__)


def forget_demo_url(data_dir: Path, url: str) -> None:
    """At exit: remove the recorded URL (if it is still ours)."""
    path = data_dir / URL_FILE_NAME
    try:
        if path.read_text(encoding="utf-8").strip() == url:
            path.unlink()
    except OSError:
        pass


def fleet_url(settings: Any) -> str:
    """The platform `kiosk sandbox fleet` asks by default: the configured platform, else the
    running demo's sandbox, else the default demo port."""
    if settings.platform.base_url:
        return str(settings.platform.base_url)
    try:
        recorded = (Path(settings.data_dir) / URL_FILE_NAME).read_text(encoding="utf-8").strip()
    except OSError:
        recorded = ""
    if recorded.startswith(("https://", "http://")):
        return recorded
    return f"https://127.0.0.1:{settings.platform.demo_port}"
