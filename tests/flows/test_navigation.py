"""Back navigation, identification waiting, paging, locale and device availability."""

from __future__ import annotations

from flows.views import Intent, StepKind
from tests.flows.conftest import start
from tests.flows.driver import drive


def test_back_returns_to_the_previous_question_with_the_answer_kept() -> None:
    run, _, _ = start("newborn-bundle")
    run.send(Intent("choose", ["hukou"]))
    view = run.send(Intent("next"))
    assert view.field.key == "baby_name"
    view = run.send(Intent("answer", "陈小宝"))
    assert view.field.key == "baby_sex"
    view = run.send(Intent("back"))
    assert view.field.key == "baby_name" and view.field.value == "陈小宝"
    view = run.send(Intent("back"))
    assert view.kind is StepKind.CHOOSE and [o.value for o in view.options if o.selected] == [
        "hukou"]
    assert "back" not in {a.name for a in view.actions}  # the first screen shown
    assert run.send(Intent("back")).kind is StepKind.CHOOSE


def test_identify_waits_for_the_resident() -> None:
    run, ports, _fx = start("archives", identified=False)
    view = run.view()
    assert view.kind is StepKind.IDENTIFY and view.speech
    view = run.send(Intent("identified"))
    assert view.kind is StepKind.IDENTIFY and view.error == "还没有识别到您的身份"
    ports.identified = True
    view = run.send(Intent("identified"))
    assert view.kind is StepKind.RECORDS


def test_query_pages_and_prints_summary() -> None:
    run, ports, _ = start("medical-insurance-account")
    view = run.view()
    assert view.kind is StepKind.RECORDS
    assert (view.table.page, view.table.pages, view.table.total) == (1, 2, 11)
    assert len(view.table.rows) == 10 and view.table.columns[0] == "日期"
    assert "当年账户余额" in view.table.summary
    view = run.send(Intent("page_next"))
    assert view.table.page == 2 and len(view.table.rows) == 1
    assert "page_next" not in {a.name for a in view.actions}
    view = run.send(Intent("page", 1))
    assert view.table.page == 1
    assert run.send(Intent("page", 7)).table.page == 1  # out of range: ignored
    view = run.send(Intent("print"))
    receipt = ports.printed_receipts[0]
    assert ("当年账户余额", "3,100.00") in receipt.lines
    assert receipt.lines[0] == ("查询人", "310104********1231")


def test_query_failure_offers_retry() -> None:
    run, _ports, _ = start("archives", fail={"fetch_records": 1})
    view = run.view()
    assert view.kind is StepKind.RECORDS and view.table is None
    assert view.error == "网络暂时不通，请稍后重试" and view.actions[0].name == "retry"
    view = run.send(Intent("retry"))
    assert view.table is not None and view.table.rows[0][0] == "上海市黄浦区人才服务中心"


def test_case_progress_lists_cases_then_history() -> None:
    run, _ports, _fx = start("case-progress")
    view = run.view()
    assert view.extra["selectable"] and [o.value for o in view.options] == [
        "JZ20261101000045", "SY20261015000321"]
    view = run.send(Intent("choose", "nope"))
    assert view.error
    view = run.send(Intent("choose", "JZ20261101000045"))
    assert view.table.columns == ("时间", "环节", "说明")
    assert view.table.rows[-1][1] == "审核"


def test_english_run_uses_english_strings() -> None:
    run, _, fx = start("residence-registration")
    run.locale = "en"
    views = drive(run, fx["answers"])
    form = next(v for v in views if v.kind is StepKind.FORM)
    assert form.field.label.isascii() and form.speech.startswith("Please enter")
    result = next(v for v in views if v.kind is StepKind.RESULT)
    assert result.title == "Your application has been accepted"
    assert any(a.label == "Report a problem" for a in result.actions)


def test_optional_receipt_printer_down_disables_print_only() -> None:
    run, ports, _ = start("social-insurance-payments",
                          unusable={"receipt_printer": "凭条打印机缺纸"})
    view = run.view()
    assert view.kind is StepKind.RECORDS
    printing = next(a for a in view.actions if a.name == "print")
    assert not printing.enabled
    view = run.send(Intent("print"))
    assert view.error == "凭条打印机缺纸" and ports.printed_receipts == []


def test_every_view_speaks_and_has_progress() -> None:
    run, _, fx = start("unemployment-registration")
    views = drive(run, fx["answers"])
    for view in views:
        assert view.speech
    steps = [v for v in views if not v.step_id.startswith("_")]
    assert all(v.progress[1] == len(run.definition.order) for v in steps)


def test_discard_forgets_personal_data_but_keeps_the_record() -> None:
    run, _, fx = start("newborn-bundle")
    drive(run, fx["answers"])
    case = run.record.case_number
    run.discard()
    assert run.answers == {} and run.captures == {} and run.data == {}
    assert run.finished and run.view().kind is StepKind.DONE
    assert run.record.case_number == case
    assert "陈" not in repr(run.record)


def test_constructing_a_run_calls_no_port() -> None:
    run, ports, _ = start("medical-insurance-account")
    assert ports.calls == []
    view = run.start()
    assert view.kind is StepKind.RECORDS and ports.count("fetch_records") == 1
    assert run.view().table is not None and ports.count("fetch_records") == 1
