"""Start the real kiosk: logging, the window, the app, then devices after the first frame.

Also sends READY=1 and WATCHDOG=1 to systemd from the UI loop itself (kiosk.watchdog), so a
hung UI stops the heartbeats and systemd restarts the kiosk.

`compose` builds the whole process (window, composition with the ThreadRunner, the app with
its first-frame start-up) without running it; `launch` runs it. The UI crash test's journey
runner (kiosk/ui/journey_runner.py) uses `compose` too, so the process it kills is started
the same way as `kiosk run`.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.logs import configure_logging, log_event
from kiosk.resources import FONT_PATH
from kiosk.settings import Settings

if TYPE_CHECKING:
    from kiosk.composition import KioskParts
    from kiosk.tasks import ThreadRunner
    from kiosk.ui.app import KioskApp

log = logging.getLogger(__name__)
#: How often --screenshot writes the screen.
SCREENSHOT_EVERY_SECONDS = 5.0


@dataclass
class ComposedKiosk:
    """The kiosk process, built but not running: its parts, the worker runner and the app.

    ``started`` is set once the first frame has been drawn and the devices opened (the start-up
    reconciliation is then queued on ``runner``)."""

    parts: KioskParts
    runner: ThreadRunner
    app: KioskApp
    started: threading.Event = field(default_factory=threading.Event)


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
    prepare(width, height, hide_cursor=hide)
    register_font(FONT_PATH)
    from kivy.clock import Clock

    from kiosk.composition import build_kiosk
    from kiosk.demo import demo_actions
    from kiosk.session import Phase
    from kiosk.tasks import ThreadRunner
    from kiosk.ui.app import KioskApp, dispatch_to_ui
    from kiosk.watchdog import HangProbe, Watchdog, pet_interval_seconds

    runner = ThreadRunner(dispatch_to_ui)
    options = {} if catalogue_dir is None else {"catalogue_dir": catalogue_dir}
    parts = build_kiosk(settings, runner, **options)
    watchdog = Watchdog()
    hang_probe = HangProbe.from_environ(settings.profile)
    started = threading.Event()

    def pet(_dt: float) -> None:
        hang_probe.check()  # test-only, inert unless armed (kiosk.watchdog.HangProbe)
        watchdog.pet()
        if parts.restart_requested.is_set() and parts.lifecycle.phase is Phase.ATTRACT:
            # housekeeping's scheduled restart, nobody in session: exit 0, systemd restarts
            log_event(log, "scheduled_restart")
            watchdog.stopping()
            app.stop()

    def first_frame() -> None:
        print(f"first-frame {time.time():.6f}", flush=True)
        watchdog.ready()
        if exit_after_first_frame:
            app.stop()
            return
        parts.start_devices()
        watchdog.pet()
        Clock.schedule_interval(pet, pet_interval_seconds())
        if screenshot is not None:
            Clock.schedule_interval(lambda _dt: app.screenshot(screenshot),
                                    SCREENSHOT_EVERY_SECONDS)
        started.set()

    actions = demo_actions(parts) if settings.profile == "demo" else []
    from kiosk.technician.services import TechnicianServices, default_site_file

    technician = TechnicianServices(settings, parts.hub, site_file=site_file or default_site_file(),
                                    client=parts.client)
    app = KioskApp(parts.controller, settings.site_name, demo_actions=actions,
                   on_frame=first_frame, prefs=parts.prefs, voice=parts.voice,
                   technician=technician, locked=settings.profile == "site")
    return ComposedKiosk(parts, runner, app, started)


def launch(settings: Settings, width: int, height: int, exit_after_first_frame: bool = False,
           screenshot: Path | None = None, site_file: Path | None = None) -> int:
    """Run the kiosk until it is stopped; return the exit code."""
    kiosk = compose(settings, width, height, exit_after_first_frame, screenshot, site_file)
    try:
        kiosk.app.run()
    except Exception as exc:  # last resort: log (masked) and let systemd restart us
        log_event(log, "kiosk_crashed", logging.CRITICAL, error=type(exc).__name__)
        log.debug("crash detail", exc_info=True)
        print(f"kiosk: stopped by an internal error ({type(exc).__name__}); see the log",
              file=sys.stderr)
        return 1
    finally:
        kiosk.runner.shutdown()
        kiosk.parts.close()
    return 0
