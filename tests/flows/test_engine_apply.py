"""Apply flows: pre-fill, e-licences instead of paper, validation, check-and-edit, outcomes."""

from __future__ import annotations

from flows.views import Intent, StepKind
from tests.flows.conftest import start
from tests.flows.driver import drive


def _to(run, kind: StepKind, answers=None):
    """Drive until the first screen of ``kind`` (answers from the fixtures)."""
    from tests.flows.driver import intent_for

    view = run.view()
    for _ in range(60):
        if view.kind is kind:
            return view
        view = run.send(intent_for(view, answers or {}, run))
    raise AssertionError(f"never reached {kind}")


def test_known_fields_are_prefilled_marked_and_not_asked() -> None:
    run, ports, fx = start("elderly-allowance")
    views = drive(run, fx["answers"])
    asked = {v.field.key for v in views if v.kind is StepKind.FORM}
    assert asked == {"bank", "bank_account"}
    check = next(v for v in views if v.kind is StepKind.CHECK)
    by_key = {f.key: f for f in check.fields}
    assert by_key["name"].prefilled and by_key["name"].value == "王秀英"
    assert by_key["phone"].prefilled and by_key["household_address"].prefilled
    assert not by_key["bank"].prefilled and by_key["bank"].value == "中国工商银行"
    request = next(v for n, v in ports.calls if n == "submit_application")
    assert request.answers["id_number"] == "310101195001010022"
    assert request.answers["bank_account"] == "中国工商银行 6222020200112233445"  # 发放账户


def test_electronic_licence_replaces_the_paper_capture() -> None:
    run, ports, fx = start("elderly-allowance")
    views = drive(run, fx["answers"])
    assert not any(v.kind is StepKind.CAPTURE for v in views)
    licence = next(v for v in views if v.kind is StepKind.LICENCE)
    assert licence.options[0].selected and "免于提交" in licence.options[0].detail
    request = next(v for n, v in ports.calls if n == "submit_application")
    assert request.licences == ("1.2.156.3005.2.11310000.0001",)
    assert request.attachments == ()


def test_without_a_licence_the_material_is_photographed_and_attached() -> None:
    run, ports, fx = start("elderly-allowance")
    ports.serve({**fx, "licences": []})
    views = drive(run, fx["answers"])
    assert any(v.kind is StepKind.CAPTURE for v in views)
    request = next(v for n, v in ports.calls if n == "submit_application")
    assert [a.name for a in request.attachments] == ["hukou"]
    assert request.attachments[0].sha256


def test_bundle_captures_only_what_has_no_licence() -> None:
    run, ports, fx = start("newborn-bundle")
    views = drive(run, fx["answers"])
    captured = [v.extra["material"] for v in views if v.kind is StepKind.CAPTURE]
    assert set(captured) == {"hukou-book"}
    request = next(v for n, v in ports.calls if n == "submit_application")
    assert len(request.licences) == 2
    assert request.answers["items"] == ["birth-certificate", "hukou", "medical", "sscard"]
    assert request.answers["bundle"] == "newborn" and request.answers["item_count"] == "4"


def test_invalid_answer_stays_on_the_page_with_a_plain_message() -> None:
    run, _, _fx = start("residence-registration")
    view = _to(run, StepKind.FORM, {})
    assert view.field.key == "since"
    view = run.send(Intent("answer", "2099-01-01"))
    assert view.field.key == "since" and view.error == "日期不能晚于今天"
    view = run.send(Intent("answer", "not a date"))
    assert view.error.startswith("日期格式不对")
    view = run.send(Intent("answer", "2026-03-01"))
    assert view.field.key == "reason" and not view.error


def test_conditional_question_only_when_it_applies() -> None:
    run, _, fx = start("residence-registration")
    views = drive(run, {**fx["answers"], "reason": "study"})
    assert "employer" not in {v.field.key for v in views if v.kind is StepKind.FORM}
    run, _, fx = start("residence-registration")
    views = drive(run, fx["answers"])
    assert "employer" in {v.field.key for v in views if v.kind is StepKind.FORM}


