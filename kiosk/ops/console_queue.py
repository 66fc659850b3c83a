"""What the terminal owes the console, kept in the outbox's database until the console has it.

Events, usage records and command acknowledgements (docs/adr/0701) are rows of one table,
``console_queue``, in the outbox's SQLite file (WAL, ``synchronous=FULL``, 0600: the same
`open_journal_db`): a row is committed before the console link tries to send it and deleted
only after the console answered 200 (or refused it as malformed, which no retry would mend). A
console that is down, or a kiosk that restarts meanwhile, loses nothing; a row sent but not
confirmed (the answer lost) is sent again with the same ``id``, and the console stores each id
once. Nothing here is personal (kiosk/ops/console_link.py sends codes, device names, counts), so
the rows are not sealed like the submissions are.

Bounded: beyond `MAX_ROWS_PER_KIND` rows of one kind (weeks of an unplugged console) the oldest
are dropped, and that is logged.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.core.events import log_event
from kiosk.ops.journaldb import open_journal_db

log = logging.getLogger(__name__)

#: Oldest rows of a kind are dropped beyond this (an event a minute for a week is ~10,000).
MAX_ROWS_PER_KIND = 20_000
KINDS = ("event", "usage", "ack")

SCHEMA = """
CREATE TABLE IF NOT EXISTS console_queue (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,            -- event | usage | ack
    uid TEXT NOT NULL UNIQUE,      -- the console stores each uid once
    body TEXT NOT NULL,            -- JSON in wire form (codes only, no personal data)
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS console_queue_kind ON console_queue(kind, id);
"""


@dataclass(frozen=True, slots=True)
class Queued:
    """One row waiting for the console."""

    row: int
    uid: str
    body: dict[str, Any]


class ConsoleQueue:
    """The console link's durable queue (one connection behind a lock; any thread)."""

    def __init__(self, path: Path | None, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        if path is None:  # tests and tools without a data folder: same rules, in memory
            self._db = sqlite3.connect(":memory:", isolation_level=None,
                                       check_same_thread=False)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = open_journal_db(path, shared=True)
        with self._lock:
            self._db.executescript(SCHEMA)

    def put(self, kind: str, body: dict[str, Any]) -> str:
        """Commit one row; returns its uid (also put in an event's or usage record's ``id``)."""
        if kind not in KINDS:
            raise ValueError(f"unknown console queue kind {kind!r}")
        uid = uuid.uuid4().hex
        body = dict(body)
        if kind != "ack":
            body["id"] = uid
        with self._lock:
            self._db.execute("INSERT INTO console_queue(kind, uid, body, created_at) "
                             "VALUES (?,?,?,?)",
                             (kind, uid, json.dumps(body, ensure_ascii=False), self._clock()))
            (count,) = self._db.execute("SELECT COUNT(*) FROM console_queue WHERE kind=?",
                                        (kind,)).fetchone()
            if count > MAX_ROWS_PER_KIND:
                dropped = count - MAX_ROWS_PER_KIND
                self._db.execute("DELETE FROM console_queue WHERE id IN (SELECT id FROM "
                                 "console_queue WHERE kind=? ORDER BY id LIMIT ?)",
                                 (kind, dropped))
                log_event(log, "console_queue_dropped", logging.WARNING, kind=kind,
                          count=dropped)
        return uid

    def peek(self, kind: str, limit: int) -> list[Queued]:
        """The oldest ``limit`` rows of ``kind`` (still queued until `remove`)."""
        with self._lock:
            rows = self._db.execute("SELECT id, uid, body FROM console_queue WHERE kind=? "
                                    "ORDER BY id LIMIT ?", (kind, limit)).fetchall()
        found = []
        for row, uid, body in rows:
            try:
                found.append(Queued(int(row), str(uid), dict(json.loads(body))))
            except (ValueError, TypeError):  # a damaged row: never block the rest for it
                self.remove([int(row)])
                log_event(log, "console_queue_row_unreadable", logging.ERROR, kind=kind)
        return found

    def remove(self, rows: list[int]) -> None:
        """Delete rows the console has (or refused for good)."""
        if not rows:
            return
        with self._lock:
            self._db.executemany("DELETE FROM console_queue WHERE id=?", [(r,) for r in rows])

    def depth(self, kind: str | None = None) -> int:
        """Rows waiting (of one kind, or all)."""
        with self._lock:
            if kind is None:
                (count,) = self._db.execute("SELECT COUNT(*) FROM console_queue").fetchone()
            else:
                (count,) = self._db.execute("SELECT COUNT(*) FROM console_queue WHERE kind=?",
                                            (kind,)).fetchone()
        return int(count)

    def close(self) -> None:
        """Close the connection (the rows stay on disk)."""
        with self._lock:
            self._db.close()
