"""systemd notifications: READY=1 once the first frame is drawn, WATCHDOG=1 from the UI loop.

Sent only when systemd gave us a NOTIFY_SOCKET (the unit in deploy/kiosk.service sets
Type=notify and WatchdogSec); otherwise every call does nothing.
"""

from __future__ import annotations

import os

import sdnotify


class Watchdog:
    """A thin wrapper over sdnotify that is silent without NOTIFY_SOCKET."""

    def __init__(self) -> None:
        self._enabled = bool(os.environ.get("NOTIFY_SOCKET"))
        self._notifier = sdnotify.SystemdNotifier() if self._enabled else None

    def ready(self) -> None:
        """Tell systemd the kiosk is up (first frame drawn)."""
        if self._notifier is not None:
            self._notifier.notify("READY=1")

    def pet(self) -> None:
        """Tell systemd the UI loop is alive."""
        if self._notifier is not None:
            self._notifier.notify("WATCHDOG=1")

    def status(self, text: str) -> None:
        """A one-line status for `systemctl status`."""
        if self._notifier is not None:
            self._notifier.notify(f"STATUS={text}")
