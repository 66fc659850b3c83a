"""Fixtures for the console: a throwaway PostgreSQL (Debian's server in a temporary folder),
fresh databases on SQLite and PostgreSQL, and the real console served by uvicorn on loopback.

PostgreSQL: kiosk/console/pgtemp.py (`initdb` + `pg_ctl` from /usr/lib/postgresql/<v>/bin,
trust auth, loopback only, as the `postgres` user when run as root), started once per test
session. Each test gets its own database (CREATE DATABASE), dropped afterwards.

SQLite: a console under test starts from a copy of one database migrated once per test session
(`_sqlite_template`): running the migrations for every test was most of a console test's
set-up. `db_url` stays empty (the migration tests start from nothing).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from kiosk.console.app import create_app
from kiosk.console.db import make_engine, upgrade, utcnow
from kiosk.console.pgtemp import PostgresUnavailable, start_temp_postgres
from kiosk.console.server import ServerHandle, start_server
from kiosk.console.settings import ConsoleSettings
from tests.console.helpers import Console


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server for this test session; yields its admin URL (psycopg form)."""
    try:
        server = start_temp_postgres()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc))
    try:
        yield server.url
    finally:
        server.stop()


#: The migrated SQLite database of this test session (by its temporary folder), made once.
_TEMPLATES: dict[Path, Path] = {}


def _sqlite_template(request: pytest.FixtureRequest) -> Path:
    """A SQLite console database migrated to the head revision, for consoles to copy (a plain
    function, not a fixture: modules outside tests/console import the `console` fixture)."""
    factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
    base = factory.getbasetemp()
    if base not in _TEMPLATES:
        path = factory.mktemp("console-template") / "console.db"
        engine = make_engine(f"sqlite:///{path}")
        try:
            upgrade(engine)
        finally:
            engine.dispose()  # the last connection folds the WAL back into the file
        _TEMPLATES[base] = path
    return _TEMPLATES[base]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    """A fresh, empty database on each engine (SQLAlchemy URL)."""
    yield from _fresh_database(request, request.param, tmp_path)


def _fresh_database(request: pytest.FixtureRequest, kind: str,
                    tmp_path: os.PathLike[str], migrated: bool = False) -> Iterator[str]:
    """A new database of `kind`: empty, or for SQLite with `migrated` a copy of the migrated
    template (the console's start-up finds it at the head revision)."""
    if kind == "sqlite":
        path = os.path.join(tmp_path, "console.db")
        if migrated:
            shutil.copyfile(_sqlite_template(request), path)
        yield f"sqlite:///{path}"
        return
    admin_url = request.getfixturevalue("pg_server")
    name = "console_" + uuid.uuid4().hex[:12]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] \
            + f"/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Clock:
    """The console's clock in tests: real time plus whatever a test adds."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the console's time forward."""
        self.offset += timedelta(seconds=seconds)


@pytest.fixture(params=["sqlite"])
def console(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[Console]:
    """The real console app served by uvicorn on 127.0.0.1 (SQLite unless parametrized with
    indirect=True to "postgresql")."""
    for url in _fresh_database(request, request.param, tmp_path, migrated=True):
        clock = Clock()
        settings = ConsoleSettings(database_url=url, heartbeat_min_interval_seconds=0.0,
                                   offline_sweep_interval_seconds=1.0,
                                   notify_interval_seconds=0.3, notify_retry_base_seconds=0.5)
        app = create_app(settings, clock=clock)
        handle: ServerHandle = start_server(app)
        try:
            yield Console(handle.url, app.state.sessions, clock, url)
        finally:
            handle.stop()
