"""`kiosk admin ...`: the central admin's tool to build, sign and publish flow bundles.

    kiosk admin init     --repo PUB --keys KEYS [--trusted-root-out config/trusted_root.json]
    kiosk admin build    FLOWS_DIR --version N [--min-app-version 0.1.0] [--out FILE]
    kiosk admin publish  FILE --to all|group:NAME|terminal:ID [--to ...]
    kiosk admin promote  VERSION --to ...           (staged rollout: widen the audience)
    kiosk admin rollback --to-version N [--to ...]  (old content as a NEW, higher version)
    kiosk admin rotate-key ROLE                     (root, targets, snapshot, timestamp)
    kiosk admin refresh-timestamp                   (cron, every 6 hours: 0 */6 * * *)
    kiosk admin status

PUB is the folder a web server publishes; KEYS holds the private keys and must stay off it.
The keys are encrypted with a passphrase: --passphrase-file FILE (mode 0600, for cron), else
KIOSK_ADMIN_KEY_PASSPHRASE, else a prompt; without one nothing is signed.
``publish`` always runs the bundle check (the one the terminal runs) and refuses a bundle that
fails it, whatever ``build`` was told.
Exit codes: 0 done, 1 refused or failed (message on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from kiosk import __version__
from kiosk.updates.bundle import BundleError, build_archive, unpack_archive
from kiosk.updates.checks import bundle_check
from kiosk.updates.repository import (
    DEFAULT_EXPIRY,
    DEFAULT_KEYS,
    PASSPHRASE_ENV,
    ROLES,
    AdminError,
    Audience,
    Repository,
)

DEFAULT_REPO = Path("var/update-repo")
DEFAULT_KEYS_DIR = Path("var/update-keys")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk admin", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--repo", type=Path, default=DEFAULT_REPO,
                        help=f"published repository folder (default {DEFAULT_REPO})")
    common.add_argument("--keys", type=Path, default=DEFAULT_KEYS_DIR,
                        help=f"admin key folder, never published (default {DEFAULT_KEYS_DIR})")
    common.add_argument("--passphrase-file", type=Path, metavar="FILE",
                        help="file holding the key passphrase (mode 0600; for cron). Otherwise "
                        f"{PASSPHRASE_ENV}, otherwise a prompt")
    common.add_argument("--expiry", action="append", default=[], metavar="ROLE=DAYS",
                        help="signature lifetime for a role when (re)signing it, e.g. "
                        "timestamp=2 (defaults: " + ", ".join(
                            f"{r}={d.days}" for r, d in DEFAULT_EXPIRY.items()) + ")")
    sub = parser.add_subparsers(dest="command", required=True)

    init = sub.add_parser("init", parents=[common], help="create keys and a new repository")
    for role in ROLES:
        count, threshold = DEFAULT_KEYS[role]
        init.add_argument(f"--{role}-keys", type=int, default=count, metavar="N",
                          help=f"number of {role} keys (default {count})")
        init.add_argument(f"--{role}-threshold", type=int, default=threshold, metavar="N",
                          help=f"signatures required for {role} (default {threshold})")
    init.add_argument("--trusted-root-out", type=Path,
                      help="also write root.json here (e.g. config/trusted_root.json for a demo)")

    build = sub.add_parser("build", help="lint and pack a flows folder into a bundle archive")
    build.add_argument("flows_dir", type=Path)
    build.add_argument("--version", type=int, required=True, help="bundle version (integer)")
    build.add_argument("--min-app-version", default=__version__,
                       help=f"oldest app that can run it (default {__version__})")
    build.add_argument("--created", help="ISO 8601 UTC creation time (default now; fix it for "
                       "byte-identical rebuilds)")
    build.add_argument("--out", type=Path, help="archive path (default flows-N.tar.gz)")
    build.add_argument("--no-check", action="store_true",
                       help="skip the bundle check here (publish always runs it)")

    publish = sub.add_parser("publish", parents=[common], help="sign and publish a bundle")
    publish.add_argument("archive", type=Path)
    publish.add_argument("--to", action="append", required=True, metavar="AUDIENCE",
                         help="all, group:NAME or terminal:ID (repeatable)")

    promote = sub.add_parser("promote", parents=[common],
                             help="point more audiences at a published bundle")
    promote.add_argument("version", type=int)
    promote.add_argument("--to", action="append", required=True, metavar="AUDIENCE")

    rollback = sub.add_parser("rollback", parents=[common],
                              help="publish an earlier bundle's content as a new version")
    rollback.add_argument("--to-version", type=int, required=True)
    rollback.add_argument("--to", action="append", metavar="AUDIENCE",
                          help="audiences (default: every channel on the latest version)")

    rotate = sub.add_parser("rotate-key", parents=[common], help="replace a role's keys")
    rotate.add_argument("role", choices=ROLES)

    sub.add_parser("refresh-timestamp", parents=[common], help="sign a fresh timestamp")
    sub.add_parser("status", parents=[common], help="bundles, channels and expiry dates")
    return parser


def main(argv: list[str]) -> int:
    """Run one admin command; return the exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return _run(args)
    except (AdminError, BundleError) as exc:
        print(f"kiosk admin {args.command}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"kiosk admin {args.command}: {exc.strerror or exc} ({exc.filename})",
              file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "build":
        return _build(args)
    passphrase = None
    if args.command != "status":
        passphrase = read_passphrase(args.passphrase_file, confirm=args.command == "init")
    repo = Repository(args.repo, args.keys, expiry=_expiry(args.expiry), passphrase=passphrase)
    if args.command == "init":
        keys = {role: (getattr(args, f"{role}_keys"), getattr(args, f"{role}_threshold"))
                for role in ROLES}
        root = repo.init(keys)
        if args.trusted_root_out:
            args.trusted_root_out.parent.mkdir(parents=True, exist_ok=True)
            args.trusted_root_out.write_bytes(root.to_bytes())
        print(f"repository created in {args.repo} (keys in {args.keys})")
        if args.trusted_root_out:
            print(f"trusted root written to {args.trusted_root_out}: ship it with the app")
        return 0
    if args.command == "publish":
        targets = [Audience.parse(a) for a in args.to]
        problems = check_archive(args.archive)
        if problems:  # a bundle built with --no-check, or edited after its build
            print(f"kiosk admin publish: {args.archive} fails the bundle check; nothing was "
                  "signed or published:", file=sys.stderr)
            for problem in problems:
                print(f"  - {problem}", file=sys.stderr)
            return 1
        manifest = repo.publish(args.archive, targets)
        print(f"published bundle {manifest.version} to {', '.join(args.to)}")
        return 0
    if args.command == "promote":
        repo.promote(args.version, [Audience.parse(a) for a in args.to])
        print(f"bundle {args.version} now also reaches {', '.join(args.to)}")
        return 0
    if args.command == "rollback":
        audiences = [Audience.parse(a) for a in args.to] if args.to else None
        manifest = repo.rollback(args.to_version, audiences)
        print(f"published the content of bundle {args.to_version} as bundle {manifest.version}")
        return 0
    if args.command == "rotate-key":
        new_ids = repo.rotate_key(args.role)
        print(f"{args.role}: new key ids {', '.join(k[:16] for k in new_ids)}; "
              f"root is now version {repo.root().signed.version}")
        return 0
    if args.command == "refresh-timestamp":
        print(f"timestamp version {repo.refresh_timestamp()} signed")
        return 0
    if args.command == "status":
        print(json.dumps(_status(repo), indent=1, sort_keys=True))
        return 0
    raise AssertionError(args.command)  # argparse only lets known commands through


#: Shortest passphrase accepted for new keys.
MIN_PASSPHRASE = 8


def read_passphrase(path: Path | None, confirm: bool = False,
                    environ: dict[str, str] | None = None,
                    interactive: bool | None = None) -> bytes:
    """The passphrase that encrypts (``init``) or unlocks the signing keys: from ``path``
    (a file only its owner can read), else ``KIOSK_ADMIN_KEY_PASSPHRASE``, else a prompt on the
    terminal (asked twice when ``confirm``). Keys are never written or used without one."""
    env = os.environ if environ is None else environ
    if path is not None:
        mode = path.stat().st_mode
        if mode & 0o077:
            raise AdminError(f"{path}: the passphrase file is readable by others "
                             f"(mode {mode & 0o777:o}); run chmod 600 {path}")
        value = path.read_text(encoding="utf-8").rstrip("\r\n")
        source = str(path)
    elif env.get(PASSPHRASE_ENV):
        value, source = env[PASSPHRASE_ENV], PASSPHRASE_ENV
    elif interactive if interactive is not None else sys.stdin.isatty():
        value = getpass.getpass("signing key passphrase: ")
        if confirm and getpass.getpass("the same passphrase again: ") != value:
            raise AdminError("the two passphrases differ; nothing was written")
        source = "the prompt"
    else:
        raise AdminError("the signing keys are encrypted and need a passphrase: run in a terminal "
                         f"to be asked, set {PASSPHRASE_ENV}, or pass --passphrase-file FILE "
                         "(docs/updates.md)")
    if confirm and len(value) < MIN_PASSPHRASE:
        raise AdminError(f"the passphrase from {source} is shorter than {MIN_PASSPHRASE} "
                         "characters; choose a longer one")
    if not value:
        raise AdminError(f"the passphrase from {source} is empty")
    return value.encode("utf-8")


def _expiry(items: list[str]) -> dict[str, timedelta]:
    expiry: dict[str, timedelta] = {}
    for item in items:
        role, _, days = item.partition("=")
        try:
            value = float(days)
        except ValueError:
            value = -1.0
        if role not in ROLES or value <= 0:
            raise AdminError(f"bad --expiry {item!r}: use ROLE=DAYS with ROLE one of "
                             f"{', '.join(ROLES)} and DAYS > 0")
        expiry[role] = timedelta(days=value)
    return expiry


def _build(args: argparse.Namespace) -> int:
    out = args.out or Path(f"flows-{args.version}.tar.gz")
    manifest = build_archive(args.flows_dir, out, args.version, args.min_app_version,
                             args.created)
    if not args.no_check:
        problems = check_archive(out)
        if problems:
            out.unlink()
            print(f"kiosk admin build: {args.flows_dir} fails the bundle check:", file=sys.stderr)
            for problem in problems:
                print(f"  - {problem}", file=sys.stderr)
            return 1
    print(f"built {out}: bundle {manifest.version}, {len(manifest.services)} services, "
          f"{manifest.digest}")
    return 0


def check_archive(archive: Path) -> list[str]:
    """Unpack ``archive`` into a temporary folder and run the bundle check (the same one the
    terminal runs, in its limited child); problems with paths inside the bundle
    (``service/flow.yaml:12: ...``), empty when the bundle passes."""
    with tempfile.TemporaryDirectory(prefix="kiosk-admin-check-") as tmp:
        folder = Path(tmp) / "bundle"
        try:
            unpack_archive(archive, folder)
        except BundleError as exc:
            return [f"{archive}: {exc}"]
        problems = bundle_check(folder)
        prefixes = (f"{folder.resolve()}/", f"{folder}/")
        relative = []
        for problem in problems:
            for prefix in prefixes:
                problem = problem.replace(prefix, "")
            relative.append(problem)
        return relative


def _status(repo: Repository) -> dict[str, object]:
    root = repo.root().signed
    targets, snapshot, timestamp = repo.current_metadata()
    return {
        "bundles": sorted(repo.bundles()),
        "channels": repo.channels(),
        "versions": {"root": root.version, "targets": targets.signed.version,
                     "snapshot": snapshot.signed.version, "timestamp": timestamp.signed.version},
        "expires": {"root": root.expires.isoformat(),
                    "targets": targets.signed.expires.isoformat(),
                    "snapshot": snapshot.signed.expires.isoformat(),
                    "timestamp": timestamp.signed.expires.isoformat()},
        "thresholds": {role: f"{root.roles[role].threshold} of {len(root.roles[role].keyids)}"
                       for role in ROLES},
    }
