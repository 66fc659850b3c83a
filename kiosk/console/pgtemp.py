"""A throwaway PostgreSQL server from Debian's package, for tests and benchmarks only.

`initdb` (trust authentication, UTF-8, no fsync) and `pg_ctl start` in a fresh temporary
folder, listening on 127.0.0.1 at a free port with its socket in the same folder. initdb
refuses to run as root, so as root the binaries run as the `postgres` system user
(`runuser`), and the folder is handed to that user. Never for production data.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass

#: initdb and pg_ctl are not on PATH on Debian.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin/initdb"


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are missing or would not start."""


@dataclass
class TempPostgres:
    """A running throwaway server; `url` is its admin URL (psycopg form, database postgres)."""

    bindir: str
    folder: str
    port: int

    @property
    def url(self) -> str:
        """postgresql://postgres@127.0.0.1:PORT/postgres"""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def sqlalchemy_url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of one database on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self, prefix: str = "bench_") -> str:
        """Create an empty database with a fresh name on this server; return its name."""
        import uuid

        import psycopg

        name = prefix + uuid.uuid4().hex[:8]
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        try:
            _run(self.bindir, "pg_ctl", "-D", os.path.join(self.folder, "data"), "-m",
                 "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def _run(bindir: str, *args: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    try:
        subprocess.run([*prefix, os.path.join(bindir, args[0]), *args[1:]], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode("utf-8", "replace").strip()[-300:]
        raise PostgresUnavailable(f"{args[0]} failed: {message}") from None


def start_temp_postgres(max_connections: int = 200) -> TempPostgres:
    """Start a throwaway server; raises PostgresUnavailable with the reason."""
    found = sorted(glob.glob(PG_BIN_GLOB))
    if not found:
        raise PostgresUnavailable("PostgreSQL server binaries not found: apt-get install "
                                  "postgresql (scripts/setup.sh installs it)")
    bindir = os.path.dirname(found[-1])
    folder = tempfile.mkdtemp(prefix="console-pg-")  # the system temp folder: postgres can enter
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = os.path.join(folder, "data")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = TempPostgres(bindir, folder, port)
    try:
        _run(bindir, "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-sync")
        _run(bindir, "pg_ctl", "-D", data, "-w", "-l", os.path.join(folder, "log"), "start",
             "-o", f"-p {port} -c listen_addresses=127.0.0.1 -k {folder} -F -c fsync=off "
             f"-c full_page_writes=off -c max_connections={max_connections}")
    except PostgresUnavailable:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server
