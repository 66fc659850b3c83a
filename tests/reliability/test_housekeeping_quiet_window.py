"""Daily housekeeping with an injected clock: runs once per quiet window (also across midnight
and across a restart), never while a resident is in session, rotates the log and removes old
rotated files, removes orphaned session folders, compacts the outbox and the print journal
(never an open print), and requests the optional restart."""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, time, timedelta
from pathlib import Path

from kiosk.boot.logs import configure_logging
from kiosk.boot.settings import HousekeepingSettings
from kiosk.core.events import log_event
from kiosk.ops.housekeeping import Housekeeping, window_day
from kiosk.ops.outbox import Outbox
from kiosk.printing.journal import PrintJournal, PrintKind


class Clock:
    """A settable wall clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Offline:
    """A platform client that is never called (the outbox is only compacted here)."""


def _setup(tmp: Path, clock: Clock, restart: bool = False, idle: list[bool] | None = None):
    settings = HousekeepingSettings(window_start="23:30", window_end="01:30",
                                    log_retention_days=14, print_retention_days=180,
                                    scheduled_restart=restart)
    data = tmp / "data"
    outbox = Outbox(data / "outbox.sqlite3", Offline(), clock=lambda: clock.now.timestamp())
    journal = PrintJournal(data / "prints.sqlite3", clock=lambda: clock.now.timestamp())
    idle = idle if idle is not None else [True]
    restarts: list[bool] = []
    keeper = Housekeeping(settings, data_dir=data, log_dir=data / "log",
                          sessions_dir=data / "sessions", outbox=outbox, print_journal=journal,
                          is_idle=lambda: idle[0], request_restart=lambda: restarts.append(True),
                          clock=clock)
    return keeper, outbox, journal, restarts, idle, data


def test_window_wraps_past_midnight() -> None:
    start, end = time(23, 30), time(1, 30)
    day = datetime(2026, 11, 21)
    assert window_day(day.replace(hour=23, minute=45), start, end) == day.date()
    assert window_day(day.replace(hour=1, minute=0), start, end) == (day - timedelta(1)).date()
    assert window_day(day.replace(hour=1, minute=30), start, end) is None
    assert window_day(day.replace(hour=12), start, end) is None
    assert window_day(day.replace(hour=3), time(3), time(5)) == day.date()


def test_once_per_window_only_between_sessions(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 11, 21, 22, 0))
    keeper, _, _, restarts, idle, data = _setup(tmp_path, clock, restart=True, idle=[False])
    assert keeper.tick() is None  # outside the window
    clock.now = datetime(2026, 11, 21, 23, 40)
    assert keeper.tick() is None  # a resident is in session: wait
    assert not restarts
    idle[0] = True
    report = keeper.tick()
    assert report is not None and report.restart_requested and restarts == [True]
    clock.now = datetime(2026, 11, 22, 0, 50)  # same window, after midnight
    assert keeper.tick() is None
    # a restarted kiosk (a new instance) does not run, nor restart, again in that window
    again, *_ = _setup(tmp_path, clock, restart=True)
    assert again.tick() is None
    assert json.loads((data / "housekeeping.json").read_text())["last_run"] == "2026-11-21"
    clock.now = datetime(2026, 11, 22, 23, 31)  # the next night
    assert again.tick() is not None


def test_the_work(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 11, 21, 23, 45))
    keeper, outbox, journal, restarts, _, data = _setup(tmp_path, clock)
    log_dir = data / "log"
    log_file = configure_logging(log_dir, "INFO")
    now = clock.now.timestamp()
    for n, age_days in ((1, 1), (2, 20), (3, 40)):
        rotated = log_dir / f"kiosk.log.{n}"
        rotated.write_text("{}\n")
        os.utime(rotated, (now - age_days * 86400, now - age_days * 86400))
    log_event(logging.getLogger("test"), "before_rotation")
    orphan = data / "sessions" / "s-crashed"
    orphan.mkdir(parents=True)
    (orphan / "photo.jpg").write_bytes(b"\xff\xd8")
    # an old delivered row, an old pending row; an old done print, an old failed print
    clock.now -= timedelta(days=200)
    outbox._record("rating", "old-delivered", {"score": 5})
    outbox._mark("old-delivered", "delivered", {"rating_id": "R1"})
    outbox._record("application", "old-pending", {"service": "x"})
    done = journal.record(PrintKind.RECEIPT, "c1", digest="a")
    journal.finish(done.id, ok=True)
    failed = journal.record(PrintKind.RECEIPT, "c2", digest="b")
    journal.finish(failed.id, ok=False, reason="paper out")
    clock.now += timedelta(days=200)

    report = keeper.tick()

    assert report is not None and not report.restart_requested and not restarts
    assert report.logs_removed == 2  # the 20- and 40-day old files (now .3 and .4)
    remaining = sorted(p.name for p in log_dir.glob("kiosk.log.*"))
    assert remaining == ["kiosk.log.1", "kiosk.log.2"]  # today's roll-over, the 1-day old one
    assert "before_rotation" in (log_dir / "kiosk.log.1").read_text()
    assert log_file.exists()
    assert not orphan.exists() and report.temp_dirs_removed == 1
    assert report.outbox_purged == 1 and outbox.stats().pending == 1
    assert report.prints_purged == 1
    assert [e.id for e in journal.entries()] == [failed.id]  # an open print is never purged
    for handler in [h for h in logging.getLogger().handlers if getattr(h, "_kiosk", False)]:
        logging.getLogger().removeHandler(handler)
        handler.close()
