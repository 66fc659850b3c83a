"""A real kiosk process for the console tests, composed as `kiosk run` composes it, steered
through stdin (docs/adr/0703).

    python -m kiosk.harness.console_kiosk_runner [--size WxH]

Settings come from the configuration and the environment exactly as for `kiosk run` (the test
sets ``KIOSK__CONSOLE__URL``, the data folder, the terminal id...). The window is SDL
offscreen; `kiosk.boot.launcher.compose` builds the app, the `ThreadRunner` and the first-frame
start-up (devices, background loops, the console link); instead of `App.run()` the Kivy loop
is pumped by `kiosk.harness.ui_driver.UiDriver` (the same loop body). The simulated devices are
the demo profile's.

stdin, one command a line (answers on stdout, flushed):
  ``paper out`` / ``paper ok``  the simulated receipt printer's paper (the demo panel's buttons)
  ``screen``                    answers ``screen <name>`` (attract, out_of_service, ...)
  ``shot PATH``                 a screenshot of the whole UI; answers ``shot PATH``
  ``quit``                      a clean stop, as on SIGTERM (the console link sends "stopped")
``ready`` is printed once the first frame's start-up ran and the devices are usable. SIGTERM
stops it the same way as ``quit``. Demo profile only (simulators).
"""

from __future__ import annotations

import argparse
import os
import queue
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from flows.ports import DeviceName

#: Bound for the first frame and the devices (not a timing assertion).
READY_TIMEOUT_SECONDS = 90.0
USED_DEVICES = (DeviceName.RECEIPT_PRINTER,)


def _offscreen() -> None:
    os.environ["SDL_VIDEODRIVER"] = "offscreen"
    os.environ.pop("DISPLAY", None)
    os.environ.pop("WAYLAND_DISPLAY", None)
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")


def _read_stdin(commands: queue.Queue[str]) -> None:
    for line in sys.stdin:
        commands.put(line.strip())
    commands.put("quit")  # stdin closed: the test is gone


def _paper(composed: Any, state: str) -> str:
    simulator = composed.parts.hub.simulator(DeviceName.RECEIPT_PRINTER)
    if simulator is None:
        return "error receipt printer is not simulated"
    simulator.set_paper(state)
    return f"paper {state}"


def main(argv: list[str] | None = None) -> int:
    """Run the kiosk until ``quit``, SIGTERM or the end of stdin; return 0."""
    parser = argparse.ArgumentParser(prog="kiosk.harness.console_kiosk_runner")
    parser.add_argument("--size", default="1280x720", help="window size WxH")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    _offscreen()
    from kiosk.boot.launcher import compose
    from kiosk.boot.settings import load_settings

    settings = load_settings()
    composed = compose(settings, width, height)
    from kiosk.harness.ui_driver import UiDriver

    driver = UiDriver(composed.app)
    commands: queue.Queue[str] = queue.Queue()
    signal.signal(signal.SIGTERM, lambda *_: commands.put("quit"))
    threading.Thread(target=_read_stdin, args=(commands,), name="runner-stdin",
                     daemon=True).start()
    hub = composed.parts.hub
    try:
        driver.wait_for(composed.started.is_set, READY_TIMEOUT_SECONDS, "first frame")
        driver.wait_for(lambda: all(hub.usable(n) for n in USED_DEVICES),
                        READY_TIMEOUT_SECONDS, "devices ready")
        print("ready", flush=True)
        while True:
            driver.pump()
            try:
                command = commands.get(timeout=0.02)
            except queue.Empty:
                continue
            if command == "quit":
                break
            if command in ("paper out", "paper ok"):
                print(_paper(composed, command.split()[1]), flush=True)
            elif command == "screen":
                print(f"screen {composed.app.manager.current}", flush=True)
            elif command.startswith("shot "):
                path = Path(command[5:].strip())
                driver.screenshot(path)
                print(f"shot {path}", flush=True)
            elif command:
                print(f"error unknown command {command[:40]!r}", flush=True)
    finally:
        composed.parts.lifecycle.end("shutdown")
        driver.close()
        composed.close()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
