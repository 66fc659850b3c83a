"""`kiosk ca`: the admin side of terminal identity (docs/adr/0410).

kiosk ca init     [--ca DIR]                      create the CA (ca.key 0600, ca.pem)
kiosk ca enrol    TERMINAL-ID --out DIR [--ca DIR] a new key pair + certificate for a terminal
kiosk ca server   HOST... --out DIR [--ca DIR]     the platform's TLS server certificate
kiosk ca revoke   TERMINAL-ID [--ca DIR]           revoke a terminal (at once)
kiosk ca list     [--ca DIR]                       issued certificates and their state

The CA folder defaults to ``var/ca`` (outside git). Copy the enrolment folder's three files to
the terminal and name them in its site file (platform.cert_file, key_file, ca_file).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk import REPO_ROOT
from kiosk.trust.ca import CaError, CertificateAuthority, read_revoked

DEFAULT_CA_DIR = REPO_ROOT / "var" / "ca"


def main(argv: list[str]) -> int:
    """Run one CA command; exit 1 with a plain message on failure."""
    parser = argparse.ArgumentParser(prog="kiosk ca", description="terminal certificates")
    parser.add_argument("--ca", type=Path, default=DEFAULT_CA_DIR, help="the CA folder")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create the CA")
    enrol = sub.add_parser("enrol", help="issue a terminal its key pair and certificate")
    enrol.add_argument("terminal_id")
    enrol.add_argument("--out", type=Path, required=True, help="folder for the terminal's files")
    server = sub.add_parser("server", help="issue the platform's TLS server certificate")
    server.add_argument("hosts", nargs="+", help="host names or IP addresses it serves")
    server.add_argument("--out", type=Path, required=True)
    revoke = sub.add_parser("revoke", help="revoke every certificate of a terminal")
    revoke.add_argument("terminal_id")
    sub.add_parser("list", help="issued certificates")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except CaError as exc:
        print(f"kiosk ca {args.command}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"kiosk ca {args.command}: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 1


def _outside_the_repository(path: Path) -> None:
    """Keys never go into the source tree (var/, which git ignores, is allowed)."""
    resolved = path.resolve()
    if resolved.is_relative_to(REPO_ROOT) and not resolved.is_relative_to(REPO_ROOT / "var"):
        raise CaError(f"{path}: inside the repository; keys must live outside it "
                      f"(or under {REPO_ROOT / 'var'}, which git ignores)")


def _run(args: argparse.Namespace) -> int:
    _outside_the_repository(args.ca)
    if getattr(args, "out", None) is not None:
        _outside_the_repository(args.out)
    if args.command == "init":
        ca = CertificateAuthority.create(args.ca)
        print(f"CA created in {ca.folder} (keep {ca.folder / 'ca.key'} offline)")
        return 0
    ca = CertificateAuthority.open(args.ca)
    if args.command == "enrol":
        creds = ca.enrol(args.terminal_id, args.out)
        print(f"terminal {args.terminal_id}: certificate {creds.cert_file}, key {creds.key_file} "
              f"(0600), CA {creds.ca_file}")
        return 0
    if args.command == "server":
        creds = ca.issue_server(args.hosts, args.out)
        print(f"server certificate {creds.cert_file}, key {creds.key_file} (0600)")
        return 0
    if args.command == "revoke":
        new = ca.revoke(args.terminal_id)
        print(f"terminal {args.terminal_id}: {len(new)} certificate(s) added to "
              f"{ca.revoked_file}; the platform refuses them from its next request")
        return 0
    revoked = read_revoked(ca.revoked_file)
    for serial, terminal_id, not_after in ca.issued():
        state = "revoked" if serial in revoked else "valid"
        print(f"{terminal_id:<24} {serial:<40} until {not_after}  {state}")
    return 0
