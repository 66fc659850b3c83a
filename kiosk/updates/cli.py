"""`kiosk updates status|refresh|download|activate`: the terminal's updater for technicians and
scripts (the running kiosk drives the same :class:`~kiosk.updates.terminal.BundleUpdater`).

    kiosk updates status   [--json]
    kiosk updates refresh                      verify metadata, show what is offered
    kiosk updates download                     verify, download and stage (no switch)
    kiosk updates activate                     switch to the staged bundle NOW, then check it

Everything comes from the terminal's configuration, as the running kiosk reads it: the data
folder, the terminal id, and ``[updates] repo_url``, ``groups`` and ``trusted_root`` of the site
file (``--site``, else ``KIOSK_SITE_FILE``, else config/site.toml). The options override them for
a test against another repository; ``status`` then says that the kiosk itself would not agree.
A terminal without ``[updates] repo_url`` ignores bundles: ``status`` and ``activate`` say so.

``activate`` assumes no resident is in session: run it from technician mode or with the kiosk
stopped. Exit codes: 0 fine (or nothing to do), 1 refused/failed/rolled back, 2 usage or
configuration (updates off included, for ``refresh``, ``download`` and ``activate``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.updates import plain
from kiosk.updates.state import CheckKind, OutcomeKind, load_state
from kiosk.updates.terminal import BundleUpdater, load_trusted_root


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk updates", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("status", "refresh", "download", "activate"))
    parser.add_argument("--site", type=Path, help="site file (default: KIOSK_SITE_FILE, else "
                        "config/site.toml)")
    parser.add_argument("--data-dir", type=Path, help="terminal data folder (default: config)")
    parser.add_argument("--metadata-dir", type=Path,
                        help="trusted TUF metadata folder (default DATA/updates/metadata)")
    parser.add_argument("--repo-url", default=None, help="repository base URL (default: the "
                        "site file's [updates] repo_url)")
    parser.add_argument("--trusted-root", type=Path, default=None,
                        help="root metadata shipped with the app (default: [updates] "
                        "trusted_root)")
    parser.add_argument("--terminal-id", help="this terminal's id (default: config)")
    parser.add_argument("--group", action="append", default=None, help="a group this terminal "
                        "belongs to (repeatable; default: the site file's [updates] groups)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def _defaults(args: argparse.Namespace) -> str | None:
    """Fill what was not given from the configuration; return an error text or None.

    Sets ``args.kiosk_differs`` to the settings the running kiosk uses where the options
    differ from them (empty when they agree)."""
    from kiosk.boot.settings import ConfigError, load_settings

    args.kiosk_differs = {}
    try:
        settings = load_settings(site_file=args.site)
    except ConfigError as exc:
        if args.data_dir is not None and args.terminal_id and args.repo_url is not None \
                and args.trusted_root is not None:
            return None  # everything given: a bare tool run without a configuration
        return f"configuration: {exc}"
    configured = settings.updates
    kiosk_values = {"repo_url": configured.repo_url, "groups": list(configured.groups),
                    "trusted_root": str(plain.trusted_root_path(configured.trusted_root))}
    args.data_dir = args.data_dir or settings.data_dir
    args.terminal_id = args.terminal_id or settings.terminal_id
    if args.repo_url is None:
        args.repo_url = configured.repo_url
    if args.group is None:
        args.group = list(configured.groups)
    if args.trusted_root is None:
        args.trusted_root = plain.trusted_root_path(configured.trusted_root)
    used = {"repo_url": args.repo_url, "groups": list(args.group),
            "trusted_root": str(args.trusted_root)}
    args.kiosk_differs = {k: v for k, v in kiosk_values.items() if used[k] != v}
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
    args.group = args.group or []
    args.repo_url = args.repo_url or ""
    off = plain.updates_off_reason(args.repo_url, args.trusted_root)
    if args.kiosk_differs:
        print("kiosk updates: these options differ from the site file, so the running kiosk "
              "does not use them: " + ", ".join(f"{k} (the kiosk uses {v!r})"
                                                for k, v in args.kiosk_differs.items()),
              file=sys.stderr)
    if args.command == "status":
        _show(_status(args, off), args.json)
        return 0
    if off:
        state = load_state(Path(args.data_dir) / "updates" / "state.json")
        print(f"kiosk updates {args.command}: this terminal runs {plain.runs(state, off)}. "
              "Set [updates] repo_url in the site file (and ship a trusted root) to follow "
              "bundles", file=sys.stderr)
        return 2
    try:
        trusted_root = load_trusted_root(args.trusted_root)
    except OSError as exc:
        print(f"kiosk updates: the trusted root {args.trusted_root} cannot be read "
              f"({exc.strerror}); this build cannot verify updates (see docs/adr/0163)",
              file=sys.stderr)
        return 2
    updater = _updater(args, trusted_root)
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
    state = load_state(updater.state_path)
    _show({"outcome": outcome.to_dict(), "changed": changed, "check": check.to_dict(),
           "active": updater.status()["active"], "staged": updater.status()["staged"],
           "runs": plain.runs(state), "last_update": plain.outcome_words(state)},
          args.json)
    if args.command == "download" and check.kind != CheckKind.OK:
        return 1
    if changed and outcome.kind in (OutcomeKind.REJECTED, OutcomeKind.ROLLED_BACK):
        return 1
    return 0


def _updater(args: argparse.Namespace, trusted_root: bytes) -> BundleUpdater:
    return BundleUpdater(
        data_dir=args.data_dir, metadata_dir=args.metadata_dir, repo_url=args.repo_url,
        trusted_root=trusted_root, terminal_id=args.terminal_id, groups=args.group,
        is_idle=lambda: True)


def _status(args: argparse.Namespace, off: str) -> dict[str, Any]:
    """The updater's status, headed by what the kiosk runs and why, in words."""
    state = load_state(Path(args.data_dir) / "updates" / "state.json")
    words = {"runs": plain.runs(state, off), "last_update": plain.outcome_words(state),
             "last_check_words": plain.check_words(state), "updates_on": not off}
    if off:
        return {**words, "repo_url": args.repo_url, "terminal_id": args.terminal_id,
                "groups": list(args.group), "data_dir": str(args.data_dir)}
    updater = _updater(args, b"")  # reading the state needs no root
    return {**words, **updater.status()}


def _show(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(data, indent=1, sort_keys=True, default=str))
        return
    for key, value in data.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, ""))
        print(f"{key:>14}: {value}")
