"""Same Idempotency-Key -> same case number / serial / ticket, and the sandbox counts one."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest

from kiosk.platform import ErrorKind, PlatformClient, PlatformError
from kiosk.sandbox import SandboxHandle, start_sandbox
from tests.platform.conftest import TERMINAL_ID, Admin, login, seed

SENIOR = ("senior-allowance", {"bank_account": "社会保障卡金融账户"})


def test_same_key_same_case_number_counted_once(client: PlatformClient, admin: Admin) -> None:
    token = login(client, "elder")
    key = str(uuid.uuid4())
    first = client.submit_application(*SENIOR[:1], token, SENIOR[1], idempotency_key=key)
    again = client.submit_application(*SENIOR[:1], token, SENIOR[1], idempotency_key=key)
    assert first.case_number == again.case_number and first.status == again.status
    assert (first.replayed, again.replayed) == (False, True)
    assert again.idempotency_key == key
    stats = admin.stats()
    assert stats["applications_by_key"] == {key: 1}
    assert stats["attempts_by_key"][key] == 2 and stats["totals"]["applications"] == 1


def test_same_key_same_certificate_serial(client: PlatformClient, admin: Admin) -> None:
    token = login(client, "worker")
    key = str(uuid.uuid4())
    serials = {
        client.issue_certificate("social-insurance-payment", token, idempotency_key=key).serial
        for _ in range(3)
    }
    assert len(serials) == 1
    assert admin.stats()["certificates_by_key"] == {key: 1}
    fresh = client.issue_certificate("social-insurance-payment", token)
    assert fresh.serial not in serials


def test_same_key_for_tickets_ratings_and_reports(client: PlatformClient, admin: Admin) -> None:
    token = login(client, "spouse_of_owner")
    keys = [str(uuid.uuid4()) for _ in range(3)]
    tickets = {
        client.book_appointment(token, "tax", idempotency_key=keys[0]).ticket for _ in range(2)
    }
    ratings = {
        client.rate("tax", 2, reasons=["等待时间长"], idempotency_key=keys[1]).rating_id
        for _ in range(2)
    }
    reports = {
        client.report_problem(
            "tax", "print", "打印问题", "打印机卡纸", idempotency_key=keys[2]
        ).report_id
        for _ in range(2)
    }
    assert len(tickets) == len(ratings) == len(reports) == 1
    stats = admin.stats()
    assert stats["appointments_by_key"] == {keys[0]: 1}
    assert stats["ratings_by_key"] == {keys[1]: 1}
    assert stats["problem_reports_by_key"] == {keys[2]: 1}


def test_key_reused_for_a_different_request_is_a_conflict(
    client: PlatformClient, admin: Admin
) -> None:
    token = login(client, "worker")
    key = str(uuid.uuid4())
    client.issue_certificate("social-insurance-payment", token, idempotency_key=key)
    with pytest.raises(PlatformError) as caught:
        client.issue_certificate("tax-payment", token, idempotency_key=key)
    assert caught.value.status == 409 and caught.value.code == "idempotency_conflict"
    assert caught.value.kind is ErrorKind.INVALID
    assert admin.stats()["certificates_by_key"] == {key: 1}


def test_concurrent_duplicates_make_one_case(client: PlatformClient, admin: Admin) -> None:
    token = login(client, "unemployed")
    key = str(uuid.uuid4())
    answers = {
        "last_employer": "演示区原单位",
        "leave_date": "2026-01-31",
        "leave_reason": "合同到期",
    }
    results: list[str] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            results.append(
                client.submit_application(
                    "unemployment-registration", token, answers, idempotency_key=key
                ).case_number
            )
        except BaseException as exc:  # collected and reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 6 and len(set(results)) == 1
    assert admin.stats()["applications_by_key"] == {key: 1}


def test_answer_lost_after_commit_then_retry_is_replayed(
    client: PlatformClient, admin: Admin, sleeps
) -> None:
    token = login(client, "elder")
    admin.faults(fail_after_commit=1, status=503)
    result = client.submit_application(*SENIOR[:1], token, SENIOR[1])
    assert result.replayed and result.status.value == "approved"
    stats = admin.stats()
    assert stats["applications_by_key"] == {result.idempotency_key: 1}
    assert stats["attempts_by_key"][result.idempotency_key] == 2
    assert sleeps.delays == [0.05]


def test_replay_survives_a_sandbox_restart(tmp_path: Path) -> None:
    # A journal resends exactly the stored request (same token, same key) after a crash.
    db = tmp_path / "sandbox.db"
    key = str(uuid.uuid4())
    token = ""
    serials = []
    for _ in range(2):
        handle: SandboxHandle = start_sandbox(db)
        try:
            with PlatformClient(handle.url, terminal_id=TERMINAL_ID, retries=0) as platform:
                if not token:
                    resident = seed("worker")
                    token = platform.verify_identity(
                        "sscard", id_number=resident.id_number
                    ).resident_token
                serials.append(
                    platform.issue_certificate(
                        "no-criminal-record", token, idempotency_key=key
                    ).serial
                )
        finally:
            handle.stop()
    assert serials[0] == serials[1]
