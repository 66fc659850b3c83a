"""The heartbeat thread reports on an interval, survives an outage, and stops cleanly."""

from __future__ import annotations

import time

from kiosk.platform import PlatformClient, WireDeviceReport, WireHeartbeatReport
from kiosk.platform.heartbeat import HeartbeatSender
from tests.platform.conftest import Admin

WAIT_SECONDS = 10.0


def _wait_for(condition, timeout: float = WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return bool(condition())


def test_sender_reports_until_stopped(client: PlatformClient, admin: Admin) -> None:
    depth = iter(range(1000))

    def collect() -> WireHeartbeatReport:
        return WireHeartbeatReport(
            app_version="0.1.0",
            bundle_version="b1",
            devices={"receipt_printer": WireDeviceReport(state="ready", supplies="ok")},
            outbox_depth=next(depth),
        )

    sender = HeartbeatSender(client, collect, interval_seconds=0.05)
    sender.start()
    try:
        assert _wait_for(lambda: admin.stats()["heartbeats"].get(client.terminal_id, 0) >= 3)
    finally:
        sender.stop()
    sent = sender.sent
    time.sleep(0.2)
    assert sender.sent == sent  # nothing after stop
    assert client.terminals()[0].outbox_depth == sent - 1


def test_outage_and_broken_collector_do_not_stop_it(client: PlatformClient, admin: Admin) -> None:
    calls = {"n": 0}

    def collect() -> WireHeartbeatReport:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("collector bug")
        return WireHeartbeatReport(app_version="0.1.0", bundle_version="b1", devices={})

    admin.faults(fail_next=3, status=503)  # heartbeats are not retried: three beats fail
    sender = HeartbeatSender(client, collect, interval_seconds=0.05)
    sender.start()
    try:
        assert _wait_for(lambda: sender.sent >= 1)
    finally:
        sender.stop()
    assert sender.failed >= 2
