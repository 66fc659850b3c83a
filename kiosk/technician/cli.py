"""`kiosk technician`: set the technician PIN, add a technician card, show the lockout state.

    kiosk technician set-pin            (asks twice, hidden; at least 6 digits)
    kiosk technician add-card NUMBER    (a technician's social security card number)
    kiosk technician status
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from kiosk.boot.settings import ConfigError, load_settings
from kiosk.technician.pin import PinError, PinOutcome, pin_store_for


def main(argv: list[str]) -> int:
    """Run one technician set-up command."""
    parser = argparse.ArgumentParser(prog="kiosk technician",
                                     description="technician PIN and cards")
    parser.add_argument("--site", type=Path, help="site file (default: config/site.toml)")
    sub = parser.add_subparsers(dest="command", required=True)
    set_pin = sub.add_parser("set-pin", help="set or replace the technician PIN")
    set_pin.add_argument("--pin-stdin", action="store_true",
                         help="read the PIN from the first line of stdin (provisioning)")
    add_card = sub.add_parser("add-card", help="accept a technician card")
    add_card.add_argument("number")
    sub.add_parser("status", help="is a PIN set, is entry locked")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(site_file=args.site)
    except ConfigError as exc:
        print(f"kiosk: configuration error:\n{exc}", file=sys.stderr)
        return 2
    store = pin_store_for(settings.data_dir, profile=settings.profile)
    try:
        if args.command == "set-pin":
            if args.pin_stdin:
                pin = sys.stdin.readline().strip()
            else:
                pin = getpass.getpass("new technician PIN: ")
                if getpass.getpass("again: ") != pin:
                    print("the two PINs differ; nothing changed", file=sys.stderr)
                    return 1
            store.set_pin(pin)
            print(f"technician PIN set in {store.path}")
        elif args.command == "add-card":
            store.add_card(args.number)
            print("technician card added")
        else:
            state = store.state()
            if state.outcome is PinOutcome.NOT_SET:
                print("no technician PIN set")
            elif state.outcome is PinOutcome.LOCKED:
                print(f"PIN set; entry locked for {state.wait_seconds:.0f} s")
            else:
                print(f"PIN set; {state.attempts_left} attempts before a lockout")
    except PinError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    return 0
