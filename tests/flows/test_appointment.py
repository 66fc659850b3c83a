"""预约取号: today's ticket or tomorrow's booking, the ticket printed on the receipt printer."""

from __future__ import annotations

import pytest

from flows.views import StepKind
from tests.flows.conftest import start
from tests.flows.driver import drive


@pytest.mark.parametrize("when, day", [("today", ""), ("tomorrow", "2026-11-22")])
def test_booking_day(when: str, day: str) -> None:
    run, ports, fx = start("appointment")
    views = drive(run, {**fx["answers"], "when": when})
    service, key, booked_day = next(a for n, a in ports.calls if n == "book_appointment" and a)
    assert (service, booked_day) == ("social-insurance", day)  # the business chosen
    assert key == run.idempotency_key("submit:submit")
    result = next(v for v in views if v.kind is StepKind.RESULT)
    assert result.reference == "A012" and "3号窗口" in result.body
    assert run.record.ticket == "A012"
    assert ("票号", "A012") in ports.printed_receipts[0].lines
