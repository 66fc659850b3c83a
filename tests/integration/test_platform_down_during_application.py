"""Fault: the service platform goes away while a resident submits an application.

The embedded sandbox is stopped (connections refused) on the submit screen. The kiosk keeps the
application in its outbox and tells the resident plainly (status QUEUED, a local reference); the
rating at the end is kept too. When the platform is back on the same address, one
`deliver_pending()` delivers both: the platform records the application exactly once (one row
for its idempotency key) and the rating lands on the platform's case number.
"""

from __future__ import annotations

from datetime import date, timedelta

from flows.headless import drive, intent_for
from flows.views import Intent, StepKind
from kiosk.ops.outbox import QUEUED_TEXT
from kiosk.platform.connect import start_embedded_sandbox
from tests.integration.conftest import Terminal
from tests.printing.escpos_decode import decode

ANSWERS = {"left_on": (date.today() - timedelta(days=60)).isoformat(),
           "reason": "单位解除", "training": "no"}


def test_unemployment_registration_is_queued_offline_and_delivered_once(
        terminal: Terminal) -> None:
    parts = terminal.parts
    session = terminal.session_for("unemployed")
    run = parts.catalogue.start("unemployment-registration", {"session": session})
    view = run.view()
    while view.kind is not StepKind.SUBMIT:
        view = run.send(intent_for(view, ANSWERS, run))

    port = parts.sandbox.port
    printed_before = len(terminal.receipt_bytes())
    parts.sandbox.stop()  # the platform is gone: connections are refused
    result = run.send(Intent("submit"))
    assert result.kind is StepKind.RESULT and result.outcome == "queued"
    assert QUEUED_TEXT in result.body
    local_ref = run.record.case_number
    assert local_ref.startswith("L") and result.reference == local_ref
    views = drive(run, ANSWERS)  # the resident prints the slip, rates and leaves
    assert views[-1].kind is StepKind.DONE
    slip = decode(terminal.receipt_bytes()[printed_before:])
    assert slip.cuts == 1 and local_ref in slip.text  # the resident keeps the local reference
    parts.lifecycle.end("finished")
    assert parts.outbox.stats().pending == 2  # the application and the rating

    parts.sandbox, _ = start_embedded_sandbox(terminal.data_dir / "sandbox.sqlite3",
                                              terminal.data_dir, parts.settings.terminal_id,
                                              port=port)
    parts.outbox.deliver_pending()
    assert parts.outbox.stats().pending == 0 and parts.outbox.stats().refused == 0
    key = run.idempotency_key("submit:submit")
    stats = terminal.stats()
    assert stats["applications_by_key"] == {key: 1}
    assert stats["ratings_by_key"].get(run.idempotency_key("rating")) == 1
    [case_number] = terminal.case_numbers()
    assert terminal.stored_rating(run.idempotency_key("rating"))["case_number"] == case_number
    assert terminal.application(case_number)["status"] == "approved"
    assert terminal.stored_application(case_number)["answers"]["leave_reason"] == "单位解除"

    parts.outbox.deliver_pending()  # nothing left: never a second delivery
    assert terminal.stats()["applications_by_key"] == {key: 1}
    applications = terminal.stats()["totals"]["applications"]
    assert applications == 1

