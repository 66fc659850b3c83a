"""The fleet heartbeat: the terminal tells the platform what it runs and how it is.

`TerminalReport` collects a `WireHeartbeatReport` from the terminal's parts: app and flow bundle
versions, device and supply status, outbox depth, counts of sessions and ratings, the last
update's outcome, the end of the terminal's certificate (`CertificateEnd`). No personal data.
``sessions`` counts sessions since this process started;
``ratings`` counts ratings delivered to the platform that the outbox journal still holds
(30 days, docs/adr/0003), so a restart does not reset it.

`Heartbeat.send` posts one report; the composition root calls it every
`HEARTBEAT_INTERVAL_SECONDS` on its scheduler. A failed heartbeat is logged and tried again
next time (heartbeats are not retried: the next one follows anyway); it never raises into the
app, not even when collecting the report fails.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any, Protocol

from cryptography import x509

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
                 ratings: Callable[[], int] | None = None, cert_file: str = "") -> None:
        self._cert = CertificateEnd(cert_file)
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
                               ratings=self._ratings(), last_update=self._last_update(),
                               cert_not_after=self._cert())


class CertificateEnd:
    """The notAfter of the terminal's certificate file (ISO 8601 UTC), read again only when
    the file changes; None when there is no file or it is not a PEM certificate (the settings
    check says why at start-up), so a heartbeat never fails over it."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._seen: tuple[int, int] | None = None
        self._value: str | None = None

    def __call__(self) -> str | None:
        if not self._path:
            return None
        try:
            stat = os.stat(self._path)
            if self._seen != (stat.st_mtime_ns, stat.st_size):
                with open(self._path, "rb") as f:
                    cert = x509.load_pem_x509_certificate(f.read())
                self._value = cert.not_valid_after_utc.isoformat()
                self._seen = (stat.st_mtime_ns, stat.st_size)
        except (OSError, ValueError):
            self._seen, self._value = None, None
        return self._value


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
