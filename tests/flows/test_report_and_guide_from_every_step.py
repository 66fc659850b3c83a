"""办不成事 and 办事指南 are reachable from every screen of every service, and come back."""

from __future__ import annotations

import pytest

from flows.views import Intent, StepKind
from tests.flows.conftest import service_ids, start
from tests.flows.driver import intent_for


def _screens(service: str) -> list[str]:
    run, _, fx = start(service)
    view, seen = run.view(), []
    while view.kind is not StepKind.DONE:
        seen.append(view.step_id)
        view = run.send(intent_for(view, fx.get("answers") or {}, run))
    return seen


@pytest.mark.parametrize("service", service_ids())
def test_report_reachable_from_every_screen(service: str) -> None:
    for position, step_id in enumerate(_screens(service)):
        run, ports, fx = start(service)
        view = run.view()
        for _ in range(position):
            view = run.send(intent_for(view, fx.get("answers") or {}, run))
        assert view.step_id == step_id
        if view.kind is StepKind.REPORT or step_id == "_report_sent":
            continue  # the service is the report itself
        assert "report" in {a.name for a in view.actions}, step_id
        report = run.send(Intent("report"))
        assert report.kind is StepKind.REPORT and report.options
        sent = run.send(Intent("report", {"category": report.options[0].value,
                                          "description": "打印机没反应"}))
        assert sent.kind is StepKind.MESSAGE and sent.reference.startswith("P")
        assert ports.reports[-1].service == run.definition.id
        assert ports.reports[-1].step == run.history[-1].step if run.history else True
        back = run.send(Intent("resume"))
        assert back.step_id == step_id


@pytest.mark.parametrize("service", service_ids())
def test_guide_reachable_and_back(service: str) -> None:
    run, _, _ = start(service)
    first = run.view()
    guide = run.send(Intent("guide"))
    assert guide.kind is StepKind.GUIDE
    titles = [s.title for s in guide.sections]
    assert titles[:5] == ["办理条件", "申请材料", "办理时限", "收费标准", "办理地点"]
    assert all(s.text for s in guide.sections)
    assert run.send(Intent("back")).step_id == first.step_id


def test_report_step_records_where_it_came_from() -> None:
    run, ports, _fx = start("social-insurance-certificate")
    run.send(Intent("report"))
    run.send(Intent("choose", "设备出现故障"))
    run.send(Intent("answer", "打印机卡纸"))
    view = run.send(Intent("send"))
    assert view.kind is StepKind.MESSAGE and "3个工作日" in view.body
    report = ports.reports[0]
    assert (report.step, report.category, report.description) == (
        "print", "设备出现故障", "打印机卡纸")


def test_report_needs_a_category() -> None:
    run, ports, _ = start("social-insurance-certificate")
    run.send(Intent("report"))
    view = run.send(Intent("send"))
    assert view.kind is StepKind.REPORT and view.error == "请选择一项"
    assert ports.reports == []


def test_printing_the_guide() -> None:
    run, ports, _ = start("residence-registration")
    run.send(Intent("guide"))
    view = run.send(Intent("print"))
    assert not view.error
    receipt = ports.printed_receipts[0]
    assert receipt.title.startswith("居住登记") and receipt.lines[0][0] == "办理条件"


def test_report_carries_the_problem_that_was_on_screen() -> None:
    run, ports, fx = start("tax-payment", fail={"print_certificate": 1})
    view = run.view()
    while view.kind is not StepKind.PRINT_CERTIFICATE:
        view = run.send(intent_for(view, fx["answers"], run))
    view = run.send(Intent("print"))
    assert view.error == "打印机缺纸，请联系工作人员"
    run.send(Intent("report"))
    run.send(Intent("report", {"category": "设备出现故障", "description": "没出纸"}))
    report = ports.reports[0]
    assert report.step == "print"
    assert report.description == "没出纸（终端提示：打印机缺纸，请联系工作人员）"


def test_builtin_record_sources_speak_english() -> None:
    run, _, _ = start("my-licences")
    run.locale = "en"
    run.send(Intent("page", 1))
    view = run.view()
    assert view.table.columns == ("Licence", "Issued by", "Valid until")
