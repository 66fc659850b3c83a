"""The terminal-side reporter (kiosk/platform/console_client.py) against the real console:
heartbeats
and events show on the pages, a remote operation goes out with a heartbeat and its outcome
comes back, and the reporter turns refusals and a vanished console into error kinds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.platform.console_client import ConsoleClient, ConsoleError, event
from kiosk.platform.models import WireDeviceReport, WireHeartbeatReport
from tests.console.helpers import Console


def _report(paper: str = "ok") -> WireHeartbeatReport:
    return WireHeartbeatReport(app_version="0.1.0", bundle_version="2026.11.1", devices={
        "printer": WireDeviceReport(state="ready", supplies=paper),
        "id_reader": WireDeviceReport(state="ready", supplies="n/a")},
        outbox_depth=1, sessions=12, ratings=4, last_update={"outcome": "ok"})


@pytest.mark.parametrize("console", ["sqlite", "postgresql"], indirect=True)
def test_report_events_and_a_remote_operation(console: Console) -> None:
    token = console.enrol("BJ-HD-0001", district="海淀区", site="中关村街道政务服务中心")
    console.add_user("op1", "operator")
    client = ConsoleClient(console.url, "BJ-HD-0001", token)
    assert client.heartbeat(_report()) == []
    operator = console.login("op1")
    assert 'data-status="online"' in operator.get("/fleet").text

    assert client.events([event("paper_out", "printer", "纸盒空")]) == 1
    page = operator.get("/fleet").text
    assert 'data-status="degraded"' in page and "缺纸" in page
    assert "缺纸" in operator.get("/alerts").text

    sent = operator.post("/terminals/BJ-HD-0001/commands",
                         {"kind": "out_of_service", "message": "设备维护中，请到2号窗口办理"})
    assert "待领取" in sent.text
    commands = client.heartbeat(_report("out"))
    assert [(c.kind, c.message) for c in commands] == [
        ("out_of_service", "设备维护中，请到2号窗口办理")]
    assert client.heartbeat(_report("out")) == []  # delivered once
    assert client.ack(commands[0].id, True, "out of service screen shown") == "done"
    assert client.ack(commands[0].id, True) == "done"  # repeated ack: same answer
    terminal_page = operator.get("/terminals/BJ-HD-0001").text
    assert "已完成" in terminal_page and "暂停服务中" in terminal_page
    assert "设备维护中，请到2号窗口办理" in terminal_page
    assert 'data-status="out_of_service"' in operator.get("/fleet").text

    empty = operator.post("/terminals/BJ-HD-0001/commands", {"kind": "announce", "hours": "48"})
    assert empty.status_code == 400 and "请填写通知公告的内容" in empty.text
    too_long = operator.post("/terminals/BJ-HD-0001/commands",
                             {"kind": "announce", "message": "x", "hours": "9999"})
    assert too_long.status_code == 400
    operator.post("/terminals/BJ-HD-0001/commands",
                  {"kind": "announce", "message": "元旦期间自助终端照常服务", "hours": "48"})
    operator.post("/terminals/BJ-HD-0001/commands", {"kind": "diagnostics"})
    announce, diagnostics = client.heartbeat(_report("out"), out_of_service=True)
    assert (announce.kind, announce.message) == ("announce", "元旦期间自助终端照常服务")
    up = datetime.fromisoformat(announce.until) - datetime.now(UTC)
    assert timedelta(hours=47) < up <= timedelta(hours=48)
    assert diagnostics.kind == "diagnostics" and diagnostics.until == ""
    client.ack(diagnostics.id, False, "upload failed: no network")
    page = operator.get("/terminals/BJ-HD-0001").text
    assert "失败" in page and "upload failed: no network" in page
    assert "发布通知公告" in page


def test_reporter_error_kinds(console: Console) -> None:
    token = console.enrol("T-1")
    with pytest.raises(ConsoleError) as refused:
        ConsoleClient(console.url, "T-1", "not-the-token").heartbeat(_report())
    assert refused.value.kind == "refused" and refused.value.status == 401
    with pytest.raises(ConsoleError) as invalid:
        ConsoleClient(console.url, "T-1", token).events([event("volcano")])
    assert invalid.value.kind == "invalid"
    with pytest.raises(ConsoleError) as other:
        ConsoleClient(console.url, "T-1", token).ack(999, True)
    assert other.value.kind == "invalid" and other.value.status == 404
    with pytest.raises(ConsoleError) as gone:
        ConsoleClient("http://127.0.0.1:9", "T-1", token, timeout_seconds=2).heartbeat(
            _report())
    assert gone.value.kind == "unreachable"
