"""The platform is unreachable at submit: the resident sees a plain message and retries; the
retry carries the same idempotency key, so exactly one application exists."""

from __future__ import annotations

from flows.views import Intent, StepKind
from tests.flows.conftest import start
from tests.flows.driver import intent_for


def _to_submit(run, answers):
    view = run.view()
    while view.kind is not StepKind.SUBMIT:
        view = run.send(intent_for(view, answers, run))
    return view


def test_retry_after_network_failure_reuses_the_key() -> None:
    run, ports, fx = start("residence-registration", fail={"submit_application": 2})
    _to_submit(run, fx["answers"])
    view = run.send(Intent("submit"))
    assert view.kind is StepKind.SUBMIT and view.error == "网络暂时不通，请稍后重试"
    assert view.actions[0].name == "retry"
    view = run.send(Intent("retry"))
    assert view.kind is StepKind.SUBMIT and view.error
    view = run.send(Intent("retry"))
    assert view.kind is StepKind.RESULT and view.outcome == "accepted"
    keys = {request.idempotency_key for name, request in ports.calls
            if name == "submit_application" and request is not None}
    assert len(keys) == 1
    assert ports.count("submit_application") == 3
    assert len(ports.applications) == 1


def test_double_tap_submits_once() -> None:
    run, ports, fx = start("residence-registration")
    _to_submit(run, fx["answers"])
    run.send(Intent("submit"))
    run.send(Intent("submit"))  # a second tap arrives on the result screen: ignored
    assert ports.count("submit_application") == 1


def test_no_back_across_a_submission() -> None:
    run, _ports, fx = start("residence-registration")
    _to_submit(run, fx["answers"])
    view = run.send(Intent("submit"))
    assert view.kind is StepKind.RESULT
    assert "back" not in {a.name for a in view.actions}
    assert run.send(Intent("back")).kind is StepKind.RESULT


def test_keys_differ_between_runs_and_purposes() -> None:
    run_a, _, _ = start("residence-registration")
    run_b, _, _ = start("residence-registration")
    assert run_a.idempotency_key("submit:submit") != run_b.idempotency_key("submit:submit")
    assert run_a.idempotency_key("submit:submit") != run_a.idempotency_key("rating")
    assert run_a.idempotency_key("rating") == run_a.idempotency_key("rating")
