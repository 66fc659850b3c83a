"""Open the kiosk's own SQLite journals (outbox, print journal) the one safe way.

WAL with ``synchronous=FULL`` so a committed row survives a power cut, a busy timeout so a
second connection waits instead of failing, and a small page cache. SQLite's default cache
(2 MB per connection) fills page by page as the journal grows, which showed in the soak as
steady resident-memory growth (about +5.5 MB per 10,000 sessions) until the cap; the journals
are small and read by index, so 256 KiB bounds that memory without slowing a session
(docs/adr/0199-soak-figures.md).

The files are the kiosk's alone: the database is created with mode 0600 before SQLite opens it
(SQLite gives the ``-wal`` and ``-shm`` files the database's mode), files from older versions are
closed to others at open, and ``secure_delete`` overwrites erased rows (a delivered payload) with
zeros instead of leaving them in free pages (docs/adr/0426).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

#: Page cache per connection, in KiB (a negative PRAGMA cache_size is KiB).
CACHE_KIB = 256
BUSY_TIMEOUT_MS = 10_000
#: Mode of the journal files (database, WAL, shared memory): owner only.
FILE_MODE = 0o600


def open_journal_db(path: Path, *, shared: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit); ``shared`` allows use from
    several threads behind the caller's own lock."""
    _private(path)
    db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                         check_same_thread=not shared)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    db.execute("PRAGMA secure_delete=ON")
    return db


def _private(path: Path) -> None:
    """Create the database file 0600 if missing; close existing journal files to others."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError):
            if os.stat(name).st_mode & 0o077:
                os.chmod(name, FILE_MODE)
