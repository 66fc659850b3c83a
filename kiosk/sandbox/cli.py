"""`kiosk sandbox`: run the sandbox service platform on its own, list the fleet or residents.

kiosk sandbox [--host H] [--port P] [--db PATH]   serve plain HTTP on loopback until Ctrl-C
kiosk sandbox --tls [--ca DIR] [--cert F --key F]  serve as in production: mutual TLS, the
                                                   terminal CA in DIR, its revoked.txt per request
kiosk sandbox fleet [--url U] [--cert F --key F --cacert F]  the terminals' latest heartbeats
kiosk sandbox residents                            the seeded test residents (synthetic)
"""

from __future__ import annotations

import argparse
import json
import signal
import ssl
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from kiosk import REPO_ROOT

if TYPE_CHECKING:
    from kiosk.trust.ca import Credentials
from kiosk.platform import PlatformClient, PlatformError
from kiosk.sandbox.tls import DEFAULT_VERIFY_PER_MINUTE, SandboxTls
from kiosk.trust.ca import SERVER_CERT, SERVER_KEY, CaError, CertificateAuthority
from kiosk.trust.cli import DEFAULT_CA_DIR

DEFAULT_PORT = 8765
DEFAULT_DB = REPO_ROOT / "var" / "sandbox.db"
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"


def _serve(args: argparse.Namespace) -> int:
    from kiosk.boot.logs import configure_logging
    from kiosk.sandbox.server import create_sandbox

    configure_logging(Path(args.db).resolve().parent / "sandbox-logs", to_stderr=args.verbose)
    try:
        tls = _server_tls(args) if args.tls else None
        handle = create_sandbox(Path(args.db), host=args.host, port=args.port, tls=tls)
    except CaError as exc:
        print(f"kiosk sandbox: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"kiosk sandbox: {exc}", file=sys.stderr)
        return 2
    except (OSError, ssl.SSLError) as exc:
        print(
            f"kiosk sandbox: cannot listen on {args.host}:{args.port}: "
            f"{getattr(exc, 'strerror', None) or exc}",
            file=sys.stderr,
        )
        return 1
    stopper = threading.Thread(target=lambda: None)

    def _stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopper
        if not stopper.is_alive():
            stopper = threading.Thread(target=handle.stop, daemon=True)
            stopper.start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"sandbox service platform listening on {handle.url} (database {args.db})", flush=True)
    try:
        handle.serve_forever()
    finally:
        stopper.join(timeout=10)
        handle.stop()
    print("sandbox stopped", flush=True)
    return 0


def _server_tls(args: argparse.Namespace) -> SandboxTls:
    """The TLS files: the terminal CA folder, and a server certificate (issued when absent)."""
    ca_dir = Path(args.ca)
    ca = CertificateAuthority.open(ca_dir)
    if args.cert and args.key:
        cert, key = Path(args.cert), Path(args.key)
    else:
        server_dir = ca_dir / "sandbox-server"
        if not (server_dir / SERVER_CERT).exists():
            ca.issue_server([args.host], server_dir)
        cert, key = server_dir / SERVER_CERT, server_dir / SERVER_KEY
    return SandboxTls(cert, key, ca.ca_file, ca.revoked_file, args.verify_per_minute)


def _requests_tls(args: argparse.Namespace) -> dict[str, object]:
    options: dict[str, object] = {}
    if args.cacert:
        options["verify"] = args.cacert
    if args.cert:
        options["cert"] = (args.cert, args.key) if args.key else args.cert
    return options


