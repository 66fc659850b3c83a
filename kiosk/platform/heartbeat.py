"""The fleet heartbeat: the terminal tells the platform what it runs and how it is.

`TerminalReport` collects a `WireHeartbeatReport` from the terminal's parts: app and flow bundle
versions, device and supply status, outbox depth, counts of sessions and ratings, the last
update's outcome. No personal data. ``sessions`` counts sessions since this process started;
``ratings`` counts ratings delivered to the platform that the outbox journal still holds
(30 days, docs/adr/0003), so a restart does not reset it.

`Heartbeat.send` posts one report; the composition root calls it every
`HEARTBEAT_INTERVAL_SECONDS` on its scheduler. A failed heartbeat is logged and tried again
next time (heartbeats are not retried: the next one follows anyway); it never raises into the
app, not even when collecting the report fails.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from kiosk import __version__
from kiosk.core.events import log_event
from kiosk.platform.errors import PlatformError
from kiosk.platform.models import WireDeviceReport, WireHeartbeatAck, WireHeartbeatReport

LOG = logging.getLogger("kiosk.platform.heartbeat")
#: Interval between heartbeats (the fleet view calls a terminal stale after 3 missed).
HEARTBEAT_INTERVAL_SECONDS = 60.0


class HeartbeatClient(Protocol):
    """The part of the platform client a heartbeat needs."""

    def heartbeat(self, report: WireHeartbeatReport, *, terminal_id: str = "") -> WireHeartbeatAck:
        """Post one report."""
        ...


class TerminalReport:
    """Collects the terminal's heartbeat report from its parts (call it for the report)."""

    def __init__(self, hub: Any, outbox: Any, lifecycle: Any,
                 bundle_version: Callable[[], str],
                 last_update: Callable[[], dict[str, Any]] = dict,
                 ratings: Callable[[], int] | None = None) -> None:
        self._hub = hub
        self._outbox = outbox
        self._lifecycle = lifecycle
        self._bundle_version = bundle_version
        self._last_update = last_update
        self._ratings = ratings or (lambda: int(outbox.count("rating")))

    def __call__(self) -> WireHeartbeatReport:
        devices = {name: WireDeviceReport.from_status(status)
                   for name, status in self._hub.statuses().items()}
        return WireHeartbeatReport(app_version=__version__, bundle_version=self._bundle_version(),
                               devices=devices, outbox_depth=self._outbox.stats().pending,
                               sessions=self._lifecycle.sessions_started,
                               ratings=self._ratings(), last_update=self._last_update())


class Heartbeat:
    """Builds and sends one heartbeat report at each `send`; counts what was sent and failed."""

    def __init__(self, client: HeartbeatClient, collect: Callable[[], WireHeartbeatReport]) -> None:
        self._client = client
        self._collect = collect
        self.sent = 0
        self.failed = 0

    def report(self) -> WireHeartbeatReport:
        """The report as it would be sent now."""
        return self._collect()

    def send(self) -> bool:
        """Send one heartbeat; False (logged) when it could not be collected or delivered."""
        try:
            self._client.heartbeat(self._collect())
        except PlatformError as exc:
            self.failed += 1
            log_event(LOG, "heartbeat_failed", logging.WARNING, error=str(exc.kind))
            return False
        except Exception as exc:  # a broken collector must not stop the heartbeats
            self.failed += 1
            log_event(LOG, "heartbeat_collect_failed", logging.ERROR, error=type(exc).__name__)
            return False
        self.sent += 1
        return True
