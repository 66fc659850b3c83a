"""查询 services end to end in the sandbox: the records the platform holds for the resident are
shown page by page with their totals, and the summary slip comes out of the thermal printer.

What each resident has is what the sandbox seeds (kiosk/sandbox/records.py builds it from the
resident and today's date); the tests compare the screens with that.
"""

from __future__ import annotations

from datetime import date

from flows.views import StepKind
from kiosk.sandbox import records as sandbox_records
from kiosk.sandbox.seed import by_key
from tests.integration.conftest import Scenario, Terminal, assert_rated


def _seeded(key: str) -> sandbox_records.SeededRecords:
    return sandbox_records.build(by_key(key), date.today())


def _all_rows(s: Scenario) -> list[tuple[str, ...]]:
    """Every distinct row shown over all the pages the resident turned."""
    seen: dict[int, tuple[tuple[str, ...], ...]] = {}
    for v in s.of_kind(StepKind.RECORDS):
        if v.table is not None:
            seen[v.table.page] = v.table.rows
    return [row for page in sorted(seen) for row in seen[page]]


def test_social_insurance_payments_all_pages_summary_and_certificate(terminal: Terminal) -> None:
    s = terminal.run("social-insurance-payments", "migrant", {"_all_pages": True})
    seeded = _seeded("migrant").records["social-insurance-payments"]
    table = s.of_kind(StepKind.RECORDS)[-1].table
    assert table is not None and table.total == len(seeded) == 25
    assert table.pages == 5  # 6 rows a page
    rows = _all_rows(s)
    assert len(rows) == 25 and rows[0][0] == seeded[0]["month"]
    assert rows[0][1] == "演示物流有限公司"
    assert "累计缴费月数：25" in table.summary
    # the summary slip on the thermal printer, then the A4 certificate on the IPP printer
    assert s.receipt_cuts == 1 and "社保缴费记录" in s.receipt_text and "25" in s.receipt_text
    [serial] = s.run.record.serials
    [pdf] = s.certificates
    assert "社会保险参保缴费证明" in pdf.replace(" ", "") and serial in pdf
    assert terminal.certificate_check(serial)["valid"] is True
    assert_rated(terminal, s)


def test_medical_insurance_account_balance_and_entries(terminal: Terminal) -> None:
    s = terminal.run("medical-insurance-account", "mother", {"_all_pages": True})
    seeded = _seeded("mother")
    items = seeded.records["medical-insurance-account"]
    table = s.of_kind(StepKind.RECORDS)[-1].table
    assert table is not None and table.total == len(items)
    assert len(_all_rows(s)) == len(items)
    balance = seeded.summaries["medical-insurance-account"]["balance"]
    assert f"账户余额：{balance}" in table.summary
    assert s.receipt_cuts == 1 and "医保" in s.receipt_text
    assert_rated(terminal, s)


def test_provident_fund_deposits_pages_and_monthly_total(terminal: Terminal) -> None:
    s = terminal.run("provident-fund-deposits", "spouse_of_owner", {"_all_pages": True})
    seeded = _seeded("spouse_of_owner")
    items = seeded.records["provident-fund-deposits"]
    table = s.of_kind(StepKind.RECORDS)[-1].table
    assert table is not None and table.total == len(items) == 36
    assert table.pages == 4
    assert len(_all_rows(s)) == 36
    monthly = seeded.summaries["provident-fund-deposits"]["monthly_total"]
    assert f"月缴存额：{monthly}" in table.summary
    assert s.receipt_cuts == 1 and "公积金" in s.receipt_text
    assert_rated(terminal, s)


def test_archives_shows_where_the_graduates_file_is_kept(terminal: Terminal) -> None:
    s = terminal.run("archives", "graduate")
    table = s.of_kind(StepKind.RECORDS)[-1].table
    assert table is not None and table.total == 1
    assert "演示区人才服务中心(应届毕业生)" in table.rows[0]
    assert "档案存放单位：演示区人才服务中心(应届毕业生)" in table.summary
    assert s.receipt_cuts == 1 and "演示区人才服务中心" in s.receipt_text
    assert_rated(terminal, s)


def test_benefits_lists_the_unemployment_benefit_without_applying(terminal: Terminal) -> None:
    s = terminal.run("benefits", "unemployed")
    table = s.of_kind(StepKind.RECORDS)[-1].table
    expected = sandbox_records.benefits(by_key("unemployed"), date.today())
    assert table is not None and table.total == len(expected) == 1
    assert table.rows[0][0] == "失业保险金" and "2175.00" in table.rows[0]
    assert s.receipt_cuts == 1 and "失业保险金" in s.receipt_text
    assert_rated(terminal, s)


def test_my_licences_lists_the_business_owners_e_licences(terminal: Terminal) -> None:
    s = terminal.run("my-licences", "business_owner")
    table = s.of_kind(StepKind.RECORDS)[-1].table
    assert table is not None
    titles = {row[0] for row in table.rows}
    assert titles == {"电子社会保障卡", "结婚证", "营业执照"}
    assert table.total == len(_seeded("business_owner").licences)
    assert_rated(terminal, s)


def test_case_progress_shows_the_case_just_submitted(terminal: Terminal) -> None:
    applied = terminal.run("residence-registration", "migrant", {
        "since": "2025-01-01", "housing": "单位宿舍", "reason": "job"})
    case = applied.run.record.case_number
    assert applied.result().outcome == "accepted"  # no rented home: a person checks (3 days)

    s = terminal.run("case-progress", "migrant", {"case_number": case})
    cases = s.of_kind(StepKind.RECORDS)[0]
    assert cases.table is not None
    assert any(row[0] == case and "居住登记" in row for row in cases.table.rows)
    progress = s.of_kind(StepKind.RECORDS)[-1]
    assert progress.table is not None
    steps = [row[1] for row in progress.table.rows]
    assert steps == ["已提交", "已受理"]
    assert "办理状态：已受理" in progress.table.summary
    assert s.receipt_cuts == 1 and case in s.receipt_text and "已受理" in s.receipt_text
    assert_rated(terminal, s)
