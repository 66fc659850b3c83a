"""Each built-in service runs end to end headless over its own fixtures (one test per service).

The fixtures' ``answers`` say what the resident enters; ``expect`` says what must come out:
the outcome, how many certificates and receipts were printed, how many records pages were
seen. Every run must end on DONE after a rating tied to the service (and the case, if any).
"""

from __future__ import annotations

import pytest

from flows.views import StepKind
from tests.flows.conftest import service_ids, start
from tests.flows.driver import drive


@pytest.mark.parametrize("service", service_ids())
def test_service_runs_end_to_end(service: str) -> None:
    run, ports, fixtures = start(service)
    views = drive(run, fixtures.get("answers") or {})
    expect = fixtures.get("expect") or {}

    assert views[-1].kind is StepKind.DONE
    assert not any(v.kind is StepKind.MESSAGE and v.extra.get("unavailable") for v in views)
    assert all(v.speech for v in views), "every screen has a spoken prompt"
    assert all(v.service_title for v in views)
    # rated at the end, tied to service and case
    assert len(ports.ratings) == 1
    assert ports.ratings[0].service == run.definition.id
    assert ports.ratings[0].case_number == run.record.case_number
    if "outcome" in expect:
        assert run.record.outcome == expect["outcome"]
        results = [v for v in views if v.kind is StepKind.RESULT]
        assert results and results[-1].outcome == expect["outcome"]
        assert results[-1].reference
    assert len(ports.printed_certificates) == expect.get("certificates", 0)
    assert len(ports.printed_receipts) == expect.get("receipts", 0)
    assert run.record.serials == [c.serial for c in ports.printed_certificates]
    if "pages" in expect:
        pages = {v.table.page for v in views if v.table is not None}
        assert len(pages) == expect["pages"]
    if "submitted" in expect or ("outcome" in expect and run.definition.kind == "apply"):
        assert ports.count("submit_application") + ports.count("book_appointment") == 1
    for key, value in (expect.get("answers") or {}).items():
        assert run.answers.get(key) == value
    if "reports" in expect:
        assert len(ports.reports) == expect["reports"]
    for text in expect.get("receipt_text", ()):
        assert any(text in " ".join(f"{a} {b}" for a, b in r.lines) for r in ports.printed_receipts)
    for text in expect.get("screen_text", ()):
        assert any(text in (v.body + v.title) for v in views), text


@pytest.mark.parametrize("service", service_ids())
def test_service_runs_in_english(service: str) -> None:
    run, _, fixtures = start(service)
    run.locale = "en"
    views = drive(run, fixtures.get("answers") or {})
    assert views[-1].kind is StepKind.DONE
    title = views[0].service_title
    assert title and title.isascii(), f"English title missing: {title!r}"
