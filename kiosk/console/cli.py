"""`kiosk console`: serve the central console, or create its first admin.

kiosk console [--db URL] [--host H] [--port P]        serve until Ctrl-C / SIGTERM
kiosk console create-admin USERNAME [--db URL] [--password-stdin]
                                                      create an admin (asks for the password)

Without --db (or KIOSK_CONSOLE_DB) the console uses SQLite in var/console/console.db.
PostgreSQL: --db postgresql+psycopg://user@host/dbname. There is no default account or
password: the first admin is made with create-admin, the others on the 用户管理 page.
"""

from __future__ import annotations

import argparse
import gc
import getpass
import os
import signal
import sys
import threading
from types import FrameType

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

DEFAULT_PORT = 8780


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk console", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=os.environ.get("KIOSK_CONSOLE_DB"),
                        help="database URL (default: SQLite in var/console/)")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="serve the console (the default)")
    for p in (parser, serve):
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=DEFAULT_PORT)
        p.add_argument("--secure-cookies", action="store_true",
                       help="send cookies over HTTPS only (behind a TLS proxy)")
        p.add_argument("--update-repo", default="var/update-repo",
                       help="published TUF folder releases go to (serve it statically)")
        p.add_argument("--update-keys", default="var/update-keys",
                       help="online keys folder (root, snapshot, timestamp), never published")
        p.add_argument("--release-dir", default="var/console/releases",
                       help="where uploaded bundles wait for their signatures")
    admin = sub.add_parser("create-admin", help="create an admin account")
    admin.add_argument("username")
    admin.add_argument("--display-name", default="")
    admin.add_argument("--password-stdin", action="store_true",
                       help="read the password from the first line of standard input")
    return parser


def _create_admin(args: argparse.Namespace) -> int:
    from kiosk.console.db import open_database, utcnow
    from kiosk.console.models import User
    from kiosk.console.passwords import hash_password, password_problem
    from kiosk.console.roles import Role

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("新管理员的密码: ")
        if getpass.getpass("再输入一次: ") != password:
            print("kiosk console: 两次输入的密码不一致", file=sys.stderr)
            return 2
    problem = password_problem(password)
    if problem:
        print(f"kiosk console: {problem}", file=sys.stderr)
        return 2
    engine, sessions = open_database(args.db)
    try:
        with sessions() as db:
            if db.scalar(select(User.id).where(User.username == args.username)) is not None:
                print(f"kiosk console: 用户 {args.username!r} 已存在", file=sys.stderr)
                return 1
            from kiosk.console import audit

            now = utcnow()
            db.add(User(username=args.username, display_name=args.display_name,
                        password_hash=hash_password(password), role=Role.ADMIN.value,
                        active=True, created_at=now))
            audit.record(db, at=now, actor="(command line)", role="", action="user_create",
                         target=args.username, source_ip="localhost", new_role="admin")
            db.commit()
    finally:
        engine.dispose()
    print(f"admin {args.username!r} created")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from kiosk.console.app import create_app
    from kiosk.console.server import start_server
    from kiosk.console.settings import ConsoleSettings

    app = create_app(ConsoleSettings(database_url=args.db, secure_cookies=args.secure_cookies,
                                     update_repo_dir=args.update_repo,
                                     update_keys_dir=args.update_keys,
                                     release_dir=args.release_dir))
    settle_garbage_collector()
    try:
        handle = start_server(app, args.host, args.port)
    except OSError as exc:
        print(f"kiosk console: cannot listen on {args.host}:{args.port}: {exc.strerror}",
              file=sys.stderr)
        return 1
    done = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"console listening on {handle.url} (database {args.db or 'var/console/console.db'})",
          flush=True)
    done.wait()
    handle.stop()
    return 0


def settle_garbage_collector() -> None:
    """Move everything loaded at start-up (modules, the app, SQLAlchemy's and pydantic's
    machinery: over 100,000 objects) out of the collector's sight. Otherwise every full
    collection walks them all, stalling every request in the process for 100-400 ms on this
    machine: the heartbeat's p99 (docs/adr/0710-heartbeat-ingest-round-trips.md). Only in the
    serving process: a test process that builds many apps must keep collecting them."""
    gc.collect()
    gc.freeze()


def main(argv: list[str]) -> int:
    """Entry point of `kiosk console`."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "create-admin":
            return _create_admin(args)
        return _serve(args)
    except OperationalError as exc:
        print(f"kiosk console: cannot open the database ({type(exc.orig).__name__}); "
              "check --db", file=sys.stderr)
        return 1
