"""`kiosk config check|show`: validate and print the effective configuration."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk.settings import ConfigError, load_settings


def main(argv: list[str]) -> int:
    """Validate the configuration; print it with `show`. Exit 2 on a configuration error."""
    parser = argparse.ArgumentParser(prog="kiosk config")
    parser.add_argument("action", choices=["check", "show"])
    parser.add_argument("--site", type=Path, help="site file (default: config/site.toml)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(site_file=args.site)
    except ConfigError as exc:
        print(f"kiosk: configuration error:\n{exc}", file=sys.stderr)
        return 2
    if args.action == "show":
        print(json.dumps(settings.model_dump(), ensure_ascii=False, indent=2))
    else:
        print(f"configuration ok (profile {settings.profile}, terminal {settings.terminal_id})")
    return 0
