"""`kiosk flows lint DIR`: check service bundles the way CI and the terminal's loader do.

Prints one ``file:line: message`` per problem and exits 1 when there is any (0 when clean,
2 on bad usage). `kiosk flows search TEXT` shows what the catalogue search finds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flows.lint import lint_dir
from flows.services import BUILTIN_ROOT, Catalogue


def main(argv: list[str]) -> int:
    """Run a flows sub-command."""
    parser = argparse.ArgumentParser(prog="kiosk flows", description="flow bundle tools")
    sub = parser.add_subparsers(dest="action", required=True)
    lint = sub.add_parser("lint", help="lint every service folder under DIR")
    lint.add_argument("dirs", nargs="+", type=Path, metavar="DIR")
    search = sub.add_parser("search", help="search the catalogue (Chinese, pinyin, initials)")
    search.add_argument("query")
    search.add_argument("--root", type=Path, default=BUILTIN_ROOT)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.action == "lint":
        problems = [p for d in args.dirs for p in lint_dir(d)]
        for problem in problems:
            print(problem)
        count = sum(1 for d in args.dirs for p in Path(d).glob("*/flow.yaml")) or len(args.dirs)
        print(f"flows lint: {len(problems)} problem(s) in {count} service(s)",
              file=sys.stderr)
        return 1 if problems else 0
    catalogue = Catalogue.load(args.root)
    for entry in catalogue.search(args.query):
        print(f"{entry.id}\t{entry.title('zh-CN')}\t{entry.title('en')}")
    return 0
