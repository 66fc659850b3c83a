"""The print journal: every print recorded before it is submitted, updated after (SQLite, WAL).

Workflow for one document::

    entry = journal.record(PrintKind.CERTIFICATE, case_id, serial=..., digest=..., copies=1)
    journal.start_attempt(entry.id)           # attempt + 1, state pending: nothing sent yet
    result = printer.print_pdf(...)
    journal.mark_submitted(entry.id, job_id)  # the printer accepted it
    journal.finish(entry.id, ok=..., reason=...)  # done, or failed (offered for reprint)

After a crash (a row left ``pending`` or ``submitted``) or a paper-out (``failed``),
`pending_reprints()` lists what was not printed, so the kiosk offers a reprint rather than losing
it silently. A certificate serial belongs to exactly one document: recording the same serial with
the same content returns the existing row (a reprint reuses the serial and counts attempts), and
recording it with different content is refused with `SerialConflict`.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from kiosk.ops.journaldb import open_journal_db

SCHEMA_VERSION = 1
#: Alphabet of reprint codes printed on receipts (no 0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8

SCHEMA = """
CREATE TABLE IF NOT EXISTS prints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    case_id TEXT NOT NULL,
    serial TEXT,
    digest TEXT NOT NULL DEFAULT '',
    copies INTEGER NOT NULL DEFAULT 1,
    job_id TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    reprint_code TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    submitted_at REAL,
    finished_at REAL
);
CREATE UNIQUE INDEX IF NOT EXISTS prints_serial ON prints(serial) WHERE serial IS NOT NULL;
CREATE INDEX IF NOT EXISTS prints_state ON prints(state);
"""


class PrintKind(StrEnum):
    """What is printed."""

    CERTIFICATE = "certificate"
    RECEIPT = "receipt"


class PrintState(StrEnum):
    """Where a print stands."""

    PENDING = "pending"  # recorded; maybe being sent (or the kiosk died before the printer took it)
    SUBMITTED = "submitted"  # the printer accepted the job; outcome not known yet
    DONE = "done"  # the printer reported it finished
    FAILED = "failed"  # not printed (paper out, jam, refused, timed out): offer a reprint
    VOIDED = "voided"  # given up on purpose (resident declined, case withdrawn)


#: States that still owe the resident a document.
OPEN_STATES = (PrintState.PENDING, PrintState.SUBMITTED, PrintState.FAILED)


class SerialConflict(Exception):
    """A second, different document was recorded with a serial already used."""


class UnknownPrint(Exception):
    """No journal entry with that id."""


@dataclass(frozen=True, slots=True)
class PrintEntry:
    """One row of the journal."""

    id: int
    kind: PrintKind
    case_id: str
    serial: str | None
    digest: str
    copies: int
    job_id: str
    state: PrintState
    attempts: int
    reason: str
    reprint_code: str
    created_at: float
    updated_at: float
    submitted_at: float | None
    finished_at: float | None

    @property
    def interrupted(self) -> bool:
        """True when the kiosk stopped before learning the outcome (crash, power cut)."""
        return self.state in (PrintState.PENDING, PrintState.SUBMITTED) and self.attempts > 0


class PrintJournal:
    """The SQLite print journal (one file, WAL, safe across threads)."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = open_journal_db(path, shared=True)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(SCHEMA)
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @staticmethod
    def _entry(row: sqlite3.Row) -> PrintEntry:
        return PrintEntry(row["id"], PrintKind(row["kind"]), row["case_id"], row["serial"],
                          row["digest"], row["copies"], row["job_id"], PrintState(row["state"]),
                          row["attempts"], row["reason"], row["reprint_code"], row["created_at"],
                          row["updated_at"], row["submitted_at"], row["finished_at"])

    def _get(self, db: sqlite3.Connection, entry_id: int) -> PrintEntry:
        row = db.execute("SELECT * FROM prints WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise UnknownPrint(f"no print #{entry_id}")
        return self._entry(row)

    # -- writing ---------------------------------------------------------------------------
    def record(self, kind: PrintKind, case_id: str, *, serial: str | None = None,
               digest: str = "", copies: int = 1) -> PrintEntry:
        """Record a print before anything is sent (state pending, no attempt yet).

        With a serial already recorded: the same content returns that entry (a reprint of the
        same document); different content raises `SerialConflict`.
        """
        if kind is PrintKind.CERTIFICATE and not serial:
            raise ValueError("a certificate needs its serial")
        now = self._clock()
        with self._tx() as db:
            if serial is not None:
                row = db.execute("SELECT * FROM prints WHERE serial = ?", (serial,)).fetchone()
                if row is not None:
                    existing = self._entry(row)
                    if existing.digest != digest or existing.kind is not kind:
                        raise SerialConflict(
                            f"serial {serial} already belongs to print #{existing.id} "
                            "with different content")
                    return existing
            while True:
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                if db.execute("SELECT 1 FROM prints WHERE reprint_code = ?",
                              (code,)).fetchone() is None:
                    break
            cursor = db.execute(
                "INSERT INTO prints (kind, case_id, serial, digest, copies, state, reprint_code,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (kind.value, case_id, serial, digest, copies, PrintState.PENDING.value, code,
                 now, now))
            return self._get(db, int(cursor.lastrowid or 0))

    def start_attempt(self, entry_id: int) -> PrintEntry:
        """About to send: attempts + 1, state pending. Refused (ValueError) once done/voided."""
        with self._tx() as db:
            entry = self._get(db, entry_id)
            if entry.state in (PrintState.DONE, PrintState.VOIDED):
                raise ValueError(f"print #{entry_id} is {entry.state.value}; not printed again")
            db.execute("UPDATE prints SET attempts = attempts + 1, state = ?, job_id = '',"
                       " reason = '', updated_at = ? WHERE id = ?",
                       (PrintState.PENDING.value, self._clock(), entry_id))
            return self._get(db, entry_id)

    def mark_submitted(self, entry_id: int, job_id: str) -> PrintEntry:
        """The printer accepted the job."""
        now = self._clock()
        with self._tx() as db:
            db.execute("UPDATE prints SET state = ?, job_id = ?, submitted_at = ?, updated_at = ?"
                       " WHERE id = ? AND state = ?",
                       (PrintState.SUBMITTED.value, job_id, now, now, entry_id,
                        PrintState.PENDING.value))
            return self._get(db, entry_id)

    def finish(self, entry_id: int, *, ok: bool, job_id: str = "", reason: str = "") -> PrintEntry:
        """Record the outcome: done when the printer confirmed it, else failed."""
        now = self._clock()
        state = PrintState.DONE if ok else PrintState.FAILED
        with self._tx() as db:
            entry = self._get(db, entry_id)
            if entry.state in (PrintState.DONE, PrintState.VOIDED):
                return entry
            db.execute("UPDATE prints SET state = ?, job_id = COALESCE(NULLIF(?, ''), job_id),"
                       " reason = ?, finished_at = ?, updated_at = ? WHERE id = ?",
                       (state.value, job_id, reason[:500], now, now, entry_id))
            return self._get(db, entry_id)

    def void(self, entry_id: int, reason: str) -> PrintEntry:
        """Give up on an open print on purpose (never on a done one)."""
        now = self._clock()
        with self._tx() as db:
            entry = self._get(db, entry_id)
            if entry.state is PrintState.DONE:
                return entry
            db.execute("UPDATE prints SET state = ?, reason = ?, finished_at = ?, updated_at = ?"
                       " WHERE id = ?", (PrintState.VOIDED.value, reason[:500], now, now,
                                         entry_id))
            return self._get(db, entry_id)

    def reopen(self, entry_id: int, reason: str) -> PrintEntry:
        """Open a done or voided certificate again (state failed, ``reason``) because the
        resident asked for it again (证明补打); other entries are returned unchanged."""
        now = self._clock()
        with self._tx() as db:
            entry = self._get(db, entry_id)
            if entry.kind is not PrintKind.CERTIFICATE or entry.state not in (
                    PrintState.DONE, PrintState.VOIDED):
                return entry
            db.execute("UPDATE prints SET state = ?, reason = ?, finished_at = NULL,"
                       " updated_at = ? WHERE id = ?",
                       (PrintState.FAILED.value, reason[:500], now, entry_id))
            return self._get(db, entry_id)

    def purge_settled(self, before: float) -> int:
        """Housekeeping: delete done and voided rows last changed before ``before`` (epoch
        seconds); open prints (pending, submitted, failed) are never purged. Returns the count."""
        with self._tx() as db:
            cursor = db.execute("DELETE FROM prints WHERE state IN (?, ?) AND updated_at < ?",
                                (PrintState.DONE.value, PrintState.VOIDED.value, before))
            count = cursor.rowcount
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return count

    # -- reading ---------------------------------------------------------------------------
    def get(self, entry_id: int) -> PrintEntry:
        """One entry by id (UnknownPrint if absent)."""
        with self._lock:
            return self._get(self._db, entry_id)

    def by_serial(self, serial: str) -> PrintEntry | None:
        """The entry holding a certificate serial."""
        with self._lock:
            row = self._db.execute("SELECT * FROM prints WHERE serial = ?", (serial,)).fetchone()
        return None if row is None else self._entry(row)

    def by_reprint_code(self, code: str) -> PrintEntry | None:
        """The entry whose reprint code a resident typed or scanned from a receipt."""
        with self._lock:
            row = self._db.execute("SELECT * FROM prints WHERE reprint_code = ?",
                                   (code.strip().upper(),)).fetchone()
        return None if row is None else self._entry(row)

    def entries(self, case_id: str | None = None) -> list[PrintEntry]:
        """All entries (of one case), oldest first."""
        with self._lock:
            if case_id is None:
                rows = self._db.execute("SELECT * FROM prints ORDER BY id").fetchall()
            else:
                rows = self._db.execute("SELECT * FROM prints WHERE case_id = ? ORDER BY id",
                                        (case_id,)).fetchall()
        return [self._entry(r) for r in rows]

    def pending_reprints(self, case_id: str | None = None) -> list[PrintEntry]:
        """Prints that still owe a document: interrupted (pending/submitted) or failed."""
        states = tuple(s.value for s in OPEN_STATES)
        marks = ",".join("?" * len(states))
        query = f"SELECT * FROM prints WHERE state IN ({marks})"
        params: tuple[str, ...] = states
        if case_id is not None:
            query += " AND case_id = ?"
            params = (*states, case_id)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY id", params).fetchall()
        return [self._entry(r) for r in rows]
