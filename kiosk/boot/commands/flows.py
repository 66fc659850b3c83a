"""`kiosk flows lint|smoke|search`: check service bundles the way CI and the terminal do.

``lint DIR...`` prints one ``file:line: message`` per problem (schema, references, strings in
every language, expressions, templates rendered against fixtures, devices) and then smoke-runs
each service that linted clean (headless, over its fixtures, to the end); exit 1 on any
problem, 0 when clean, 2 on bad usage. ``smoke DIR...`` runs only the smoke run. ``search TEXT``
shows what the catalogue search finds.

`smoke_run` and `flows.lint.lint_bundle` are the `BundleCheck`s the updater plugs in
(kiosk/updates/checks.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flows.definition import FLOW_FILE
from flows.lint import lint_dir
from flows.services import BUILTIN_ROOT, Catalogue
from flows.smoke import smoke_run, smoke_service

__all__ = ["main", "smoke_run"]


def _folders(root: Path) -> list[Path]:
    if (root / FLOW_FILE).exists():
        return [root]
    return sorted(p for p in root.iterdir() if (p / FLOW_FILE).exists()) if root.is_dir() else []


def main(argv: list[str]) -> int:
    """Run a flows sub-command."""
    parser = argparse.ArgumentParser(prog="kiosk flows", description="flow bundle tools")
    sub = parser.add_subparsers(dest="action", required=True)
    lint = sub.add_parser("lint", help="lint (and smoke-run) every service folder under DIR")
    lint.add_argument("dirs", nargs="+", type=Path, metavar="DIR")
    lint.add_argument("--no-smoke", action="store_true", help="skip the headless smoke run")
    smoke = sub.add_parser("smoke", help="run every service under DIR over its fixtures")
    smoke.add_argument("dirs", nargs="+", type=Path, metavar="DIR")
    search = sub.add_parser("search", help="search the catalogue (Chinese, pinyin, initials)")
    search.add_argument("query")
    search.add_argument("--root", type=Path, default=BUILTIN_ROOT)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.action == "search":
        catalogue = Catalogue.load(args.root)
        for entry in catalogue.search(args.query):
            print(f"{entry.id}\t{entry.title('zh-CN')}\t{entry.title('en')}")
        return 0
    problems: list[str] = []
    services = 0
    for root in args.dirs:
        folders = _folders(root)
        services += len(folders)
        linted = [str(p) for p in lint_dir(root)] if args.action == "lint" else []
        problems.extend(linted)
        if args.action == "smoke" or not args.no_smoke:
            bad = {line.split(":", 1)[0] for line in linted}
            for folder in folders:
                if str(folder / FLOW_FILE) not in bad:
                    problems.extend(str(p) for p in smoke_service(folder))
    for line in problems:
        print(line)
    print(f"flows {args.action}: {len(problems)} problem(s) in {services} service(s)",
          file=sys.stderr)
    return 1 if problems else 0
