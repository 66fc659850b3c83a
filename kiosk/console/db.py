"""Database engine and schema: SQLite in var/ by default, PostgreSQL in production.

`open_database(url)` makes the engine and brings the schema to the newest Alembic revision, so
`kiosk console` with no database URL works at once. Times are stored timezone-aware (UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from kiosk import REPO_ROOT

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DEFAULT_SQLITE_PATH = REPO_ROOT / "var" / "console" / "console.db"
#: SQLite waits this long for a lock held by another connection before failing a write.
SQLITE_BUSY_TIMEOUT_SECONDS = 15.0


def default_url() -> str:
    """The embedded database: var/console/console.db."""
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (the clock the console uses unless one is given)."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # password hashes
        engine = create_engine(url, connect_args={"check_same_thread": False,
                                                  "timeout": SQLITE_BUSY_TIMEOUT_SECONDS})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


#: Terminal calls run at most this many at a time in worker threads (a queue in front of them,
#: not a refusal): more threads than this only fight over the GIL and the connection pool.
INGEST_THREADS = 6


def make_ingest_sessions(url: str, engine: Engine) -> tuple[Engine, sessionmaker[Session]]:
    """Sessions for routine heartbeats (docs/adr/0710-heartbeat-ingest-round-trips.md).

    They run in autocommit: a routine heartbeat is one UPDATE, atomic by itself, so no BEGIN
    and no COMMIT round trips. On PostgreSQL they have their own small pool, without a ping
    per checkout (after a database restart one heartbeat meets the dead connection, gets 503,
    and the whole pool is replaced; the terminal's outbox sends it again), and commit without
    waiting for the WAL flush (synchronous_commit off: a crash loses at most the last fraction
    of a second of routine heartbeats, which the next ones repeat; heartbeats that raise
    alerts or hand over commands use the ordinary, durable sessions). The terminal row loaded
    to identify the caller stays in the session, so it is not read twice."""
    if url.startswith("postgresql"):
        engine = create_engine(url, pool_size=INGEST_THREADS, max_overflow=0,
                               pool_recycle=3600, isolation_level="AUTOCOMMIT",
                               connect_args={"options": "-c synchronous_commit=off"})
    else:
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    sessions = sessionmaker(engine, expire_on_commit=False)
    event.listen(sessions, "loaded_as_persistent", _keep_loaded)
    return engine, sessions


def _keep_loaded(session: Session, instance: object) -> None:
    """Hold loaded rows strongly for the session's life (its identity map holds them weakly,
    so a row read by one step and looked up by the next would be read twice)."""
    session.info.setdefault("loaded", []).append(instance)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations up to `revision` on `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Run the Alembic migrations down to `revision` (tests and throwaway databases only)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def open_database(url: str | None = None) -> tuple[Engine, sessionmaker[Session]]:
    """Engine and session factory for `url` (default: the embedded SQLite), schema upgraded."""
    engine = make_engine(url or default_url())
    upgrade(engine)
    return engine, sessionmaker(engine, expire_on_commit=False)