def _fleet(args: argparse.Namespace) -> int:
    if args.url is None:
        args.url, demo_tls = _default_fleet()
        if demo_tls is not None and not args.cert:
            args.cert, args.key = str(demo_tls.cert_file), str(demo_tls.key_file)
            args.cacert = str(demo_tls.ca_file)
    client = PlatformClient(
        args.url,
        timeout_seconds=args.timeout,
        retries=1,
        cert_file=args.cert or "",
        key_file=args.key or "",
        ca_file=args.cacert or "",
    )
    try:
        terminals = client.terminals()
    except PlatformError as exc:
        print(f"kiosk sandbox fleet: {args.url}: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
    header = (
        f"{'terminal':<16} {'app':<10} {'bundle':<12} {'last seen':<26} {'ago':>6} "
        f"{'paper':<8} {'queue':>5} {'sessions':>8} {'ratings':>7}  devices"
    )
    print(header)
    for t in terminals:
        devices = ", ".join(
            f"{name}={d.get('state', '?')}"
            + (f"/{d['supplies']}" if d.get("supplies") not in (None, "", "n/a") else "")
            for name, d in sorted(t.devices.items())
            if isinstance(d, dict)
        )
        print(
            f"{t.terminal_id:<16} {t.app_version:<10} {t.bundle_version:<12} "
            f"{t.last_seen:<26} {t.seconds_since_seen:>5}s {t.paper() or '-':<8} "
            f"{t.outbox_depth:>5} {t.sessions:>8} {t.ratings:>7}  {devices}"
        )
    print(f"{len(terminals)} terminal(s)")
    return 0


def _default_fleet() -> tuple[str, Credentials | None]:
    """The platform to ask when no ``--url`` is given: the configured one, else the running
    demo's embedded sandbox (with the demo terminal's own certificate: it speaks mutual TLS)."""
    from kiosk.boot.settings import ConfigError, load_settings
    from kiosk.platform.connect import DEMO_PKI_DIR
    from kiosk.sandbox.demo_address import fleet_url
    from kiosk.trust.ca import demo_pki

    try:
        settings = load_settings()
    except ConfigError:
        return DEFAULT_URL, None
    url = fleet_url(settings)
    if settings.platform.base_url or not url.startswith("https://"):
        return url, None
    pki_dir = Path(settings.data_dir) / DEMO_PKI_DIR
    if not pki_dir.is_dir():
        return url, None
    return url, demo_pki(pki_dir, settings.terminal_id).terminal


def _residents(args: argparse.Namespace) -> int:
    from kiosk.sandbox.seed import RESIDENTS

    print("Synthetic residents seeded in every sandbox (invented people, valid check digits):")
    for r in RESIDENTS:
        print(
            f"{r.key:<18} {r.id_number} {r.name:<4} {r.sex} {r.birth_date} {r.qr_code} "
            f"face={r.face}  {' / '.join(r.purpose)}"
        )
    return 0


def _admin(args: argparse.Namespace) -> int:
    import requests

    url = f"{args.url.rstrip('/')}/_sandbox/{args.action}"
    tls = _requests_tls(args)
    try:
        if args.action == "stats":
            response = requests.get(url, timeout=args.timeout, **tls)  # type: ignore[arg-type]
        elif args.clear:
            response = requests.delete(url, timeout=args.timeout, **tls)  # type: ignore[arg-type]
        else:
            spec: dict[str, int | float | str] = {"status": args.status}
            if args.delay:
                spec["delay_seconds"] = args.delay
            if args.delay_count is not None:
                spec["delay_count"] = args.delay_count
            if args.fail_next:
                spec["fail_next"] = args.fail_next
            if args.fail_after_commit:
                spec["fail_after_commit"] = args.fail_after_commit
            response = requests.post(
                url, json=spec, timeout=args.timeout, **tls  # type: ignore[arg-type]
            )
    except requests.RequestException as exc:
        print(f"kiosk sandbox {args.action}: {args.url}: {type(exc).__name__}", file=sys.stderr)
        return 1
    if response.status_code >= 400:
        print(
            f"kiosk sandbox {args.action}: {response.status_code} {response.text}", file=sys.stderr
        )
        return 1
    print(json.dumps(response.json(), ensure_ascii=False, indent=2))
    return 0


def main(argv: list[str]) -> int:
    """Entry point of `kiosk sandbox`."""
    parser = argparse.ArgumentParser(
        prog="kiosk sandbox", description="the sandbox service platform"
    )
    sub = parser.add_subparsers(dest="action")
    serve = sub.add_parser("serve", help="serve the API (the default)")
    for target in (parser, serve):
        target.add_argument("--host", default="127.0.0.1", help="address to listen on")
        target.add_argument(
            "--port",
            type=int,
            default=DEFAULT_PORT,
            help=f"port (default {DEFAULT_PORT}; 0 = any free port)",
        )
        target.add_argument("--db", default=str(DEFAULT_DB), help="SQLite database file")
        target.add_argument("--verbose", action="store_true", help="log requests to stderr")
        target.add_argument(
            "--tls", action="store_true", help="serve as in production: HTTPS + client certificates"
        )
        target.add_argument(
            "--ca", default=str(DEFAULT_CA_DIR), help="terminal CA folder (kiosk ca init)"
        )
        target.add_argument("--cert", help="server certificate (default: issued by the CA)")
        target.add_argument("--key", help="server private key")
        target.add_argument(
            "--verify-per-minute",
            type=int,
            default=DEFAULT_VERIFY_PER_MINUTE,
            help="identity verifications per terminal per minute (0 = no limit)",
        )
    fleet = sub.add_parser("fleet", help="list terminals and their latest heartbeat")
    fleet.add_argument("--url", default=None,
                       help="platform URL (default: the site file's platform, else the running "
                            f"demo's sandbox, else {DEFAULT_URL})")
    fleet.add_argument("--timeout", type=float, default=5.0, help="seconds per request")
    sub.add_parser("residents", help="list the seeded synthetic residents")
    faults = sub.add_parser("faults", help="arm or clear injected faults (sandbox only)")
    stats = sub.add_parser("stats", help="exactly-once counters (sandbox only)")
    for target in (faults, stats):
        target.add_argument("--url", default=DEFAULT_URL, help="sandbox URL")
        target.add_argument("--timeout", type=float, default=5.0, help="seconds per request")
    for target in (fleet, faults, stats):
        target.add_argument("--cert", help="client certificate (a TLS sandbox)")
        target.add_argument("--key", help="client private key")
        target.add_argument("--cacert", help="CA of the sandbox's server certificate")
    faults.add_argument("--delay", type=float, default=0.0, help="answer this many seconds late")
    faults.add_argument("--delay-count", type=int, help="delay only this many requests")
    faults.add_argument("--fail-next", type=int, default=0, help="fail the next N requests")
    faults.add_argument(
        "--fail-after-commit",
        type=int,
        default=0,
        help="do the work, then answer an error, N times",
    )
    faults.add_argument("--status", type=int, default=503, help="status of injected failures")
    faults.add_argument("--clear", action="store_true", help="disarm every fault")
    args = parser.parse_args(argv)
    if args.action in ("faults", "stats"):
        return _admin(args)
    if args.action == "fleet":
        return _fleet(args)
    if args.action == "residents":
        return _residents(args)
    return _serve(args)
