"""`kiosk console`: serve the central console, or create its first admin.

kiosk console [--db URL] [--host H] [--port P]        serve until Ctrl-C / SIGTERM
kiosk console create-admin USERNAME [--db URL] [--password-stdin]
                                                      create an admin (asks for the password)

Without --db (or KIOSK_CONSOLE_DB) the console uses SQLite in var/console/console.db.
PostgreSQL: --db postgresql+psycopg://user@host/dbname. There is no default account or
password: the first admin is made with create-admin, the others on the 用户管理 page.

TLS (docs/adr/0700): the console serves HTTPS; terminals present their client certificate
(`kiosk ca enrol`), verified against the fleet CA. With no TLS options it uses the developer's
throwaway PKI in var/pki (the demo profile's CA, made when absent) and a server certificate for
--host. A site names its own: --tls-cert, --tls-key (0600), --ca-file (the fleet CA), and
--revoked-file (the CA's revoked.txt); --site refuses to start without them.
--insecure-http serves plain http with per-terminal tokens, for development only (refused with
--site).
"""

from __future__ import annotations

import argparse
import gc
import getpass
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from kiosk.console.terminal_auth import TerminalIdentity
    from kiosk.console.tls import ConsoleTls

DEFAULT_PORT = 8780


class TlsSetupError(Exception):
    """The TLS options do not add up (the message names the option)."""


def _tls(args: argparse.Namespace) -> ConsoleTls | None:
    """What to serve TLS with (None: the explicit plain-http development mode)."""
    from kiosk import REPO_ROOT
    from kiosk.console.tls import ConsoleTls, dev_tls

    if args.insecure_http:
        if args.site:
            raise TlsSetupError("--insecure-http: refused with --site (terminals and people "
                                "reach a site's console over HTTPS only)")
        return None
    given = [args.tls_cert, args.tls_key, args.ca_file]
    if any(given) and not all(given):
        raise TlsSetupError("--tls-cert, --tls-key and --ca-file go together")
    if all(given):
        tls = ConsoleTls(args.tls_cert, args.tls_key, args.ca_file, args.revoked_file)
    elif args.site:
        raise TlsSetupError("--site needs --tls-cert, --tls-key and --ca-file (the fleet CA); "
                            "the throwaway PKI is for development")
    else:
        pki = args.pki_dir if args.pki_dir.is_absolute() else REPO_ROOT / args.pki_dir
        tls = dev_tls(pki, args.host)
        if args.revoked_file is not None:
            tls = ConsoleTls(tls.cert_file, tls.key_file, tls.ca_file, args.revoked_file)
    if args.site and args.revoked_file is None:
        raise TlsSetupError("--site needs --revoked-file (the fleet CA's revoked.txt)")
    problems = tls.problems()
    if problems:
        raise TlsSetupError("\n".join(problems))
    return tls


def _identity(tls: ConsoleTls | None) -> TerminalIdentity:
    from kiosk.console.terminal_auth import BearerTokenIdentity, ClientCertificateIdentity

    if tls is None:
        return BearerTokenIdentity()
    return ClientCertificateIdentity(tls.ca_file, tls.revoked_file)


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
        p.add_argument("--tls-cert", type=Path, help="the console's TLS certificate (PEM)")
        p.add_argument("--tls-key", type=Path, help="its private key (PEM, mode 0600)")
        p.add_argument("--ca-file", type=Path,
                       help="the fleet CA that signs terminals' client certificates")
        p.add_argument("--revoked-file", type=Path,
                       help="the CA's revocation list (revoked.txt), read when it changes")
        p.add_argument("--pki-dir", type=Path, default=Path("var/pki"),
                       help="the developer's throwaway PKI (used without --tls-cert)")
        p.add_argument("--site", action="store_true",
                       help="site profile: TLS files must be given; no throwaway PKI, no http")
        p.add_argument("--insecure-http", action="store_true",
                       help="development only: plain http, terminals use tokens")
        p.add_argument("--video-hours", default="",
                       help="视频帮办 staff hours, China time, e.g. 'mon-fri 09:00-17:00' "
                            "(default: all day)")
        p.add_argument("--video-queue-hours", action="append", default=[],
                       metavar="QUEUE=HOURS",
                       help="视频帮办 hours of one queue, e.g. 'kuasheng=mon-sat 08:30-20:00' "
                            "(repeat; other queues follow --video-hours)")
        p.add_argument("--video-hotline", default="12345",
                       help="hotline a terminal shows when no staff member can answer")
        p.add_argument("--ice-server", action="append", default=[],
                       help="STUN/TURN URL for 视频帮办 (repeat; none needed on a LAN)")
        p.add_argument("--no-video-hub", action="store_true",
                       help="this process does not run the 视频帮办 hub (docs/adr/0751)")
        p.add_argument("--video-relay", action="store_true",
                       help="PostgreSQL: processes elect the 视频帮办 hub and relay to it")
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
    from kiosk.console.video.hours import BadHours, StaffHours, queue_hours

    try:
        tls = _tls(args)
        hours = StaffHours.parse(args.video_hours) if args.video_hours else StaffHours()
        per_queue = queue_hours(args.video_queue_hours)
    except TlsSetupError as exc:
        for line in str(exc).splitlines():
            print(f"kiosk console: {line}", file=sys.stderr)
        return 2
    except BadHours as exc:
        print(f"kiosk console: --{exc}", file=sys.stderr)
        return 2
    app = create_app(ConsoleSettings(database_url=args.db,
                                     secure_cookies=args.secure_cookies or tls is not None,
                                     update_repo_dir=args.update_repo,
                                     update_keys_dir=args.update_keys,
                                     release_dir=args.release_dir, video_hours=hours,
                                     video_queue_hours=per_queue,
                                     video_hotline=args.video_hotline[:32],
                                     video_ice_servers=tuple(args.ice_server),
                                     video_hub=not args.no_video_hub,
                                     video_relay=args.video_relay),
                     identity=_identity(tls))
    settle_garbage_collector()
    try:
        handle = start_server(app, args.host, args.port, tls=tls)
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
    if tls is None:
        print("kiosk console: DEVELOPMENT MODE: plain http, terminals use tokens; never on a "
              "site (docs/console.md, TLS)", flush=True)
    else:
        print(f"kiosk console: terminals present client certificates of the CA {tls.ca_file}; "
              f"browsers trust that CA or accept the warning", flush=True)
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
