"""Fixtures for the console: a throwaway PostgreSQL (Debian's server in a temporary folder),
fresh databases on SQLite and PostgreSQL, and the real console served by uvicorn on loopback.

PostgreSQL: `initdb` + `pg_ctl` from /usr/lib/postgresql/<v>/bin, trust auth, loopback only,
started once per test session; as root the server runs as the `postgres` user (initdb refuses
root). Each test gets its own database (CREATE DATABASE), dropped afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import psycopg
import pytest

from kiosk.console.app import create_app
from kiosk.console.db import utcnow
from kiosk.console.server import ServerHandle, start_server
from kiosk.console.settings import ConsoleSettings
from tests.console.helpers import Console


def _pg_bin() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL server binaries not found: apt-get install postgresql "
                    "(scripts/setup.sh installs it)")
    return os.path.dirname(found[-1])


def _pg(bindir: str, *args: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, os.path.join(bindir, args[0]), *args[1:]], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server for this test session; yields its admin URL (psycopg form)."""
    bindir = _pg_bin()
    tmp = tempfile.mkdtemp(prefix="console-pg-")  # not tmp_path: its parents are root-only
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres", "postgres")
    data = os.path.join(tmp, "data")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    _pg(bindir, "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
        "--locale=C.UTF-8", "--no-sync")
    _pg(bindir, "pg_ctl", "-D", data, "-w", "-l", os.path.join(tmp, "log"), "start", "-o",
        f"-p {port} -c listen_addresses=127.0.0.1 -k {tmp} -F -c fsync=off "
        "-c full_page_writes=off -c max_connections=200")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        _pg(bindir, "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    """A fresh, empty database on each engine (SQLAlchemy URL)."""
    yield from _fresh_database(request, request.param, tmp_path)


def _fresh_database(request: pytest.FixtureRequest, kind: str,
                    tmp_path: os.PathLike[str]) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{os.path.join(tmp_path, 'console.db')}"
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
    for url in _fresh_database(request, request.param, tmp_path):
        clock = Clock()
        settings = ConsoleSettings(database_url=url, heartbeat_min_interval_seconds=0.0,
                                   offline_sweep_interval_seconds=1.0)
        app = create_app(settings, clock=clock)
        handle: ServerHandle = start_server(app)
        try:
            yield Console(handle.url, app.state.sessions, clock, url)
        finally:
            handle.stop()
