"""Alerts reach a group-robot webhook (WeCom/DingTalk JSON) through a real HTTP receiver:
a refused delivery is retried and the delivery log shows the attempts; a flapping paper
sensor reopens the same alert instead of sending a second notice; a disabled webhook gets
nothing more."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from kiosk.platform.console_client import ConsoleClient, event
from tests.console.helpers import Console


class _Robot(ThreadingHTTPServer):
    """A group robot: refuses the first `failures` posts, then accepts."""

    def __init__(self, failures: int) -> None:
        super().__init__(("127.0.0.1", 0), _RobotHandler)
        self.failures = failures
        self.received: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/cgi-bin/webhook/send?key=secret-key"


class _RobotHandler(BaseHTTPRequestHandler):
    server: _Robot

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.received.append(body)
        if len(self.server.received) <= self.server.failures:
            answer, status = b"busy", 502
        else:
            answer, status = json.dumps({"errcode": 0, "errmsg": "ok"}).encode(), 200
        self.send_response(status)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def robot() -> Iterator[_Robot]:
    server = _Robot(failures=1)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _wait(condition: Any, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_paper_out_notified_after_a_retry_and_flapping_suppressed(
        console: Console, robot: _Robot) -> None:
    console.add_user("admin1", "admin")
    token = console.enrol("BJ-HD-0001", district="海淀区", site="中关村街道政务服务中心")
    admin = console.login("admin1")
    added = admin.post("/notifications/webhooks", {"name": "海淀区运维群", "kind": "wecom",
                                                   "url": robot.url})
    assert added.status_code == 200 and "海淀区运维群" in added.text
    assert "secret-key" not in added.text  # the key is not shown back
    terminal = ConsoleClient(console.url, "BJ-HD-0001", token)
    terminal.heartbeat({"app_version": "0.1.0",
                        "devices": {"printer": {"state": "ready", "supplies": "ok"}}})
    terminal.events([event("paper_out", "printer")])
    _wait(lambda: len(robot.received) >= 2)
    first = robot.received[0]
    assert first["msgtype"] == "text"
    content = first["text"]["content"]
    assert "BJ-HD-0001" in content and "缺纸（凭条打印机）" in content
    assert robot.received[1] == first  # the same message, retried
    _wait(lambda: "已送达" in admin.get("/notifications").text)
    log = admin.get("/notifications").text
    assert "HTTP 502" not in log.split("已送达")[1][:200] and ">2<" in log

    terminal.events([event("paper_ok", "printer")])
    terminal.events([event("paper_out", "printer")])  # flaps back within minutes
    time.sleep(1.5)  # several delivery rounds
    assert len(robot.received) == 2
    alerts = admin.get("/alerts").text
    assert alerts.count("缺纸") == 1

    hook_id = log.split("/notifications/webhooks/")[1].split("/")[0]
    admin.post(f"/notifications/webhooks/{hook_id}/disable")
    terminal.events([event("device_fault", "camera", "无响应")])
    time.sleep(1.5)
    assert len(robot.received) == 2
    audit = admin.get("/audit").text
    assert "webhook_add" in audit and "webhook_disable" in audit and "secret-key" not in audit
