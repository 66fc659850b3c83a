"""The `kiosk` command line.

Each sub-command lives in its own module exposing ``main(argv: list[str]) -> int``; this
module only dispatches, so importing it is cheap and a missing piece gives a plain message.
"""

from __future__ import annotations

import importlib
import sys

from kiosk import __version__

#: sub-command -> (module, one-line help). Modules are imported only when used.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("kiosk.commands.run", "start the kiosk full screen"),
    "tour": ("kiosk.ui.tour", "drive the journeys headless and write one PNG per screen"),
    "sandbox": ("kiosk.sandbox.cli", "run the sandbox service platform on its own"),
    "doctor": ("kiosk.doctor", "check devices and services; non-zero exit when something is down"),
    "bench": ("kiosk.bench", "run a benchmark and print its figures"),
    "flows": ("kiosk.commands.flows", "flow bundle tools (lint)"),
    "verify-certificate": ("kiosk.certificates.verify", "check a printed certificate's QR code"),
    "admin": ("kiosk.updates.admin", "central admin: build, sign and publish flow bundles"),
    "updates": ("kiosk.updates.cli", "terminal side of flow updates"),
    "config": ("kiosk.commands.config", "show or check the effective configuration"),
    "technician": ("kiosk.technician.cli", "set the technician PIN and cards"),
}

USAGE = "usage: kiosk [--version] <command> [options]\n\ncommands:\n" + "\n".join(
    f"  {name:<20} {help_text}" for name, (_, help_text) in COMMANDS.items()
) + "\n\n`kiosk <command> --help` explains each command."


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a sub-command and return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if args else 2
    if args[0] == "--version":
        print(f"kiosk {__version__}")
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"kiosk: unknown command {name!r}\n\n{USAGE}", file=sys.stderr)
        return 2
    module_name, _ = COMMANDS[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            print(f"kiosk: the {name!r} command is not available in this build", file=sys.stderr)
            return 2
        raise
    try:
        return int(module.main(rest) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
