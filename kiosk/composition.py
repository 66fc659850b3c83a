"""The composition root below the UI: builds every part of a terminal from its settings.

`build_kiosk` wires the session lifecycle, the platform client (or the embedded sandbox in the
demo profile), the device hub, the outbox, printing, the catalogue and the controller, without
Kivy, so the same terminal runs under the real UI, the screenshot tour, the tests and the soak
benchmark. Devices are opened by `start_devices`, after the first frame.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk import REPO_ROOT
from kiosk.catalogue import KioskCatalogue
from kiosk.controller import KioskController
from kiosk.devices import DeviceHub
from kiosk.identity import PlatformVerifier
from kiosk.logs import log_event
from kiosk.outbox import Outbox
from kiosk.platform.client import PlatformClient
from kiosk.print_service import PrintService
from kiosk.session import SessionData, SessionLifecycle, SessionTiming
from kiosk.session_ports import KioskSessionPorts
from kiosk.settings import ConfigError, Settings
from kiosk.tasks import TaskRunner

log = logging.getLogger(__name__)

BUILTIN_CATALOGUE = REPO_ROOT / "flows" / "catalogue"
#: How often the outbox retries pending submissions (the network may be back).
OUTBOX_INTERVAL_SECONDS = 30.0
#: How often devices that failed to open are tried again.
DEVICE_RETRY_INTERVAL_SECONDS = 15.0


@dataclass
class KioskParts:
    """Every long-lived part of one terminal."""

    settings: Settings
    lifecycle: SessionLifecycle
    hub: DeviceHub
    client: PlatformClient
    outbox: Outbox
    printing: PrintService
    catalogue: KioskCatalogue
    controller: KioskController
    runner: TaskRunner
    sandbox: Any = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start_devices(self) -> None:
        """Open the devices and start the background loops (outbox, device retry)."""
        self.hub.start(self.controller.on_device_event)
        self.runner.call_soon(self.controller.refresh_availability)
        self._every(OUTBOX_INTERVAL_SECONDS, self.outbox.deliver_pending, "outbox")
        self._every(DEVICE_RETRY_INTERVAL_SECONDS, self.hub.retry_missing, "device-retry")

    def _every(self, seconds: float, fn: Callable[[], object], name: str) -> None:
        def loop() -> None:
            while not self._stop.wait(seconds):
                try:
                    fn()
                except Exception as exc:  # a background loop must survive anything
                    log_event(log, "background_failed", logging.WARNING, loop=name,
                              error=type(exc).__name__)
        thread = threading.Thread(target=loop, name=f"kiosk-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def close(self) -> None:
        """Stop everything (devices, loops, the sandbox)."""
        self._stop.set()
        self.hub.stop()
        self.client.close()
        if self.sandbox is not None:
            self.sandbox.stop()


def build_kiosk(settings: Settings, runner: TaskRunner,
                clock: Callable[[], float] = time.monotonic,
                catalogue_dir: Path = BUILTIN_CATALOGUE,
                device_options: dict[str, dict[str, Any]] | None = None) -> KioskParts:
    """Build a terminal (devices not yet opened); the demo profile starts the sandbox."""
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    sandbox = None
    base_url = settings.platform.base_url
    if not base_url:
        if settings.profile != "demo":
            raise ConfigError("platform.base_url: required in the site profile")
        from kiosk.sandbox.server import start_sandbox

        sandbox = start_sandbox(data_dir / "sandbox.sqlite3")
        base_url = sandbox.url
    client = PlatformClient.from_settings(settings.platform, settings.terminal_id, base_url)
    timing = SessionTiming(settings.session.idle_timeout_seconds,
                           settings.session.still_there_countdown_seconds,
                           settings.session.hard_cap_seconds)
    lifecycle = SessionLifecycle(timing, clock, data_dir / "sessions")
    hub = DeviceHub(settings.devices.model_dump(), runner.call_soon, device_options)
    outbox = Outbox(data_dir / "outbox.sqlite3", client)
    printing = PrintService(hub, data_dir, demo=settings.profile == "demo")

    def ports_for(session: SessionData) -> KioskSessionPorts:
        return KioskSessionPorts(session, client, hub.usable, printing, outbox,
                                 device_reason=lambda name: hub.status(name).reason)

    catalogue = KioskCatalogue.load(catalogue_dir, ports_for)
    controller = KioskController(lifecycle, catalogue, PlatformVerifier(client), runner,
                                 hub.status)
    return KioskParts(settings, lifecycle, hub, client, outbox, printing, catalogue, controller,
                      runner, sandbox)
