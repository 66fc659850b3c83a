"""The real Kivy kiosk process for the UI crash test: started as `kiosk run` starts it, then
residents doing submit and print journeys by touches, in a loop, until the process is killed.

    python -m kiosk.harness.ui_journey_runner --data-dir D --base-url URL --catalogue C
        [--journeys N] [--seed S] [--size WxH]

The process is composed by `kiosk.boot.launcher.compose`, as `kiosk run` composes it: the window
(SDL offscreen, always: this runner has no display), `build_kiosk` with the `ThreadRunner`
(one worker thread; results hop onto the Kivy clock with `dispatch_to_ui`), the `KioskApp`
with the demo panel, voice and technician services, and the first-frame start-up (devices
opened, background loops, the start-up reconciliation queued on the worker). Instead of
`App.run()` the Kivy loop is pumped by `kiosk.harness.ui_driver.UiDriver`, the same loop body
(`EventLoop.idle`) with touches dispatched through the window as a finger's would be.

Devices: the simulated ID card reader (residents identify with their demo cards,
kiosk.adapters.demo_cards), the demo-profile simulated receipt printer and A4 printer
(ippeveprinter and
its dbus daemon, children in this process group); no smart card reader, camera or scanner.
Journeys (kiosk/harness/ui_journeys.py), chosen at random with ``--seed``: ``submit`` is the
test-only
通用申请 (kiosk/harness/reliability/flows/generic-application, always accepted by the sandbox) with
its
acceptance receipt; ``print`` is 社保缴费记录查询 then the 社保缴费证明 certificate on A4. Both end
with a 好差评 rating (a submission too) and 退出.

stdout (flushed line by line): ``ready`` once the first frame is drawn, the devices are usable
and the start-up reconciliation has finished (a marker queued on the single worker behind it),
then ``begin <n> <kind> <service>`` and ``end <n> <kind>`` around each journey, and
``tap <n> submit|print`` just before the decisive taps (提交; 打印) so kills can aim; a journey
that fails (a bounded wait timed out) prints ``fail <n> <kind> <reason>`` instead of ``end``
and the runner returns to attract. ``--first KIND`` makes the first journey a submit or a
print (the crash test aims at it right after start-up); ``--journeys 0`` only reconciles and
exits. Demo profile only; lives in kiosk/ui because it imports Kivy
(docs/adr/0001-layering.md).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flows.ports import DeviceName
from kiosk.boot.composition import BUILTIN_CATALOGUE
from kiosk.boot.settings import Settings
from kiosk.harness.reliability.journey_runner import runner_settings

#: Devices the runner does without (only the ID card reader and the two printers are used).
UNUSED_DEVICES = (DeviceName.SMARTCARD, DeviceName.CAMERA, DeviceName.SCANNER)
USED_DEVICES = (DeviceName.IDCARD, DeviceName.DOCUMENT_PRINTER, DeviceName.RECEIPT_PRINTER)
#: Bound for the devices to open and the reconciliation to finish (not a timing assertion).
READY_TIMEOUT_SECONDS = 90.0
SUBMIT_SERVICE = "generic-application"
PRINT_SERVICE = "social-insurance-payments"
DEFAULT_SIZE = "1920x1080"


def _settings(data_dir: Path, base_url: str) -> Settings:
    return runner_settings(data_dir, base_url, UNUSED_DEVICES)


def _offscreen() -> None:
    """SDL offscreen, Kivy without its own argument parsing or console log."""
    os.environ["SDL_VIDEODRIVER"] = "offscreen"
    os.environ.pop("DISPLAY", None)
    os.environ.pop("WAYLAND_DISPLAY", None)
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")


def _wait_ready(composed: Any, driver: Any) -> None:
    """Pump until the first frame's start-up ran, the start-up reconciliation (queued on the
    single worker before this marker) finished and the devices are usable."""
    driver.wait_for(composed.started.is_set, READY_TIMEOUT_SECONDS, "first frame")
    reconciled = threading.Event()
    composed.runner.submit(lambda: None, lambda _result: reconciled.set())
    driver.wait_for(reconciled.is_set, READY_TIMEOUT_SECONDS, "start-up reconciliation")
    hub = composed.parts.hub
    driver.wait_for(lambda: all(hub.usable(n) for n in USED_DEVICES), READY_TIMEOUT_SECONDS,
                    "devices ready")


def main(argv: list[str] | None = None) -> int:
    """Run journeys until killed (or N of them); return 0."""
    parser = argparse.ArgumentParser(prog="kiosk.harness.ui_journey_runner")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--base-url", default=os.environ.get("KIOSK__PLATFORM__BASE_URL", ""))
    parser.add_argument("--catalogue", type=Path, default=BUILTIN_CATALOGUE)
    parser.add_argument("--journeys", type=int, default=-1, help="-1: until killed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--first", choices=("submit", "print"),
                        help="the kind of the first journey (default: at random)")
    parser.add_argument("--size", default=DEFAULT_SIZE, help="window size WxH")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    _offscreen()
    from kiosk.boot.launcher import compose

    composed = compose(_settings(args.data_dir, args.base_url), width, height,
                    catalogue_dir=args.catalogue)
    from kiosk.harness.ui_driver import UiDriver
    from kiosk.harness.ui_journeys import apply_generic, query_and_print

    driver = UiDriver(composed.app)
    hub = composed.parts.hub
    n = 0

    def mark(tap: str) -> None:
        print(f"tap {n} {tap}", flush=True)

    journeys: dict[str, tuple[str, Callable[[], None]]] = {
        "submit": (SUBMIT_SERVICE,
                   lambda: apply_generic(driver, hub, service=SUBMIT_SERVICE, mark=mark)),
        "print": (PRINT_SERVICE, lambda: query_and_print(driver, hub, mark=mark)),
    }
    try:
        _wait_ready(composed, driver)
        print("ready", flush=True)
        rng = random.Random(args.seed)
        while args.journeys < 0 or n < args.journeys:
            kind = args.first if n == 0 and args.first else (
                "submit" if rng.random() < 0.5 else "print")
            service, journey = journeys[kind]
            print(f"begin {n} {kind} {service}", flush=True)
            try:
                journey()
            except AssertionError as exc:  # a bounded wait ran out: say so, start again
                print(f"fail {n} {kind} {str(exc).splitlines()[0]}", flush=True)
                composed.parts.controller.finish()
                driver.wait_for_screen("attract")
            else:
                print(f"end {n} {kind}", flush=True)
            n += 1
    finally:
        driver.close()
        composed.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
