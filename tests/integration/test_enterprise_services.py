"""法人办事 query services end to end in the sandbox: the enterprise's tax payments and its
social-insurance payments, page by page with their totals, the summary slip on the thermal
printer. The records are what the sandbox seeds for the enterprise of `company_director`
(kiosk/sandbox/records.py)."""

from __future__ import annotations

from datetime import date

from flows.views import StepKind
from kiosk.sandbox import records as sandbox_records
from kiosk.sandbox.seed import by_key
from tests.integration.conftest import Terminal, assert_rated


def test_enterprise_tax_records_all_pages_and_total(terminal: Terminal) -> None:
    s = terminal.run("enterprise-tax-records", "company_director", {"_all_pages": True})
    seeded = sandbox_records.build(by_key("company_director"), date.today())
    items = seeded.records["enterprise-tax"]
    table = s.of_kind(StepKind.RECORDS)[-1].table
    assert table is not None and table.total == len(items) == 16  # 12 VAT + 4 income tax
    assert table.pages == 2
    shown = {row for v in s.of_kind(StepKind.RECORDS) if v.table for row in v.table.rows}
    assert len(shown) == 16 and sum("企业所得税" in row for row in shown) == 4
    total = seeded.summaries["enterprise-tax"]["total"]
    assert s.receipt_cuts == 1 and total in s.receipt_text
    assert "演示区星河科技有限公司" in s.receipt_text
    assert_rated(terminal, s)


def test_enterprise_social_insurance_months_and_staff(terminal: Terminal) -> None:
    s = terminal.run("enterprise-social-insurance", "company_director", {"_all_pages": True})
    table = s.of_kind(StepKind.RECORDS)[-1].table
    assert table is not None and table.total == 12
    staff = str(sandbox_records.staff_of(by_key("company_director")))
    assert table.rows[0][1] == staff
    assert s.receipt_cuts == 1 and staff in s.receipt_text
    assert_rated(terminal, s)


def test_enterprise_records_are_empty_for_a_resident_without_a_business(
        terminal: Terminal) -> None:
    s = terminal.run("enterprise-tax-records", "worker")
    table = s.of_kind(StepKind.RECORDS)[-1].table
    assert table is not None and table.total == 0
