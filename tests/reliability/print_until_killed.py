"""A kiosk process that dies in the middle of printing a certificate (for the restart test).

    python -m tests.reliability.print_until_killed --data-dir D --base-url URL --resident KEY

Builds the real kiosk (demo profile, printers on their simulators) against the platform at URL,
identifies the seeded resident with the platform, runs 社保缴费证明打印 up to the print screen,
makes the simulated A4 printer slow, prints ``printing`` on stdout and taps print; the test
kills the process group with SIGKILL while the printer holds the job (a power cut).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from flows.headless import intent_for
from flows.views import Intent, StepKind
from kiosk.adapters.identity import PlatformVerifier
from kiosk.boot.composition import build_kiosk
from kiosk.boot.settings import load_settings
from kiosk.core.tasks import InlineRunner
from tests.integration.conftest import Terminal

#: The printer holds the job far longer than the test needs to kill the process.
SLOW_PRINT_SECONDS = 300.0
READY_SECONDS = 60.0


def main() -> None:
    """Run until killed."""
    parser = argparse.ArgumentParser(prog="print_until_killed")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--resident", default="worker")
    args = parser.parse_args()
    env = dict(os.environ, KIOSK__PATHS__DATA_DIR=str(args.data_dir),
               KIOSK__PLATFORM__BASE_URL=args.base_url)
    for name in ("idcard", "smartcard", "camera", "scanner"):
        env[f"KIOSK__DEVICES__{name.upper()}"] = "none"
    parts = build_kiosk(load_settings(environ=env), InlineRunner())
    parts.start_devices()
    deadline = time.monotonic() + READY_SECONDS
    while not parts.hub.usable("document_printer"):
        if time.monotonic() > deadline:
            raise SystemExit("the document printer did not come up")
        time.sleep(0.05)
    parts.hub.simulator("document_printer").set_fault("slow", slow_seconds=SLOW_PRINT_SECONDS)
    session = parts.lifecycle.start("touch")
    assert session is not None
    identity = Terminal.identity(args.resident)
    session.resident = identity
    session.resident_token, session.display_name = PlatformVerifier(parts.client).verify(
        "idcard", identity)
    run = parts.catalogue.start("social-insurance-certificate", {"session": session})
    view = run.view()
    while view.kind is not StepKind.PRINT_CERTIFICATE:
        view = run.send(intent_for(view, {}, run))
    print("printing", flush=True)
    run.send(Intent("print"))  # the printer is slow: killed in here
    print("not killed", flush=True)


if __name__ == "__main__":
    main()
