"""A headless kiosk process for the crash test: build the real kiosk against a platform URL,
reconcile at start-up (as every start does), then run submit and print journeys in a loop.

    python -m kiosk.reliability.journey_runner --data-dir D --base-url URL [--catalogue C]
        [--journeys N] [--seed S]

stdout (flushed line by line, for the test that kills this process at random instants):
``ready`` once the devices are open and the start-up reconciliation is done, then
``begin <n> <kind> <service>`` and ``end <n> <kind>`` around each journey. ``--journeys 0``
only reconciles and exits. Demo profile only (simulated printers, no camera or card readers).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path
from typing import Any

from kiosk.composition import BUILTIN_CATALOGUE, build_kiosk
from kiosk.logs import configure_logging
from kiosk.reliability.journeys import Journey, run_journey
from kiosk.settings import load_settings
from kiosk.tasks import InlineRunner

#: Devices the runner does without (identification is done with the platform directly).
UNUSED_DEVICES = ("idcard", "smartcard", "camera", "scanner")
SUBMIT = Journey("generic-application", "worker", "submit")
PRINT = Journey("social-insurance-certificate", "worker", "print")


def runner_settings(data_dir: Path, base_url: str,
                    unused_devices: tuple[str, ...] = UNUSED_DEVICES) -> Any:
    """Demo-profile settings for a journey runner: its own data dir, the platform at
    ``base_url`` (embedded when empty), ``unused_devices`` switched off."""
    env = dict(os.environ)
    env["KIOSK__PATHS__DATA_DIR"] = str(data_dir)
    env["KIOSK__PROFILE"] = "demo"
    if base_url:
        env["KIOSK__PLATFORM__BASE_URL"] = base_url
    for name in unused_devices:
        env[f"KIOSK__DEVICES__{name.upper()}"] = "none"
    return load_settings(environ=env)


def main(argv: list[str] | None = None) -> int:
    """Run the loop until killed (or N journeys); return 0."""
    parser = argparse.ArgumentParser(prog="journey_runner")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--base-url", default=os.environ.get("KIOSK__PLATFORM__BASE_URL", ""))
    parser.add_argument("--catalogue", type=Path, default=BUILTIN_CATALOGUE)
    parser.add_argument("--journeys", type=int, default=-1, help="-1: until killed")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    settings = runner_settings(args.data_dir, args.base_url)
    configure_logging(args.data_dir / "log", "INFO")
    parts = build_kiosk(settings, InlineRunner(), catalogue_dir=args.catalogue)
    try:
        parts.start_devices()  # opens the printers and reconciles (inline runner: at once)
        print("ready", flush=True)
        rng = random.Random(args.seed)
        n = 0
        while args.journeys < 0 or n < args.journeys:
            journey = SUBMIT if rng.random() < 0.5 else PRINT
            print(f"begin {n} {journey.kind} {journey.service}", flush=True)
            run_journey(parts, journey, args.catalogue)
            print(f"end {n} {journey.kind}", flush=True)
            n += 1
    finally:
        parts.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
