"""打印 services end to end in the sandbox: the platform issues the certificate with a serial,
the kiosk renders it and the simulated IPP printer (ippeveprinter) completes the PDF; the
printed text carries the title and the serial, and the platform confirms the serial.
Where the platform will not issue one at a terminal, the resident is told why and nothing prints.
"""

from __future__ import annotations

from flows.views import StepKind
from kiosk.sandbox.records import business_credit_code
from kiosk.sandbox.seed import by_key
from tests.integration.conftest import Scenario, Terminal, assert_rated


def _flat(text: str) -> str:
    """pdftotext -layout spaces CJK out; compare without blanks."""
    return "".join(text.split())


def _printed_one(terminal: Terminal, s: Scenario, title: str) -> str:
    """The run printed exactly one certificate titled ``title``; return its flat text."""
    assert s.done
    [serial] = s.run.record.serials
    [pdf] = s.certificates
    text = _flat(pdf)
    assert title in text and serial in text
    assert text.count(f"公民身份号码：{s.resident.id_number}") == 1  # the holder, printed once
    check = terminal.certificate_check(serial)
    assert check["valid"] is True and check["holder_masked"].startswith(s.resident.name[0])
    assert terminal.stats()["certificates_by_key"].get(
        s.run.idempotency_key("certificate:print")) == 1
    assert_rated(terminal, s)
    return text


def test_social_insurance_certificate_prints_the_payment_certificate(terminal: Terminal) -> None:
    s = terminal.run("social-insurance-certificate", "worker")
    text = _printed_one(terminal, s, "社会保险参保缴费证明")
    assert "演示数码科技有限公司" in text  # the employer paying now, from the platform
    assert text.count("证明期间") == 1  # the platform's period, no second one from the kiosk


def test_personal_rights_record_prints_for_the_divorced_resident(terminal: Terminal) -> None:
    s = terminal.run("personal-rights-record", "divorced")
    text = _printed_one(terminal, s, "社会保险个人权益记录")
    assert "养老保险个人账户累计储存额" in text


def test_provident_fund_certificate_prints_and_is_refused_without_a_fund(
        terminal: Terminal) -> None:
    s = terminal.run("provident-fund-certificate", "spouse_of_owner", {"purpose": "loan"})
    text = _printed_one(terminal, s, "住房公积金缴存证明")
    assert "贷款" in text  # the purpose the resident chose

    refused = terminal.run("provident-fund-certificate", "elder", {"purpose": "other"})
    assert refused.done and refused.run.record.serials == [] and refused.certificates == []
    screen = refused.of_kind(StepKind.PRINT_CERTIFICATE)[-1]
    assert screen.outcome == "refused" and "未查询到您的住房公积金缴存记录" in screen.error


def test_marriage_record_shows_marriage_and_divorce(terminal: Terminal) -> None:
    s = terminal.run("marriage-record", "divorced", {"purpose": "housing"})
    text = _printed_one(terminal, s, "婚姻登记记录证明")
    assert "离婚" in text


def test_no_criminal_record_prints_for_a_clean_record(terminal: Terminal) -> None:
    s = terminal.run("no-criminal-record", "worker", {"purpose": "job",
                                                      "employer_name": "演示某某有限公司"})
    text = _printed_one(terminal, s, "无犯罪记录证明")
    assert "演示某某有限公司" in text


def test_no_criminal_record_cannot_be_issued_for_a_record_holder(terminal: Terminal) -> None:
    s = terminal.run("no-criminal-record", "record_holder", {"purpose": "abroad"})
    assert s.done and s.run.record.serials == [] and s.certificates == []
    screen = s.of_kind(StepKind.PRINT_CERTIFICATE)[-1]
    assert screen.outcome == "refused"
    assert "无法自助开具，请到公安机关窗口办理" in screen.error
    assert [a.name for a in screen.actions if a.primary] == ["next"]  # no pointless retry
    assert_rated(terminal, s)


def test_business_licence_prints_the_owners_licence(terminal: Terminal) -> None:
    s = terminal.run("business-licence", "business_owner")
    text = _printed_one(terminal, s, "营业执照")
    assert business_credit_code(by_key("business_owner")) in text
    assert "演示区海峰便利店" in text


def test_tax_payment_prints_the_tax_record(terminal: Terminal) -> None:
    s = terminal.run("tax-payment", "business_owner")
    text = _printed_one(terminal, s, "个人所得税纳税记录")
    assert "实缴金额合计" in text


def test_acceptance_receipt_reprint_for_a_case_just_submitted(terminal: Terminal) -> None:
    applied = terminal.run("residence-registration", "migrant", {
        "since": "2025-05-01", "housing": "租赁住房", "reason": "job"})
    case = applied.run.record.case_number
    s = terminal.run("acceptance-receipt-reprint", "migrant", {"case_number": case})
    text = _flat(s.certificates[0]) if s.certificates else ""
    assert case in text and "补打件" in text
    assert len(s.run.record.serials) == 1 and s.run.record.serials[0] in text
    assert_rated(terminal, s)
