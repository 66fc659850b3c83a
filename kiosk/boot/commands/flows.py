"""`kiosk flows lint|smoke|search`: check service bundles the way CI and the terminal do.

``lint DIR...`` prints one ``file:line: message`` per problem (schema, references, strings in
every language, expressions, templates rendered against fixtures, devices) and then smoke-runs
each service that linted clean (headless, over its fixtures, to the end); exit 1 on any
problem, 0 when clean, 2 on bad usage. ``smoke DIR...`` runs only the smoke run. ``search TEXT``
shows what the catalogue search finds.

Lint and smoke run in a child process under CPU-time, memory and wall-clock limits
(kiosk.updates.childcheck, the same child the terminal and the console use for a bundle): a
hostile folder is stopped with a plain reason and exit 1, and the machine running the command
keeps its memory (``--cpu-seconds``, ``--memory-mb``, ``--wall-seconds`` change the limits).

`smoke_run` and `flows.lint.lint_bundle` are the `BundleCheck`s the updater plugs in
(kiosk/updates/checks.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flows.services import BUILTIN_ROOT, Catalogue
from flows.smoke import smoke_run
from kiosk.updates.childcheck import CheckLimits, isolated_flows

__all__ = ["main", "smoke_run"]

#: Limits of the command line's lint child: room for a catalogue of hundreds of services (the
#: 23-service catalogue lints and smoke-runs in about 0.4 s of CPU and 30 MB).
LINT_CPU_SECONDS = 60
LINT_MEMORY_MB = 1024
LINT_WALL_SECONDS = 120.0


def _limits(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cpu-seconds", type=int, default=LINT_CPU_SECONDS,
                        help=f"CPU time the check may use (default {LINT_CPU_SECONDS})")
    parser.add_argument("--memory-mb", type=int, default=LINT_MEMORY_MB,
                        help=f"memory the check may use (default {LINT_MEMORY_MB})")
    parser.add_argument("--wall-seconds", type=float, default=LINT_WALL_SECONDS,
                        help=f"time the check may take (default {LINT_WALL_SECONDS:g})")


def main(argv: list[str]) -> int:
    """Run a flows sub-command."""
    parser = argparse.ArgumentParser(prog="kiosk flows", description="flow bundle tools")
    sub = parser.add_subparsers(dest="action", required=True)
    lint = sub.add_parser("lint", help="lint (and smoke-run) every service folder under DIR")
    lint.add_argument("dirs", nargs="+", type=Path, metavar="DIR")
    lint.add_argument("--no-smoke", action="store_true", help="skip the headless smoke run")
    _limits(lint)
    smoke = sub.add_parser("smoke", help="run every service under DIR over its fixtures")
    smoke.add_argument("dirs", nargs="+", type=Path, metavar="DIR")
    _limits(smoke)
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
    if min(args.cpu_seconds, args.memory_mb) < 1 or not 0 < args.wall_seconds < float("inf"):
        print(f"kiosk flows {args.action}: --cpu-seconds, --memory-mb and --wall-seconds must "
              "be positive numbers", file=sys.stderr)
        return 2
    limits = CheckLimits(cpu_seconds=args.cpu_seconds,
                         memory_bytes=args.memory_mb * 1024 * 1024,
                         wall_seconds=args.wall_seconds)
    outcome = isolated_flows(args.dirs, args.action, smoke=not getattr(args, "no_smoke", False),
                             limits=limits)
    if not outcome.finished:
        folders = " ".join(str(d) for d in args.dirs)
        print(f"{folders}: refused: {outcome.problems[0]}")
        print(f"flows {args.action}: stopped, nothing checked is trusted", file=sys.stderr)
        return 1
    for line in outcome.problems:
        print(line)
    print(f"flows {args.action}: {len(outcome.problems)} problem(s) in {outcome.services} "
          "service(s)", file=sys.stderr)
    return 1 if outcome.problems else 0
