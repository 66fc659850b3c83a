"""Fault: the platform records the application but its answer is lost on the way back.

`POST /_sandbox/faults {"fail_after_commit": N}` makes the sandbox commit every application and
then answer 503 anyway. The kiosk cannot know the application arrived, so it keeps it QUEUED in
the outbox with the plain message; once the faults are cleared, `deliver_pending()` sends it
again with the same idempotency key and the platform replays its first answer: one application,
one case, however many attempts.
"""

from __future__ import annotations

from flows.headless import drive
from flows.views import StepKind
from kiosk.ops.outbox import QUEUED_TEXT
from tests.integration.conftest import Terminal

ANSWERS = {"bank": "bosh", "bank_account": "6222020200112233445"}


def test_elderly_allowance_answer_lost_is_queued_then_replayed_once(terminal: Terminal) -> None:
    parts = terminal.parts
    session = terminal.session_for("centenarian_track")
    run = parts.catalogue.start("elderly-allowance", {"session": session})
    terminal.faults({"fail_after_commit": 50, "path_prefix": "/v1/applications"})
    try:
        views = drive(run, ANSWERS)
    finally:
        terminal.faults(None)
    parts.lifecycle.end("finished")
    result = next(v for v in views if v.kind is StepKind.RESULT)
    assert result.outcome == "queued" and QUEUED_TEXT in result.body
    key = run.idempotency_key("submit:submit")
    stats = terminal.stats()
    assert stats["applications_by_key"] == {key: 1}  # it did arrive, once
    assert stats["attempts_by_key"][key] >= 1
    # the application, and the rating that waits for its case number
    assert parts.outbox.stats().pending == 2

    parts.outbox.deliver_pending()
    assert parts.outbox.stats().pending == 0
    stats = terminal.stats()
    assert stats["applications_by_key"] == {key: 1}  # replayed, not done twice
    assert stats["replays"] >= 1
    [case_number] = terminal.case_numbers()
    decided = terminal.application(case_number)
    assert decided["status"] == "approved"
    assert "每月350元" in decided["reason"]  # 90 and over
    rating = terminal.stored_rating(run.idempotency_key("rating"))
    assert rating["case_number"] == case_number  # the rating was tied once the case was known

