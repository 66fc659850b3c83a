"""办理 services end to end in the sandbox: the platform's own rules decide, the kiosk shows and
prints what they decided, the case can be followed in 办件进度 afterwards.

Residents (docs/sandbox.md): `migrant` (non-local, renting: 居住登记 approved), `record_holder`
(local household: refused), `unemployed`, `flexible`, `mother`/`worker` (parents of 陈小满),
`elder` (70: approved, 150 yuan), `nearly_senior` (60: refused), `elder_receiving`,
`spouse_of_owner` (预约取号).
"""

from __future__ import annotations

from datetime import date, timedelta

from flows.views import StepKind
from tests.integration.conftest import Terminal, assert_rated

BANK_ACCOUNT = "6222020200112233445"


def _days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


def test_residence_registration_migrant_renting_is_approved_with_the_tenancy_photo(
        terminal: Terminal) -> None:
    s = terminal.run("residence-registration", "migrant", {
        "since": _days_ago(400), "housing": "租赁住房", "reason": "job"})
    assert s.done
    check = s.of_kind(StepKind.CHECK)[-1]
    prefilled = {f.key: f.value for f in check.fields if f.prefilled}
    assert prefilled["address"] == s.resident.address  # 智能预填 from the platform
    assert prefilled["employer"] == s.resident.employer
    assert any(v.kind is StepKind.CAPTURE for v in s.views)  # the contract photographed
    result = s.result()
    assert result.outcome == "approved" and "材料齐全，自动核准" in result.body
    case = s.run.record.case_number
    stored = terminal.stored_application(case)
    assert stored["service"] == "residence-registration"
    assert stored["answers"]["start_date"] == _days_ago(400)
    assert stored["answers"]["housing"] == "租赁住房"
    assert len(stored["attachments"]) == 1 and stored["attachments"][0]["size"] > 1000
    assert terminal.application(case)["status"] == "approved"
    # the acceptance receipt (受理回执) came out of the thermal printer with the case number
    assert s.receipt_cuts == 1
    assert case in s.receipt_text and "居住登记" in s.receipt_text
    assert case in s.receipt_qr
    assert_rated(terminal, s)


def test_residence_registration_local_household_is_refused_with_the_reason(
        terminal: Terminal) -> None:
    s = terminal.run("residence-registration", "record_holder", {
        "since": _days_ago(30), "housing": "自有住房", "reason": "family"})
    result = s.result()
    assert result.outcome == "refused"
    assert "您的户籍在本市，无需办理居住登记" in result.body
    assert terminal.application(s.run.record.case_number)["status"] == "refused"
    assert s.receipt_cuts == 0  # nothing to print for a refusal
    assert_rated(terminal, s)


def test_unemployment_registration_is_approved_without_an_employer(terminal: Terminal) -> None:
    s = terminal.run("unemployment-registration", "unemployed", {
        "left_on": _days_ago(90), "reason": "劳动合同期满", "training": "yes"})
    result = s.result()
    assert result.outcome == "approved" and "符合条件，自动核准" in result.body
    stored = terminal.stored_application(s.run.record.case_number)
    assert stored["answers"]["leave_date"] == _days_ago(90)
    assert stored["answers"]["leave_reason"] == "劳动合同期满"
    assert stored["answers"]["last_employer"]  # pre-filled from the payment records
    assert s.receipt_cuts == 1 and "劳动合同期满" in s.receipt_text
    assert_rated(terminal, s)


def test_unemployment_registration_flexibly_insured_is_refused(terminal: Terminal) -> None:
    s = terminal.run("unemployment-registration", "flexible", {
        "left_on": _days_ago(200), "reason": "个人辞职", "training": "no"})
    result = s.result()
    assert result.outcome == "refused"
    assert "以灵活就业人员身份参保" in result.body
    assert_rated(terminal, s)


def test_unemployment_registration_past_retirement_age_is_stopped_before_submitting(
        terminal: Terminal) -> None:
    before = terminal.stats()["totals"]["applications"]
    s = terminal.run("unemployment-registration", "nearly_senior", {})
    message = next(v for v in s.views if v.step_id == "too-old")
    assert "法定劳动年龄" in message.body  # the platform's own rule, checked up front
    assert not s.of_kind(StepKind.SUBMIT) and s.run.record.case_number == ""
    assert terminal.stats()["totals"]["applications"] == before
    assert_rated(terminal, s)


def test_flexible_employment_insurance_approved_then_a_repeat_is_refused(
        terminal: Terminal) -> None:
    s = terminal.run("flexible-employment-insurance", "unemployed",
                     {"bank_account": BANK_ACCOUNT})
    check = s.of_kind(StepKind.CHECK)[-1]
    base = next(f for f in check.fields if f.key == "base")
    assert base.prefilled and base.value == "社平工资的100%"  # the platform's suggested level
    assert s.result().outcome == "approved"
    assert terminal.stored_application(s.run.record.case_number)["answers"]["base_level"] == "100"
    assert s.receipt_cuts == 1 and "社平工资的100%" in s.receipt_text
    again = terminal.run("flexible-employment-insurance", "unemployed",
                         {"bank_account": BANK_ACCOUNT})
    assert again.result().outcome == "refused"
    assert "无需重复办理" in again.result().body
    assert_rated(terminal, again)


