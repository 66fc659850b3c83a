"""好差评 at the end of every service: five grades, reasons required for the two lowest,
tied to the service and the case; skipping ends the run too."""

from __future__ import annotations

from flows.views import Intent, StepKind
from tests.flows.conftest import start
from tests.flows.driver import drive, intent_for


def _to_rate(service: str):
    run, ports, fx = start(service)
    view = run.view()
    while view.kind is not StepKind.RATE:
        view = run.send(intent_for(view, fx.get("answers") or {}, run))
    return run, ports, view


def test_rate_screen_offers_five_grades_and_reasons() -> None:
    _, _, view = _to_rate("residence-registration")
    assert [o.label for o in view.options] == ["非常满意", "满意", "基本满意", "不满意",
                                               "非常不满意"]
    assert [o.value for o in view.options] == ["5", "4", "3", "2", "1"]
    assert view.field is not None and view.field.options
    assert view.reference == "JZ20261121000088"
    assert {a.name for a in view.actions} >= {"rate", "skip"}


def test_low_score_needs_a_reason() -> None:
    run, ports, _ = _to_rate("residence-registration")
    view = run.send(Intent("rate", {"score": 1}))
    assert view.kind is StepKind.RATE and view.error == "请至少选择一项不满意的原因"
    view = run.send(Intent("rate", {"score": 2, "reasons": []}))
    assert view.error and ports.ratings == []
    view = run.send(Intent("rate", {"score": 2, "reasons": ["办理时间长"], "comment": "等太久"}))
    assert view.kind is StepKind.DONE
    rating = ports.ratings[0]
    assert (rating.score, rating.reasons, rating.comment) == (2, ("办理时间长",), "等太久")
    assert rating.service == "residence-registration"
    assert rating.case_number == "JZ20261121000088"
    assert rating.idempotency_key == run.idempotency_key("rating")


def test_middle_score_needs_no_reason() -> None:
    run, ports, _ = _to_rate("archives")
    assert run.send(Intent("rate", {"score": 3})).kind is StepKind.DONE
    assert ports.ratings[0].case_number == ""


def test_bad_score_is_refused() -> None:
    run, _, _ = _to_rate("archives")
    assert run.send(Intent("rate", {"score": 9})).error == "请选择一个评价等级"
    assert run.send(Intent("rate", "x")).error


def test_skip_rating_ends() -> None:
    run, ports, _ = _to_rate("archives")
    assert run.send(Intent("skip")).kind is StepKind.DONE
    assert ports.ratings == []


def test_rating_failure_can_be_retried() -> None:
    run, ports, _ = _to_rate("archives")
    ports.fail["rate"] = 1
    view = run.send(Intent("rate", {"score": 5}))
    assert view.kind is StepKind.RATE and view.error
    assert run.send(Intent("rate", {"score": 5})).kind is StepKind.DONE


def test_cancel_goes_through_rating_then_done() -> None:
    run, ports, _ = start("residence-registration")
    view = run.send(Intent("cancel"))
    assert view.kind is StepKind.RATE
    assert run.send(Intent("cancel")).kind is StepKind.DONE
    assert ports.count("submit_application") == 0


def test_done_ignores_further_intents() -> None:
    run, _, fx = start("archives")
    drive(run, fx["answers"])
    assert run.finished
    assert run.send(Intent("back")).kind is StepKind.DONE
    assert run.send(Intent("report")).kind is StepKind.DONE
