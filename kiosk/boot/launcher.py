"""Start the real kiosk: logging, the window, the app, then devices after the first frame.

Also sends READY=1 and WATCHDOG=1 to systemd from the UI loop itself (kiosk.ops.watchdog), so a
hung UI stops the heartbeats and systemd restarts the kiosk.

`compose` builds the whole process (logging, the window, then the app from the composition root
`kiosk.boot.composition.compose` with its first-frame start-up) without running it; `launch` runs
it.
The UI crash test's journey runner (kiosk/harness/ui_journey_runner.py) uses `compose` too, so the
process it kills is started the same way as `kiosk run`.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.boot.composition import BUILTIN_CATALOGUE, ComposedKiosk
from kiosk.boot.first_frame import report_first_frame
from kiosk.boot.logs import configure_logging
from kiosk.boot.resources import FONT_PATH
from kiosk.core.events import log_event

if TYPE_CHECKING:  # pydantic's models: not imported to start (ADR 0816)
    from kiosk.boot.settings import Settings

__all__ = ["ComposedKiosk", "compose", "launch"]

log = logging.getLogger(__name__)
#: How often --screenshot writes the screen.
SCREENSHOT_EVERY_SECONDS = 5.0
#: At a stop, the platform call or print in flight may finish within this many seconds...
STOP_GRACE_SECONDS = 0.5
#: ...and the devices, the client and the sandbox must close within this many (2 s in all).
CLOSE_SECONDS = 0.4


def compose(settings: Settings, width: int, height: int, exit_after_first_frame: bool = False,
            screenshot: Path | None = None, site_file: Path | None = None,
            catalogue_dir: Path | None = None) -> ComposedKiosk:
    """Logging, the window, the composition (ThreadRunner) and the app; nothing runs yet.

    ``catalogue_dir`` replaces the built-in catalogue (the UI crash test's test-only flow)."""
    configure_logging(settings.data_dir / "log", settings.logging.level,
                      settings.logging.max_bytes, settings.logging.backups)
    log_event(log, "kiosk_starting", profile=settings.profile, terminal=settings.terminal_id)
    from kiosk.ui.window import prepare, register_font

    hide = settings.display.hide_cursor == "yes" or (
        settings.display.hide_cursor == "auto" and settings.profile == "site")
    prepare(width, height, hide_cursor=hide, kivy_home=settings.data_dir / "kivy-home",
            rotation=settings.display.rotation, max_fps=settings.display.max_fps)
    register_font(FONT_PATH)
    from kivy.clock import Clock

    from kiosk.boot import composition
    from kiosk.core.session import Phase
    from kiosk.ops.collector import tune_allocator
    from kiosk.ops.watchdog import HangProbe, Watchdog, pet_interval_seconds
    watchdog = Watchdog()
    hang_probe = HangProbe.from_environ(settings.profile)

    def pet(_dt: float) -> None:
        hang_probe.check()  # test-only, inert unless armed (kiosk.ops.watchdog.HangProbe)
        watchdog.pet()
        if kiosk.parts.restart_requested.is_set() and \
                kiosk.parts.lifecycle.phase is Phase.ATTRACT:
            # housekeeping's scheduled restart, nobody in session: exit 0, systemd restarts
            log_event(log, "scheduled_restart")
            watchdog.stopping()
            kiosk.app.stop()

    def first_frame() -> None:
        log_event(log, "first_frame")
        report_first_frame()  # for `kiosk bench startup`; nothing on stdout
        watchdog.ready()
        if exit_after_first_frame:
            try:  # its start-up notes, as a full run prints them
                kiosk.parts.connect_platform(wait=True)
            except Exception as exc:  # logged by the connection (platform_connect_failed)
                log_event(log, "platform_not_connected", logging.WARNING,
                          error=type(exc).__name__)
            kiosk.app.stop()
            return
        tune_allocator()  # before the devices' threads: freed memory goes back (ADR 0817)
        kiosk.start_devices()
        watchdog.pet()
        Clock.schedule_interval(pet, pet_interval_seconds())
        if screenshot is not None:
            Clock.schedule_interval(lambda _dt: kiosk.app.screenshot(screenshot),
                                    SCREENSHOT_EVERY_SECONDS)
        kiosk.started.set()

    kiosk = composition.compose(settings, catalogue_dir=catalogue_dir or BUILTIN_CATALOGUE,
                                site_file=site_file, on_frame=first_frame,
                                defer_platform=True)  # connected after the first frame
    return kiosk


def launch(settings: Settings, width: int, height: int, exit_after_first_frame: bool = False,
           screenshot: Path | None = None, site_file: Path | None = None) -> int:
    """Run the kiosk until it is stopped (SIGTERM, SIGINT, a scheduled restart); return the
    exit code. The caller ends the process with `kiosk.ui.stopping.end_process`, which does
    not wait for a call or device that would not let go (its work is journaled)."""
    from kiosk.ui.stopping import SignalStop

    stop = SignalStop()
    stop.install()  # before the window exists, so SDL leaves the signals to us
    kiosk = compose(settings, width, height, exit_after_first_frame, screenshot, site_file)

    def stop_now() -> None:
        from kiosk.ops.watchdog import Watchdog

        Watchdog().stopping()
        kiosk.parts.lifecycle.end("shutdown")  # the resident's data and files go first
        kiosk.app.stop()

    stop.watch(stop_now)
    code = 0

    def print_notes(_connection: object = None) -> None:
        for note in kiosk.parts.startup_notes():
            print(note, flush=True)

    if kiosk.parts.platform is not None:  # the sandbox's address is known once connected
        kiosk.parts.platform.when_connected(print_notes)
    else:
        print_notes()
    try:
        kiosk.app.run()
    except Exception as exc:  # last resort: log (masked) and let systemd restart us
        log_event(log, "kiosk_crashed", logging.CRITICAL, error=type(exc).__name__)
        log.debug("crash detail", exc_info=True)
        print(f"kiosk: stopped by an internal error ({type(exc).__name__}); see the log",
              file=sys.stderr)
        code = 1
    finally:
        _stop_parts(kiosk)
    return code or stop.exit_code


def _stop_parts(kiosk: ComposedKiosk) -> None:
    """Wipe any session, let the call in flight finish (bounded), close the parts (bounded),
    and log what was left running (`end_process` then lets the process go regardless)."""
    try:
        kiosk.parts.lifecycle.end("shutdown")
    except Exception as exc:  # the wipe's UI hooks after the loop: never block the stop
        log_event(log, "stop_wipe_failed", logging.WARNING, error=type(exc).__name__)
    drain = getattr(kiosk.runner, "drain", None)  # the ThreadRunner of `kiosk run`
    finished = drain(STOP_GRACE_SECONDS) if callable(drain) else True
    closer = threading.Thread(target=kiosk.parts.close, name="kiosk-close", daemon=True)
    closer.start()
    closer.join(CLOSE_SECONDS)
    closed = not closer.is_alive()
    lingering = [t.name for t in threading.enumerate()
                 if t is not threading.main_thread() and not t.daemon and t.is_alive()
                 and not t.name.startswith("kiosk-work")]
    log_event(log, "kiosk_stopped", in_flight_finished=finished, closed=closed,
              lingering=",".join(lingering))
