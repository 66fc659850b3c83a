"""`kiosk updates status|refresh|download|activate`: the terminal's updater for technicians and
scripts (the running kiosk drives the same :class:`~kiosk.updates.terminal.BundleUpdater`).

    kiosk updates status   [--json]
    kiosk updates refresh  --repo-url URL      verify metadata, show what is offered
    kiosk updates download --repo-url URL      verify, download and stage (no switch)
    kiosk updates activate                     switch to the staged bundle NOW, then check it

``activate`` assumes no resident is in session: run it from technician mode or with the kiosk
stopped. Defaults come from the configuration (data folder, terminal id); ``--metadata-dir``
overrides where trusted TUF metadata is kept, ``--trusted-root`` the root shipped with the app.
Exit codes: 0 fine (or nothing to do), 1 refused/failed/rolled back, 2 usage or configuration.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.updates.state import CheckKind, OutcomeKind
from kiosk.updates.terminal import DEFAULT_TRUSTED_ROOT, BundleUpdater, load_trusted_root


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk updates", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("status", "refresh", "download", "activate"))
    parser.add_argument("--data-dir", type=Path, help="terminal data folder (default: config)")
    parser.add_argument("--metadata-dir", type=Path,
                        help="trusted TUF metadata folder (default DATA/updates/metadata)")
    parser.add_argument("--repo-url", default="", help="repository base URL (metadata/ and "
                        "targets/ below it)")
    parser.add_argument("--trusted-root", type=Path, default=DEFAULT_TRUSTED_ROOT,
                        help=f"root metadata shipped with the app (default {DEFAULT_TRUSTED_ROOT})")
    parser.add_argument("--terminal-id", help="this terminal's id (default: config)")
    parser.add_argument("--group", action="append", default=[], help="a group this terminal "
                        "belongs to (repeatable)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def _defaults(args: argparse.Namespace) -> str | None:
    """Fill data dir and terminal id from the configuration; return an error text or None."""
    if args.data_dir is not None and args.terminal_id:
        return None
    from kiosk.boot.settings import ConfigError, load_settings

    try:
        settings = load_settings()
    except ConfigError as exc:
        return f"configuration: {exc}"
    args.data_dir = args.data_dir or settings.data_dir
    args.terminal_id = args.terminal_id or settings.terminal_id
    return None


def main(argv: list[str]) -> int:
    """Run one updater command; return the exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    error = _defaults(args)
    if error:
        print(f"kiosk updates: {error}", file=sys.stderr)
        return 2
    trusted_root = b""
    if args.command in ("refresh", "download"):
        if not args.repo_url:
            print("kiosk updates: --repo-url is required for refresh and download",
                  file=sys.stderr)
            return 2
        try:
            trusted_root = load_trusted_root(args.trusted_root)
        except OSError as exc:
            print(f"kiosk updates: no trusted root at {args.trusted_root} ({exc.strerror}); "
                  "this build cannot verify updates (see docs/adr/0163)", file=sys.stderr)
            return 2
    updater = BundleUpdater(
        data_dir=args.data_dir, metadata_dir=args.metadata_dir, repo_url=args.repo_url,
        trusted_root=trusted_root, terminal_id=args.terminal_id, groups=args.group,
        is_idle=lambda: True)
    if args.command == "status":
        _show(updater.status(), args.json)
        return 0
    if args.command == "refresh":
        offer = updater.refresh()
        check = updater.last_check()
        _show({"check": check.to_dict(), "offer": offer.__dict__ if offer else None,
               "active": updater.status()["active"]}, args.json)
        return 0 if check.kind == CheckKind.OK else 1
    before = updater.last_outcome()
    outcome = updater.download() if args.command == "download" else updater.activate()
    check = updater.last_check()
    changed = outcome != before
    _show({"outcome": outcome.to_dict(), "changed": changed, "check": check.to_dict(),
           "active": updater.status()["active"], "staged": updater.status()["staged"]},
          args.json)
    if args.command == "download" and check.kind != CheckKind.OK:
        return 1
    if changed and outcome.kind in (OutcomeKind.REJECTED, OutcomeKind.ROLLED_BACK):
        return 1
    return 0


def _show(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(data, indent=1, sort_keys=True, default=str))
        return
    for key, value in data.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, ""))
        print(f"{key:>14}: {value}")
