"""The fleet heartbeat: every few minutes the terminal tells the platform what it runs and how
it is (app and flow bundle versions, device and supply status, outbox depth, counts of sessions
and ratings, the last update's outcome). No personal data.

``sessions`` counts sessions since this process started; ``ratings`` counts ratings delivered
to the platform that the outbox journal still holds (30 days, docs/adr/0003), so a restart does
not reset it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk import __version__
from kiosk.logs import log_event
from kiosk.platform.errors import PlatformError
from kiosk.platform.models import DeviceReport, HeartbeatReport

log = logging.getLogger(__name__)
#: Interval between heartbeats.
HEARTBEAT_INTERVAL_SECONDS = 60.0


class Heartbeat:
    """Builds and sends one heartbeat report."""

    def __init__(self, client: Any, hub: Any, outbox: Any, lifecycle: Any,
                 bundle_version: Callable[[], str],
                 last_update: Callable[[], dict[str, Any]] = dict,
                 ratings: Callable[[], int] | None = None) -> None:
        self._client = client
        self._hub = hub
        self._outbox = outbox
        self._lifecycle = lifecycle
        self._bundle_version = bundle_version
        self._last_update = last_update
        self._ratings = ratings or (lambda: int(outbox.count("rating")))

    def report(self) -> HeartbeatReport:
        """The report as it would be sent now."""
        devices = {name: DeviceReport.from_status(status)
                   for name, status in self._hub.statuses().items()}
        return HeartbeatReport(app_version=__version__, bundle_version=self._bundle_version(),
                               devices=devices, outbox_depth=self._outbox.stats().pending,
                               sessions=self._lifecycle.sessions_started,
                               ratings=self._ratings(), last_update=self._last_update())

    def send(self) -> bool:
        """Send one heartbeat; False (logged) when the platform cannot be reached."""
        try:
            self._client.heartbeat(self.report())
        except PlatformError as exc:
            log_event(log, "heartbeat_failed", logging.WARNING, error=str(exc.kind))
            return False
        return True
