"""The document printer fails mid-job: the certificate is issued once, the retry prints the
same serial; a printer already known to be down is reported before anything is issued."""

from __future__ import annotations

from flows.views import Intent, StepKind
from tests.flows.conftest import start
from tests.flows.driver import drive, intent_for


def _to_print(run, answers):
    view = run.view()
    while view.kind is not StepKind.PRINT_CERTIFICATE:
        view = run.send(intent_for(view, answers, run))
    return view


def test_retry_prints_the_same_serial_once_issued() -> None:
    run, ports, fx = start("social-insurance-certificate", fail={"print_certificate": 1})
    _to_print(run, fx["answers"])
    view = run.send(Intent("print"))
    assert view.outcome == "failed" and view.error == "打印机缺纸，请联系工作人员"
    serial = view.reference
    assert serial and view.actions[0].name == "retry"
    view = run.send(Intent("retry"))
    assert view.outcome == "done" and view.reference == serial
    assert ports.count("issue_certificate") == 1
    assert [c.serial for c in ports.printed_certificates] == [serial]
    assert run.record.serials == [serial]
    view = run.send(Intent("print"))  # a second tap after success: no second copy
    assert len(ports.printed_certificates) == 1


def test_issue_failure_then_retry_uses_the_same_key() -> None:
    run, ports, fx = start("marriage-record", fail={"issue_certificate": 1})
    _to_print(run, fx["answers"])
    view = run.send(Intent("print"))
    assert view.outcome == "failed" and view.error
    view = run.send(Intent("retry"))
    assert view.outcome == "done"
    keys = {args[1] for name, args in ports.calls if name == "issue_certificate" and args}
    assert len(keys) == 1


def test_printer_down_is_reported_before_issuing() -> None:
    run, ports, fx = start("tax-payment", unusable={"document_printer": "证照打印机缺纸"})
    view = run.view()
    assert view.kind is StepKind.MESSAGE and view.extra.get("unavailable")
    assert view.body == "证照打印机缺纸"
    views = drive(run, fx["answers"])
    assert views[-1].kind is StepKind.DONE
    assert ports.count("issue_certificate") == 0


def test_certificate_document_filled_from_platform_and_template() -> None:
    run, ports, fx = start("acceptance-receipt-reprint")
    drive(run, fx["answers"])
    issued_for = next(args for name, args in ports.calls if name == "issue_certificate" and args)
    assert issued_for[0] == "acceptance-receipt" and issued_for[2] == "JZ20261101000045"
    document = ports.printed_certificates[0]
    assert document.holder_name == "李明" and document.holder_id_number == "310104198503151231"
    assert ("补打说明", "补打件，与原件具有同等效力") in document.fields
    assert document.issuer == "黄浦区行政服务中心" and document.seal_text == document.issuer
    assert "李明" not in repr(document)


def test_printed_certificate_fields_are_shown() -> None:
    run, _, fx = start("business-licence")
    _to_print(run, fx["answers"])
    view = run.send(Intent("print"))
    assert view.outcome == "done"
    shown = {f.label: f.value for f in view.fields}
    assert shown["统一社会信用代码"] == "91310101MA1FP0XX0X"
