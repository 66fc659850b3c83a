"""Deterministic rules per service: approved automatically, accepted, or refused with a reason."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.platform import PlatformClient, WireApplicationStatus
from tests.platform.conftest import login, seed

RESIDENCE = {
    "address": "上海市演示区新苑路18弄7号303室",
    "start_date": "2025-03-01",
    "housing": "租赁住房",
}
UNEMPLOYMENT = {
    "last_employer": "演示区原单位",
    "leave_date": "2026-01-31",
    "leave_reason": "合同到期",
}
NEWBORN = {
    "child_name": "陈小满",
    "household_choice": "随父",
    "birth_certificate_number": "Q310000001",
}
SENIOR = {"bank_account": "社会保障卡金融账户"}
FLEXIBLE = {"base_level": "100"}

CASES: list[tuple[str, str, dict[str, Any], WireApplicationStatus, str]] = [
    # service, resident, answers, expected status, words in the reason
    ("residence-registration", "migrant", RESIDENCE, WireApplicationStatus.ACCEPTED, "已受理"),
    (
        "residence-registration",
        "record_holder",
        RESIDENCE,
        WireApplicationStatus.REFUSED,
        "户籍在本市",
    ),
    (
        "unemployment-registration",
        "unemployed",
        UNEMPLOYMENT,
        WireApplicationStatus.APPROVED,
        "自动核准",
    ),
    (
        "unemployment-registration",
        "worker",
        UNEMPLOYMENT,
        WireApplicationStatus.REFUSED,
        "仍由单位参保",
    ),
    (
        "unemployment-registration",
        "flexible",
        UNEMPLOYMENT,
        WireApplicationStatus.REFUSED,
        "灵活就业",
    ),
    (
        "unemployment-registration",
        "nearly_senior",
        UNEMPLOYMENT,
        WireApplicationStatus.REFUSED,
        "法定退休年龄",
    ),
    ("newborn-one-thing", "mother", NEWBORN, WireApplicationStatus.ACCEPTED, "出生医学证明已核验"),
    ("newborn-one-thing", "elder", NEWBORN, WireApplicationStatus.REFUSED, "未查询到"),
    (
        "newborn-one-thing",
        "worker",
        {**NEWBORN, "birth_certificate_number": "Q319999999"},
        WireApplicationStatus.REFUSED,
        "编号与登记信息不一致",
    ),
    (
        "newborn-one-thing",
        "worker",
        {**NEWBORN, "child_name": "陈大满"},
        WireApplicationStatus.REFUSED,
        "姓名",
    ),
    ("senior-allowance", "elder", SENIOR, WireApplicationStatus.APPROVED, "自动核准：每月"),
    ("senior-allowance", "centenarian_track", SENIOR, WireApplicationStatus.APPROVED, "每月350元"),
    ("senior-allowance", "elder_receiving", SENIOR, WireApplicationStatus.REFUSED, "已在享受"),
    ("senior-allowance", "nearly_senior", SENIOR, WireApplicationStatus.REFUSED, "年满65周岁"),
    ("senior-allowance", "graduate", SENIOR, WireApplicationStatus.REFUSED, "年满65周岁"),
    (
        "flexible-employment-insurance",
        "unemployed",
        FLEXIBLE,
        WireApplicationStatus.APPROVED,
        "自动核准",
    ),
    (
        "flexible-employment-insurance",
        "flexible",
        FLEXIBLE,
        WireApplicationStatus.REFUSED,
        "已登记",
    ),
    (
        "flexible-employment-insurance",
        "worker",
        FLEXIBLE,
        WireApplicationStatus.REFUSED,
        "由单位参保",
    ),
    ("flexible-employment-insurance", "elder", FLEXIBLE, WireApplicationStatus.REFUSED, "劳动年龄"),
    ("some-future-service", "worker", {}, WireApplicationStatus.ACCEPTED, "已受理"),
]


@pytest.mark.parametrize(
    ("service", "key", "answers", "status", "words"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{c[3].value}" for c in CASES],
)
def test_rule(
    client: PlatformClient,
    service: str,
    key: str,
    answers: dict[str, Any],
    status: WireApplicationStatus,
    words: str,
) -> None:
    result = client.submit_application(service, login(client, key), answers)
    assert result.status is status
    assert words in result.reason
    assert result.next_step
    if status is WireApplicationStatus.ACCEPTED:
        assert result.time_limit_days > 0
    progress = client.application(result.case_number)
    assert progress.status is status and progress.history[-1].note == result.reason


def test_residence_with_contract_licence_is_approved(client: PlatformClient) -> None:
    token = login(client, "migrant")
    licence = client.licences(token)[0].licence_id
    result = client.submit_application(
        "residence-registration", token, RESIDENCE, licences=[licence]
    )
    assert result.status is WireApplicationStatus.APPROVED


def test_newborn_with_attached_birth_licence_needs_no_number(client: PlatformClient) -> None:
    token = login(client, "mother")
    birth = [lic for lic in client.licences(token) if lic.type == "birth"]
    answers = {"child_name": "陈小满", "household_choice": "随母"}
    result = client.submit_application(
        "newborn-one-thing", token, answers, licences=[birth[0].licence_id]
    )
    assert result.status is WireApplicationStatus.ACCEPTED


def test_second_application_is_refused_as_a_repeat(client: PlatformClient) -> None:
    elder = login(client, "elder")
    assert client.submit_application("senior-allowance", elder, SENIOR).status.value == "approved"
    again = client.submit_application("senior-allowance", elder, SENIOR)
    assert again.status is WireApplicationStatus.REFUSED and "已在享受" in again.reason
    assert "senior-allowance" in {b.code for b in client.benefits(elder)}


def test_one_newborn_one_application_for_both_parents(client: PlatformClient) -> None:
    first = client.submit_application("newborn-one-thing", login(client, "mother"), NEWBORN)
    second = client.submit_application("newborn-one-thing", login(client, "worker"), NEWBORN)
    assert first.status is WireApplicationStatus.ACCEPTED
    assert second.status is WireApplicationStatus.REFUSED and "无需重复" in second.reason


def test_someone_elses_licence_cannot_be_attached(client: PlatformClient) -> None:
    from kiosk.platform import ErrorKind, PlatformError

    other = client.licences(login(client, "business_owner"))[0].licence_id
    with pytest.raises(PlatformError) as caught:
        client.submit_application(
            "residence-registration", login(client, "migrant"), RESIDENCE, licences=[other]
        )
    assert caught.value.kind is ErrorKind.INVALID and "电子证照" in caught.value.message
    assert seed("migrant").id_number not in str(caught.value)


def test_senior_allowance_amount_follows_the_age_bracket(client: PlatformClient) -> None:
    from datetime import date

    from kiosk.sandbox.records import senior_allowance_per_month

    for key in ("elder", "centenarian_track"):
        amount = senior_allowance_per_month(seed(key).age_on(date.today()))
        result = client.submit_application("senior-allowance", login(client, key), SENIOR)
        assert result.reason == f"符合条件，自动核准：每月{amount}元"


def test_accepted_case_is_done_once_its_time_limit_passed(tmp_path) -> None:
    from datetime import date, timedelta

    from kiosk.platform import PlatformClient
    from kiosk.sandbox import start_sandbox

    day = [date.today()]
    handle = start_sandbox(tmp_path / "sandbox.db", today=lambda: day[0])
    try:
        with PlatformClient(handle.url, terminal_id="T", retries=0) as platform:
            token = login(platform, "mother")
            case = platform.submit_application("newborn-one-thing", token, NEWBORN)
            assert case.status is WireApplicationStatus.ACCEPTED and case.time_limit_days == 5
            day[0] += timedelta(days=4)
            assert platform.application(case.case_number).status is WireApplicationStatus.ACCEPTED
            day[0] += timedelta(days=1)
            progress = platform.application(case.case_number)
            assert progress.status is WireApplicationStatus.APPROVED
            assert [h.label for h in progress.history] == ["已提交", "已受理", "已办结"]
            listed = platform.records(token, "applications").items[0]
            assert listed["status"] == "approved" and listed["status_label"] == "已办结"
    finally:
        handle.stop()
