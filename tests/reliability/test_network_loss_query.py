"""The network is lost during a query: a plain "temporarily unavailable" message with what still
works (try again, the guide, 办不成事 reporting, leaving); a problem report is accepted into the
outbox; when the network returns the query works and the report is delivered exactly once."""

from __future__ import annotations

from pathlib import Path

from flows.views import Intent, StepKind
from kiosk.harness.reliability.journeys import Journey, begin_journey
from tests.reliability.conftest import (
    SandboxProcess,
    free_port,
    platform_kiosk,
    reliability_catalogue,
)


def test_query_during_network_loss(tmp_path: Path) -> None:
    port = free_port()
    sandbox = SandboxProcess(tmp_path / "platform.sqlite3", tmp_path / "sb.log", port).start()
    catalogue = reliability_catalogue(tmp_path / "catalogue", "medical-insurance-account")
    parts = platform_kiosk(tmp_path, sandbox.url, catalogue)
    try:
        run = begin_journey(parts, Journey("medical-insurance-account", "mother", "query"))
        first = run.start()
        assert first.kind is StepKind.RECORDS and not first.error
        sandbox.stop()  # the network is gone

        view = run.send(Intent("page_next"))
        assert view.error == "服务平台暂时无法连接，请稍后再试"
        assert "Traceback" not in view.error and "http" not in view.error
        assert {"retry", "guide", "report", "cancel"} <= {a.name for a in view.actions}
        guide = run.send(Intent("guide"))
        assert guide.kind is StepKind.GUIDE  # the guide is local: it still works
        view = run.send(Intent("back"))
        report = run.send(Intent("report"))
        assert report.kind is StepKind.REPORT
        sent = run.send(Intent("report", {"category": report.options[0].value,
                                          "description": "查询不到"}))
        assert not sent.error  # accepted into the outbox although the platform is down
        assert parts.outbox.stats().pending == 1

        sandbox.start()  # the network is back (same address)
        assert parts.outbox.deliver_pending() == 1  # what the outbox loop does every 30 s
        assert parts.outbox.deliver_pending() == 0
        view = run.send(Intent("back"))
        view = run.send(Intent("retry")) if view.error else view
        assert view.kind is StepKind.RECORDS and not view.error
        reports = sandbox.stats()["problem_reports_by_key"]
        assert list(reports.values()) == [1]
    finally:
        parts.lifecycle.end()
        parts.close()
        sandbox.stop()
