"""systemd notifications: READY=1 once the first frame is drawn, WATCHDOG=1 from the UI loop.

Sent only when systemd gave us a NOTIFY_SOCKET (the unit in deploy/kiosk.service sets
Type=notify and WatchdogSec); otherwise every call does nothing. The pet interval is half of
systemd's WATCHDOG_USEC (at most `MAX_PET_SECONDS`), as sd_watchdog_enabled(3) recommends.

`HangProbe` is a test-only hook (docs/adr/0197): with the demo profile and the environment
variable `HANG_FILE_ENV` naming a file, the UI loop blocks for good as soon as that file exists,
so a test can prove that a hung UI stops the pings. Residents can set neither the environment
nor files, and the site profile ignores it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path

import sdnotify

#: Longest interval between two pets (WatchdogSec in the unit is 30 s).
MAX_PET_SECONDS = 5.0
#: Names the file whose existence makes the UI loop hang (demo profile, tests only).
HANG_FILE_ENV = "KIOSK_TEST_HANG_FILE"
#: How long one sleep of a simulated hang lasts (it never returns).
HANG_SLEEP_SECONDS = 3600.0


def pet_interval_seconds(environ: Mapping[str, str] | None = None) -> float:
    """Half of WATCHDOG_USEC when systemd set it for this process, at most MAX_PET_SECONDS."""
    env = os.environ if environ is None else environ
    try:
        usec = int(env.get("WATCHDOG_USEC", "0"))
        pid = int(env.get("WATCHDOG_PID", "0") or 0)
    except ValueError:
        return MAX_PET_SECONDS
    if usec <= 0 or (pid and pid != os.getpid()):
        return MAX_PET_SECONDS
    return min(MAX_PET_SECONDS, usec / 2_000_000)


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

    def stopping(self) -> None:
        """Tell systemd a clean stop is under way (scheduled restart, shutdown)."""
        if self._notifier is not None:
            self._notifier.notify("STOPPING=1")


class HangProbe:
    """Test-only: blocks the calling (UI) thread forever once the trigger file exists."""

    def __init__(self, trigger: Path | None) -> None:
        self.trigger = trigger

    @classmethod
    def from_environ(cls, profile: str, environ: Mapping[str, str] | None = None) -> HangProbe:
        """Armed only in the demo profile with `HANG_FILE_ENV` set; inert otherwise."""
        env = os.environ if environ is None else environ
        path = env.get(HANG_FILE_ENV, "")
        return cls(Path(path) if path and profile == "demo" else None)

    def check(self) -> None:
        """Hang here if the trigger file exists (never returns then)."""
        if self.trigger is not None and self.trigger.exists():
            while True:
                time.sleep(HANG_SLEEP_SECONDS)
