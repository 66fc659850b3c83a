"""Daily housekeeping in a quiet window, only while no resident is in session.

Once per window (settings ``[housekeeping]``, local time, may wrap past midnight):

- log rotation: the JSON log is rolled over (it also rotates by size), and rotated files older
  than ``log_retention_days`` are removed;
- temporary files: session folders left behind (a crash mid-session skips the wipe) are
  removed from the sessions folder: with nobody in session, every one of them is an orphan;
- journal compaction: the outbox purges delivered rows past retention (docs/adr/0003), the
  print journal purges done and voided prints past ``print_retention_days``;
- optional scheduled restart: ``request_restart()`` (the launcher stops the app cleanly at
  attract and exits 0; systemd's Restart=always starts it again).

The day's run is recorded in ``housekeeping.json`` in the data folder, so a restart inside the
window does not run it (and restart) again. The clock is injected (tests).
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from kiosk.logs import LOG_FILE_NAME, log_event

log = logging.getLogger(__name__)

STATE_FILE_NAME = "housekeeping.json"
SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True, slots=True)
class HousekeepingReport:
    """What one run did (counts only)."""

    logs_removed: int
    temp_dirs_removed: int
    outbox_purged: int
    prints_purged: int
    restart_requested: bool


def _clock_time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def window_day(now: datetime, start: time, end: time) -> date | None:
    """The date the quiet window containing ``now`` opened on, or None outside the window."""
    t = now.time()
    if start <= end:
        return now.date() if start <= t < end else None
    if t >= start:
        return now.date()
    if t < end:
        return now.date() - timedelta(days=1)
    return None


class Housekeeping:
    """Checks the window (call `tick` every ``check_interval_seconds``) and does the work."""

    def __init__(self, settings: Any, *, data_dir: Path, log_dir: Path, sessions_dir: Path,
                 outbox: Any, print_journal: Any, is_idle: Callable[[], bool],
                 request_restart: Callable[[], None],
                 clock: Callable[[], datetime] = datetime.now) -> None:
        self.settings = settings
        self._start = _clock_time(settings.window_start)
        self._end = _clock_time(settings.window_end)
        self._state = data_dir / STATE_FILE_NAME
        self._log_dir = log_dir
        self._sessions_dir = sessions_dir
        self._outbox = outbox
        self._journal = print_journal
        self._is_idle = is_idle
        self._request_restart = request_restart
        self._clock = clock

    # -- scheduling ------------------------------------------------------------------------
    def _last_run(self) -> str:
        try:
            return str(json.loads(self._state.read_text(encoding="utf-8")).get("last_run", ""))
        except (OSError, ValueError):
            return ""

    def due(self) -> bool:
        """Inside the window and not yet run for it."""
        day = window_day(self._clock(), self._start, self._end)
        return day is not None and self._last_run() != day.isoformat()

    def tick(self) -> HousekeepingReport | None:
        """Run once per window, when nobody is in session; None when nothing was done."""
        if not self.due() or not self._is_idle():
            return None
        day = window_day(self._clock(), self._start, self._end)
        report = self.run()
        tmp = self._state.with_suffix(".tmp")
        tmp.write_text(json.dumps({"last_run": day.isoformat() if day else ""}),
                       encoding="utf-8")
        tmp.replace(self._state)
        if report.restart_requested:
            self._request_restart()
        return report

    # -- the work ----------------------------------------------------------------------------
    def run(self) -> HousekeepingReport:
        """Do every task now (also outside the window; the technician screen may call it)."""
        now = self._clock().timestamp()
        rotate_log()
        logs = remove_old_logs(self._log_dir, now - self.settings.log_retention_days
                               * SECONDS_PER_DAY)
        temps = remove_session_dirs(self._sessions_dir) if self._is_idle() else 0
        outbox = int(self._outbox.compact())
        prints = int(self._journal.purge_settled(now - self.settings.print_retention_days
                                                 * SECONDS_PER_DAY))
        report = HousekeepingReport(logs, temps, outbox, prints,
                                    bool(self.settings.scheduled_restart))
        log_event(log, "housekeeping_done", logs_removed=logs, temp_dirs_removed=temps,
                  outbox_purged=outbox, prints_purged=prints,
                  restart=report.restart_requested)
        return report


def rotate_log() -> bool:
    """Roll the kiosk's rotating log file over now; False when logging is not configured."""
    for handler in logging.getLogger().handlers:
        if getattr(handler, "_kiosk", False) and isinstance(
                handler, logging.handlers.RotatingFileHandler):
            handler.acquire()
            try:
                handler.doRollover()
            finally:
                handler.release()
            return True
    return False


def remove_old_logs(log_dir: Path, before: float) -> int:
    """Remove rotated log files (kiosk.log.N) last written before ``before``."""
    removed = 0
    for path in log_dir.glob(f"{LOG_FILE_NAME}.*"):
        try:
            if path.is_file() and path.stat().st_mtime < before:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def remove_session_dirs(sessions_dir: Path) -> int:
    """Remove every session temp folder (call only when no session is running)."""
    if not sessions_dir.is_dir():
        return 0
    removed = 0
    for path in sessions_dir.iterdir():
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            removed += not path.exists()
        else:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
