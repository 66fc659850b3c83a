"""Start the real kiosk: logging, the window, the app, then devices after the first frame.

Also sends READY=1 and WATCHDOG=1 to systemd from the UI loop itself (kiosk.watchdog), so a
hung UI stops the heartbeats and systemd restarts the kiosk.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from kiosk.logs import configure_logging, log_event
from kiosk.resources import FONT_PATH
from kiosk.settings import Settings

log = logging.getLogger(__name__)
#: How often --screenshot writes the screen.
SCREENSHOT_EVERY_SECONDS = 5.0


def launch(settings: Settings, width: int, height: int, exit_after_first_frame: bool = False,
           screenshot: Path | None = None, site_file: Path | None = None) -> int:
    """Run the kiosk until it is stopped; return the exit code."""
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
    parts = build_kiosk(settings, runner)
    watchdog = Watchdog()
    hang_probe = HangProbe.from_environ(settings.profile)

    def pet(_dt: float) -> None:
        hang_probe.check()  # test-only, inert unless armed (kiosk.watchdog.HangProbe)
        watchdog.pet()
        if parts.restart_requested.is_set() and parts.lifecycle.phase is Phase.ATTRACT:
            # housekeeping's scheduled restart, nobody in session: exit 0, systemd restarts
            log_event(log, "scheduled_restart")
            watchdog.stopping()
            app.stop()

    app: KioskApp

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

    actions = demo_actions(parts) if settings.profile == "demo" else []
    from kiosk.technician.services import TechnicianServices, default_site_file

    technician = TechnicianServices(settings, parts.hub, site_file=site_file or default_site_file(),
                                    client=parts.client)
    app = KioskApp(parts.controller, settings.site_name, demo_actions=actions,
                   on_frame=first_frame, prefs=parts.prefs, voice=parts.voice,
                   technician=technician, locked=settings.profile == "site")
    try:
        app.run()
    except Exception as exc:  # last resort: log (masked) and let systemd restart us
        log_event(log, "kiosk_crashed", logging.CRITICAL, error=type(exc).__name__)
        log.debug("crash detail", exc_info=True)
        print(f"kiosk: stopped by an internal error ({type(exc).__name__}); see the log",
              file=sys.stderr)
        return 1
    finally:
        runner.shutdown()
        parts.close()
    return 0