def test_edit_from_check_returns_to_check() -> None:
    run, _ports, fx = start("flexible-employment-insurance")
    view = _to(run, StepKind.CHECK, fx["answers"])
    view = run.send(Intent("edit", "base"))
    assert view.kind is StepKind.FORM and view.field.key == "base"
    view = run.send(Intent("answer", "300"))
    assert view.kind is StepKind.CHECK
    assert {f.key: f.value for f in view.fields}["base"] == "社平工资的300%"
    view = run.send(Intent("edit", "name"))  # not editable: stays
    assert view.kind is StepKind.CHECK


def test_refused_shows_reason_and_next_step_and_no_receipt() -> None:
    run, ports, fx = start("flexible-employment-insurance")
    ports.serve({**fx, "application": {
        "case_number": "LH1", "status": "refused", "reason": "您已在职参保，不能重复参保",
        "next_step": "如已离职，请先办理失业登记"}})
    views = drive(run, fx["answers"])
    result = next(v for v in views if v.kind is StepKind.RESULT)
    assert result.outcome == "refused" and result.title == "暂不能受理"
    assert "您已在职参保" in result.body and "失业登记" in result.body
    assert not any(v.kind is StepKind.PRINT_RECEIPT for v in views)
    assert ports.printed_receipts == []


def test_elderly_allowance_under_65_sees_a_notice_first() -> None:
    run, ports, fx = start("elderly-allowance")
    ports.serve({**fx, "resident": {**fx["resident"], "id_number": "310104198503151231",
                                     "birth_date": "1985-03-15"}})
    run2 = type(run)(run.definition, ports, today=run.today)
    view = run2.view()
    assert view.kind is StepKind.MESSAGE and view.title == "暂不符合申请条件"


def test_queued_outcome_is_shown_as_saved() -> None:
    run, ports, fx = start("unemployment-registration")
    ports.serve({**fx, "application": {"case_number": "LOCAL-1", "status": "queued"}})
    views = drive(run, fx["answers"])
    result = next(v for v in views if v.kind is StepKind.RESULT)
    assert result.outcome == "queued" and "网络恢复后" in result.title


def test_required_capture_cannot_be_skipped() -> None:
    run, ports, fx = start("elderly-allowance")
    ports.serve({**fx, "licences": []})
    view = _to(run, StepKind.CAPTURE, fx["answers"])
    assert "skip" not in {a.name for a in view.actions}
    view = run.send(Intent("next"))
    assert view.kind is StepKind.CAPTURE and view.error == "请先拍摄材料"
    assert run.send(Intent("skip")).kind is StepKind.CAPTURE
    view = run.send(Intent("capture"))
    assert view.extra["captured"]
    assert run.send(Intent("next")).kind is StepKind.CHECK


def test_receipt_step_previews_what_will_print() -> None:
    run, ports, fx = start("flexible-employment-insurance")
    view = _to(run, StepKind.PRINT_RECEIPT, fx["answers"])
    preview = {f.label: f.value for f in view.fields}
    assert preview["办件编号"] == "LH20261121000012"
    assert preview["缴费基数"] == "社平工资的60%"
    run.send(Intent("print"))
    assert dict(ports.printed_receipts[0].lines) == preview


class _Scanned:
    """Stands in for a scanner payload (the engine duck-types ``kind`` and ``text``)."""

    def __init__(self, kind: str, text: str) -> None:
        self.kind, self.text = kind, text


def test_scanning_an_e_licence_attaches_only_the_residents_own() -> None:
    run, _ports, fx = start("elderly-allowance")
    view = _to(run, StepKind.LICENCE, fx["answers"])
    run.send(Intent("choose", []))  # the resident unticks it, then shows it by scanning
    view = run.send(Intent("scanned", _Scanned("e_licence", "1.2.156.3005.2.99999.X")))
    assert view.error == "无法识别该证照码，或该证照不属于您本人"
    view = run.send(Intent("scanned", _Scanned("e_licence", "1.2.156.3005.2.11310000.0001")))
    assert not view.error and view.options[0].selected


def test_scanning_a_receipt_picks_the_case() -> None:
    run, _, _ = start("case-progress")
    view = run.send(Intent("scanned", {"kind": "case_number", "text": "JZ20261101000045"}))
    assert view.kind is StepKind.RECORDS and view.table.columns[0] == "时间"
    run2, _, _ = start("archives")
    assert run2.send(Intent("scanned", "anything")).error == "这一步不需要扫码"
