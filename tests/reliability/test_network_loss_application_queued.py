"""The network is lost at submit: the application is accepted into the outbox, the result
screen and the printed receipt say it will be sent when the network is back, and it reaches the
platform exactly once when the network returns, also when the platform's answer is lost after
it committed the case."""

from __future__ import annotations

from pathlib import Path

import requests

from flows.headless import intent_for
from flows.views import StepKind
from kiosk.harness.reliability.journeys import Journey, begin_journey, fixture_answers
from tests.printing.escpos_decode import decode
from tests.reliability.conftest import (
    SandboxProcess,
    free_port,
    platform_kiosk,
    reliability_catalogue,
)

GENERIC = Journey("generic-application", "worker", "submit")


def _to(run, kind: StepKind, catalogue: Path):
    answers = fixture_answers(GENERIC.service, catalogue)
    view = run.start()
    while view.kind is not kind:
        view = run.send(intent_for(view, answers, run))
    return view


def test_application_queued_then_delivered_once(tmp_path: Path) -> None:
    port = free_port()
    sandbox = SandboxProcess(tmp_path / "platform.sqlite3", tmp_path / "sb.log", port).start()
    catalogue = reliability_catalogue(tmp_path / "catalogue")
    parts = platform_kiosk(tmp_path, sandbox.url, catalogue)
    receipts = parts.hub.simulator("receipt_printer")
    try:
        run = begin_journey(parts, GENERIC)
        submit = _to(run, StepKind.SUBMIT, catalogue)
        sandbox.stop()  # the network is gone at the last moment
        result = run.send(intent_for(submit, {}, run))
        assert result.kind is StepKind.RESULT and result.outcome == "queued"
        assert result.title == "申请已保存，网络恢复后自动提交"
        assert "网络恢复后将自动提交" in result.body
        local_ref = run.record.case_number
        assert local_ref.startswith("L")
        receipts.clear()
        printed = run.send(intent_for(result, {}, run))
        assert printed.extra.get("printed")
        text = decode(receipts.captured()).text
        assert "网络恢复后将自动提交" in text and local_ref in text
        rate = run.send(intent_for(printed, {}, run))
        assert rate.kind is StepKind.RATE
        run.send(intent_for(rate, {}, run))  # the rating is queued too
        parts.lifecycle.end()
        assert parts.outbox.stats().pending == 2

        sandbox.start()  # the network returns
        assert parts.outbox.deliver_pending() == 2
        assert parts.outbox.deliver_pending() == 0
        stats = sandbox.stats()
        assert list(stats["applications_by_key"].values()) == [1]
        assert list(stats["ratings_by_key"].values()) == [1]
        assert parts.outbox.stats().refused == 0  # the rating names the platform's case

        # the platform commits but its answer is lost: the retry is replayed, not redone
        run = begin_journey(parts, GENERIC)
        submit = _to(run, StepKind.SUBMIT, catalogue)
        requests.post(f"{sandbox.url}/_sandbox/faults", json={"fail_after_commit": 1},
                      timeout=10)
        result = run.send(intent_for(submit, {}, run))
        parts.lifecycle.end()
        assert result.outcome == "queued"
        assert parts.outbox.deliver_pending() >= 1
        stats = sandbox.stats()
        assert sorted(stats["applications_by_key"].values()) == [1, 1]
        assert stats["replays"] >= 1
    finally:
        parts.lifecycle.end()
        parts.close()
        sandbox.stop()
