"""Open the kiosk's own SQLite journals (outbox, print journal) the one safe way.

WAL with ``synchronous=FULL`` so a committed row survives a power cut, a busy timeout so a
second connection waits instead of failing, and a small page cache. SQLite's default cache
(2 MB per connection) fills page by page as the journal grows, which showed in the soak as
steady resident-memory growth (about +5.5 MB per 10,000 sessions) until the cap; the journals
are small and read by index, so 256 KiB bounds that memory without slowing a session
(docs/adr/0199-soak-figures.md).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

#: Page cache per connection, in KiB (a negative PRAGMA cache_size is KiB).
CACHE_KIB = 256
BUSY_TIMEOUT_MS = 10_000


def open_journal_db(path: Path, *, shared: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit); ``shared`` allows use from
    several threads behind the caller's own lock."""
    db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                         check_same_thread=not shared)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    return db
