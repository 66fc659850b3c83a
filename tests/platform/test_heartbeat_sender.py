"""Each heartbeat reaches the platform; an outage or a broken collector is counted, never
raised, and the next beat goes through."""

from __future__ import annotations

from kiosk.platform import PlatformClient, WireDeviceReport, WireHeartbeatReport
from kiosk.platform.heartbeat import Heartbeat
from tests.platform.conftest import Admin


def test_each_send_reports_the_collected_figures(client: PlatformClient, admin: Admin) -> None:
    depth = iter(range(1000))

    def collect() -> WireHeartbeatReport:
        return WireHeartbeatReport(
            app_version="0.1.0",
            bundle_version="b1",
            devices={"receipt_printer": WireDeviceReport(state="ready", supplies="ok")},
            outbox_depth=next(depth),
        )

    heartbeat = Heartbeat(client, collect)
    assert all(heartbeat.send() for _ in range(3))
    assert (heartbeat.sent, heartbeat.failed) == (3, 0)
    assert admin.stats()["heartbeats"][client.terminal_id] == 3
    assert client.terminals()[0].outbox_depth == 2


def test_outage_and_broken_collector_do_not_stop_it(client: PlatformClient, admin: Admin) -> None:
    calls = {"n": 0}

    def collect() -> WireHeartbeatReport:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("collector bug")
        return WireHeartbeatReport(app_version="0.1.0", bundle_version="b1", devices={})

    admin.faults(fail_next=2, status=503)  # heartbeats are not retried: each beat fails once
    heartbeat = Heartbeat(client, collect)
    results = [heartbeat.send() for _ in range(4)]
    assert results == [False, False, False, True]  # 503, collector bug, 503, through
    assert (heartbeat.sent, heartbeat.failed) == (1, 3)
    assert admin.stats()["heartbeats"][client.terminal_id] == 1