def test_newborn_bundle_mother_with_e_licences_is_accepted_and_father_cannot_repeat(
        terminal: Terminal) -> None:
    father = terminal.identity("worker").id_number
    answers = {"items": ["hukou", "medical", "sscard"], "baby_sex": "female",
               "baby_birth_date": _days_ago(40), "hospital": "演示区妇幼保健院",
               "household_choice": "随父", "other_parent_id": father}
    s = terminal.run("newborn-bundle", "mother", answers)
    check = s.of_kind(StepKind.CHECK)[-1]
    prefilled = {f.key: f.value for f in check.fields if f.prefilled}
    assert prefilled["baby_name"] == "陈小满"  # from her electronic birth certificate
    licence_view = s.of_kind(StepKind.LICENCE)[0]
    offered = {o.label for o in licence_view.options}
    assert {"出生医学证明", "结婚证"} <= offered
    # the e-licences replace the paper: only the household register was photographed
    captured = [v.title for v in s.of_kind(StepKind.CAPTURE)]
    assert captured and all("户口簿" in t for t in captured)
    result = s.result()
    assert result.outcome == "accepted" and "出生医学证明已核验" in result.body
    stored = terminal.stored_application(s.run.record.case_number)
    assert stored["service"] == "newborn-one-thing"
    assert stored["answers"]["child_name"] == "陈小满"
    assert stored["answers"]["household_choice"] == "随父"
    assert len(stored["licences"]) == 2 and len(stored["attachments"]) == 1
    assert s.receipt_cuts == 1 and s.run.record.case_number in s.receipt_text
    assert_rated(terminal, s)

    repeat = terminal.run("newborn-bundle", "worker", {**answers,
                                                       "other_parent_id": s.resident.id_number})
    assert repeat.result().outcome == "refused"
    assert "已申请，无需重复办理" in repeat.result().body


def test_elderly_allowance_is_approved_automatically_at_seventy(terminal: Terminal) -> None:
    s = terminal.run("elderly-allowance", "elder")
    assert not any(v.step_id == "not-eligible" for v in s.views)
    check = s.of_kind(StepKind.CHECK)[-1]
    bank = next(f for f in check.fields if f.key == "bank")
    assert bank.prefilled and bank.value == "社会保障卡金融账户"  # what the platform pays into
    assert not any(f.key == "bank_account" for f in check.fields)  # no account number to type
    result = s.result()
    assert result.outcome == "approved"
    assert "符合条件，自动核准：每月150元" in result.body
    stored = terminal.stored_application(s.run.record.case_number)
    assert stored["service"] == "senior-allowance"
    assert stored["answers"]["bank_account"] == "社会保障卡金融账户"
    assert s.receipt_cuts == 1 and "已办结" in s.receipt_text
    assert "社会保障卡金融账户" in s.receipt_text
    assert_rated(terminal, s)


def test_elderly_allowance_under_sixty_five_is_refused_with_the_age(terminal: Terminal) -> None:
    s = terminal.run("elderly-allowance", "nearly_senior",
                     {"bank": "boc", "bank_account": BANK_ACCOUNT})
    stored = terminal.stored_application(s.run.record.case_number)
    assert stored["answers"]["bank_account"] == "社会保障卡金融账户"  # pre-filled, kept
    assert any(v.step_id == "not-eligible" for v in s.views)  # warned, may still apply
    result = s.result()
    assert result.outcome == "refused"
    assert "年满65周岁方可申请，您目前60周岁" in result.body
    assert_rated(terminal, s)


def test_elderly_allowance_already_receiving_is_refused(terminal: Terminal) -> None:
    s = terminal.run("elderly-allowance", "elder_receiving",
                     {"bank": "icbc", "bank_account": BANK_ACCOUNT})
    assert s.result().outcome == "refused"
    assert "您已在享受老年综合津贴" in s.result().body


def test_appointment_books_tomorrow_for_the_chosen_business(terminal: Terminal) -> None:
    s = terminal.run("appointment", "spouse_of_owner", {"business": "household",
                                                        "when": "tomorrow"})
    result = s.result()
    ticket = s.run.record.ticket
    assert result.outcome == "accepted" and result.reference == ticket
    window = s.run.data["submit"]["window"]
    assert window.endswith("号窗口") and f"请到{window}办理" in result.body
    booked = terminal.stats()["appointments_by_key"]
    assert booked.get(s.run.idempotency_key("submit:submit")) == 1
    # the ticket (排队凭条) printed with the business chosen
    assert s.receipt_cuts == 1
    assert ticket in s.receipt_text and "户籍业务" in s.receipt_text and window in s.receipt_text
    assert_rated(terminal, s)


def test_problem_report_reaches_the_platform(terminal: Terminal) -> None:
    description = "自助机上找不到居住证签注"
    s = terminal.run("problem-report", "worker", {"_report": description})
    assert s.done
    report_id = s.run.record.report_ids[0]
    assert report_id.startswith("FY")
    assert any(report_id in v.body for v in s.views if v.kind is StepKind.MESSAGE)
    stats = terminal.stats()
    assert stats["problem_reports_by_key"].get(s.run.idempotency_key("report:0")) == 1
    assert_rated(terminal, s)
