"""The sandbox's SQLite database (WAL): residents, records, cases, certificates, fleet.

One connection guarded by a lock: the sandbox is a test double, so simplicity beats throughput,
and one writer at a time makes "process the request + remember the idempotency key" a single
transaction. A new database is seeded from ``kiosk.sandbox.seed`` on first open.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.sandbox import records
from kiosk.sandbox.seed import RESIDENTS, SeedResident, to_json

SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS residents (
    id_number TEXT PRIMARY KEY, key TEXT UNIQUE NOT NULL, qr_code TEXT UNIQUE NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    id_number TEXT NOT NULL, kind TEXT NOT NULL, seq INTEGER NOT NULL, item TEXT NOT NULL,
    PRIMARY KEY (id_number, kind, seq));
CREATE TABLE IF NOT EXISTS summaries (
    id_number TEXT NOT NULL, kind TEXT NOT NULL, summary TEXT NOT NULL,
    PRIMARY KEY (id_number, kind));
CREATE TABLE IF NOT EXISTS licences (
    licence_id TEXT PRIMARY KEY, id_number TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, id_number TEXT NOT NULL, expires_at REAL NOT NULL,
    issued_at REAL NOT NULL DEFAULT 0, terminal TEXT NOT NULL DEFAULT '', revoked_at REAL);
CREATE TABLE IF NOT EXISTS applications (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, case_number TEXT UNIQUE NOT NULL,
    service TEXT NOT NULL, id_number TEXT NOT NULL, terminal_id TEXT NOT NULL,
    status TEXT NOT NULL, body TEXT NOT NULL, history TEXT NOT NULL,
    idempotency_key TEXT, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS certificates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, serial TEXT UNIQUE NOT NULL, kind TEXT NOT NULL,
    id_number TEXT NOT NULL, terminal_id TEXT NOT NULL, case_number TEXT, body TEXT NOT NULL,
    idempotency_key TEXT, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS certificate_reissues (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, serial TEXT NOT NULL, terminal_id TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS appointments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, ticket TEXT NOT NULL, day TEXT NOT NULL,
    service TEXT NOT NULL, window TEXT NOT NULL, id_number TEXT NOT NULL,
    terminal_id TEXT NOT NULL, idempotency_key TEXT, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ratings (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, rating_id TEXT UNIQUE NOT NULL, body TEXT NOT NULL,
    idempotency_key TEXT, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS problem_reports (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, report_id TEXT UNIQUE NOT NULL, body TEXT NOT NULL,
    idempotency_key TEXT, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS terminals (
    terminal_id TEXT PRIMARY KEY, body TEXT NOT NULL, last_seen TEXT NOT NULL,
    heartbeats INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY, method TEXT NOT NULL, path TEXT NOT NULL, body_sha256 TEXT NOT NULL,
    status INTEGER NOT NULL, response TEXT NOT NULL, created_at TEXT NOT NULL);
"""


def dumps(value: Any) -> str:
    """JSON text as stored (UTF-8, compact)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Store:
    """The sandbox database. Use `transaction()` for every read-modify-write."""

    def __init__(self, path: Path, today: date | None = None) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA busy_timeout=5000")
        self._conn.executescript(SCHEMA)
        self._migrate()
        self._seed_if_new(today or date.today())

    def _migrate(self) -> None:
        """Bring a database made by an older sandbox up to this schema."""
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(tokens)")}
        if "issued_at" not in columns:
            self._conn.execute("ALTER TABLE tokens ADD COLUMN issued_at REAL NOT NULL DEFAULT 0")
            self._conn.execute("UPDATE tokens SET issued_at = expires_at - 1800")
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(tokens)")}
        if "terminal" not in columns:
            self._conn.execute("ALTER TABLE tokens ADD COLUMN terminal TEXT NOT NULL DEFAULT ''")
        if "revoked_at" not in columns:
            self._conn.execute("ALTER TABLE tokens ADD COLUMN revoked_at REAL")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and run one IMMEDIATE transaction; roll back on any exception."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock for reads."""
        with self._lock:
            yield self._conn

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        with self._lock:
            self._conn.close()

    # -- seeding ---------------------------------------------------------------------------

    def _seed_if_new(self, today: date) -> None:
        with self.transaction() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key='seeded_on'").fetchone()
            if row is not None:
                return
            for resident in RESIDENTS:
                _seed_resident(conn, resident, today)
            conn.execute("INSERT INTO meta VALUES ('seeded_on', ?)", (today.isoformat(),))
            conn.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    def seeded_on(self) -> date:
        """The day the records were generated (ages and rules use the real today)."""
        with self.reading() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key='seeded_on'").fetchone()
        return date.fromisoformat(row[0])


def _seed_resident(conn: sqlite3.Connection, resident: SeedResident, today: date) -> None:
    conn.execute(
        "INSERT INTO residents VALUES (?, ?, ?, ?)",
        (resident.id_number, resident.key, resident.qr_code, dumps(to_json(resident))),
    )
    built = records.build(resident, today)
    for kind, items in built.records.items():
        conn.executemany(
            "INSERT INTO records VALUES (?, ?, ?, ?)",
            [(resident.id_number, kind, seq, dumps(item)) for seq, item in enumerate(items)],
        )
    for kind, summary in built.summaries.items():
        conn.execute(
            "INSERT INTO summaries VALUES (?, ?, ?)", (resident.id_number, kind, dumps(summary))
        )
    for seq, licence in enumerate(built.licences):
        conn.execute(
            "INSERT INTO licences VALUES (?, ?, ?, ?)",
            (licence["licence_id"], resident.id_number, seq, dumps(licence)),
        )
