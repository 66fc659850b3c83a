"""Every endpoint, through the real client against the real sandbox over loopback mutual TLS.

Each raw answer is also validated against its schema in docs/api/openapi.yaml.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
import requests

from identifiers.elicence import elicence_id_valid
from kiosk.platform import (
    ErrorKind,
    PlatformClient,
    PlatformError,
    WireApplicationStatus,
    WireAttachment,
    WireDeviceReport,
    WireHeartbeatReport,
)
from kiosk.sandbox import SandboxHandle
from kiosk.sandbox.seed import RESIDENTS
from tests.platform.conftest import TERMINAL_ID, login, raw_tls, seed


def _raw(sandbox: SandboxHandle, method: str, path: str, **kwargs):
    response = requests.request(
        method, sandbox.url + path, timeout=5, **raw_tls(sandbox), **kwargs
    )
    return response.status_code, response.json()


def test_health(client: PlatformClient, sandbox: SandboxHandle, conforms) -> None:
    assert client.health().status == "ok"
    status, body = _raw(sandbox, "GET", "/v1/health")
    assert status == 200
    conforms("Health", body)


@pytest.mark.parametrize("resident", RESIDENTS, ids=lambda r: r.key)
def test_verify_by_id_card_then_profile(
    client: PlatformClient, resident, conforms, sandbox: SandboxHandle
) -> None:
    result = client.verify_identity("idcard", id_number=resident.id_number, name=resident.name)
    assert result.verified and result.resident_token
    assert result.display_name == resident.name[0] + "*" * (len(resident.name) - 1)
    profile = client.profile(result.resident_token)
    assert (profile.name, profile.id_number, profile.sex) == (
        resident.name,
        resident.id_number,
        resident.sex,
    )
    assert profile.birth_date == resident.birth_date.isoformat()
    assert resident.id_number not in repr(profile) and resident.name not in repr(profile)
    assert client.records(result.resident_token, "social-insurance-payments").total >= 24
    status, body = _raw(sandbox, "GET", f"/v1/residents/{result.resident_token}/profile")
    assert status == 200
    conforms("Profile", body)


def test_verify_by_social_security_card_and_qr_code(client: PlatformClient) -> None:
    resident = seed("elder")
    by_card = client.verify_identity("sscard", id_number=resident.id_number)
    by_code = client.verify_identity("qrcode", code=resident.qr_code)
    assert by_card.verified and by_code.verified
    assert by_card.resident_token != by_code.resident_token
    assert client.profile(by_code.resident_token).id_number == resident.id_number


def test_verify_by_face(client: PlatformClient, sandbox: SandboxHandle, conforms) -> None:
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"
    ok = client.verify_identity("face", id_number=seed("worker").id_number, face_jpeg=jpeg)
    assert ok.verified
    mismatch = client.verify_identity(
        "face", id_number=seed("face_mismatch").id_number, face_jpeg=jpeg
    )
    assert not mismatch.verified and mismatch.resident_token == ""
    assert mismatch.reason == "人脸比对未通过，请正对摄像头重试"
    no_photo = client.verify_identity("face", id_number=seed("graduate").id_number, face_jpeg=jpeg)
    assert not no_photo.verified and "登记照片" in no_photo.reason
    marked = client.verify_identity(
        "face",
        id_number=seed("worker").id_number,
        face_jpeg=jpeg[:-2] + b"SANDBOX-FACE-MISMATCH\xff\xd9",
    )
    assert not marked.verified
    with pytest.raises(PlatformError) as bad:
        client.verify_identity("face", id_number=seed("worker").id_number, face_jpeg=b"GIF89a")
    assert bad.value.kind is ErrorKind.INVALID and "照片" in bad.value.message
    status, body = _raw(
        sandbox,
        "POST",
        "/v1/identity/verify",
        json={
            "method": "face",
            "id_number": seed("face_mismatch").id_number,
            "face_jpeg_b64": "/9j/AAD/2Q==",
        },
    )
    assert status == 200
    conforms("Verification", body)


def test_verify_failures(client: PlatformClient, sandbox: SandboxHandle, conforms) -> None:
    wrong_name = client.verify_identity("idcard", id_number=seed("worker").id_number, name="王小二")
    assert not wrong_name.verified and wrong_name.reason == "姓名与证件号码不一致"
    with pytest.raises(PlatformError) as unknown:
        client.verify_identity("idcard", id_number="11010519491231002X")
    assert unknown.value.kind is ErrorKind.NOT_FOUND
    assert unknown.value.message == "未查询到您的信息，请到人工窗口咨询"
    assert "11010519491231002X" not in str(unknown.value)
    with pytest.raises(PlatformError) as bad_check:
        client.verify_identity("idcard", id_number="110105194912310021")
    assert bad_check.value.kind is ErrorKind.INVALID
    with pytest.raises(PlatformError) as bad_code:
        client.verify_identity("qrcode", code="SBXQR-000000000000")
    assert bad_code.value.kind is ErrorKind.NOT_FOUND
    status, body = _raw(sandbox, "POST", "/v1/identity/verify", json={"method": "iris"})
    assert status == 422
    conforms("Error", body)


def test_expired_or_unknown_token_is_rejected(client: PlatformClient) -> None:
    with pytest.raises(PlatformError) as caught:
        client.profile("no-such-token")
    assert caught.value.kind is ErrorKind.REJECTED and caught.value.status == 401
    assert caught.value.message == "身份核验已失效，请重新核验身份"


def test_social_insurance_payments_cover_24_months_and_page(
    client: PlatformClient, sandbox: SandboxHandle, conforms
) -> None:
    token = login(client, "worker")
    first = client.records(token, "social-insurance-payments", page=1, size=10)
    assert first.title == "社保缴费记录" and first.total >= 24 and len(first.items) == 10
    assert [c.label for c in first.columns] == [
        "缴费年月",
        "缴费单位",
        "缴费基数",
        "个人缴纳",
        "单位缴纳",
    ]
    second = client.records(token, "social-insurance-payments", page=2, size=10)
    assert first.items[-1]["month"] > second.items[0]["month"]  # newest first, no overlap
    assert first.rows()[0][0] == first.items[0]["month"]
    assert first.summary["months"] == first.total and first.pages == -(-first.total // 10)
    status, body = _raw(
        sandbox, "GET", f"/v1/residents/{token}/records/social-insurance-payments?page=3&size=5"
    )
    assert status == 200
    conforms("RecordPage", body)


@pytest.mark.parametrize(
    "kind", ["medical-insurance-account", "provident-fund-deposits", "archives", "applications"]
)
def test_other_record_kinds(
    client: PlatformClient, sandbox: SandboxHandle, conforms, kind: str
) -> None:
    token = login(client, "spouse_of_owner")
    page = client.records(token, kind)
    assert page.kind == kind and page.title and page.columns
    if kind != "applications":
        assert page.items
    status, body = _raw(sandbox, "GET", f"/v1/residents/{token}/records/{kind}")
    assert status == 200
    conforms("RecordPage", body)


def test_unknown_record_kind_and_bad_page(client: PlatformClient) -> None:
    token = login(client, "worker")
    with pytest.raises(PlatformError) as unknown:
        client.records(token, "lottery-wins")
    assert unknown.value.kind is ErrorKind.NOT_FOUND
    with pytest.raises(PlatformError) as bad:
        client.records(token, "archives", size=1000)
    assert bad.value.kind is ErrorKind.INVALID


def test_licences_carry_valid_gbt36904_identifiers(
    client: PlatformClient, sandbox: SandboxHandle, conforms
) -> None:
    token = login(client, "business_owner")
    licences = client.licences(token)
    assert {"营业执照", "结婚证"} <= {lic.title for lic in licences}
    assert all(elicence_id_valid(lic.licence_id) for lic in licences)
    status, body = _raw(sandbox, "GET", f"/v1/residents/{token}/licences")
    assert status == 200
    for item in body["items"]:
        conforms("Licence", item)


def test_benefits(client: PlatformClient, sandbox: SandboxHandle, conforms) -> None:
    codes = {b.code for b in client.benefits(login(client, "elder_receiving"))}
    assert {"senior-allowance", "senior-transit"} <= codes
    assert client.benefits(login(client, "nearly_senior")) == ()
    token = login(client, "mother")
    status, body = _raw(sandbox, "GET", f"/v1/residents/{token}/benefits")
    assert status == 200 and {"maternity-allowance", "newborn-medical"} <= {
        b["code"] for b in body["items"]
    }
    for item in body["items"]:
        conforms("Benefit", item)


def test_services_and_prefill(client: PlatformClient, sandbox: SandboxHandle, conforms) -> None:
    services = {s.code: s for s in client.services()}
    assert {
        "residence-registration",
        "unemployment-registration",
        "newborn-one-thing",
        "senior-allowance",
        "flexible-employment-insurance",
    } <= set(services)
    token = login(client, "mother")
    prefill = client.prefill("newborn-one-thing", token)
    assert prefill.fields["child_name"] == "陈小满"
    assert prefill.fields["birth_certificate_number"] == "Q310000001"
    assert seed("mother").id_number not in repr(prefill)
    status, body = _raw(
        sandbox,
        "GET",
        "/v1/services/unemployment-registration/prefill",
        params={"resident_token": login(client, "unemployed")},
    )
    assert status == 200 and body["fields"]["last_employer"]
    conforms("Prefill", body)


def test_application_then_progress(
    client: PlatformClient, sandbox: SandboxHandle, conforms
) -> None:
    token = login(client, "migrant")
    contract = WireAttachment(
        name="租赁合同.jpg", content_type="image/jpeg", data=b"\xff\xd8\xff" + b"contract" * 100
    )
    result = client.submit_application(
        "residence-registration",
        token,
        {"address": seed("migrant").address, "start_date": "2025-03-01", "housing": "租赁住房"},
        attachments=[contract],
    )
    assert result.status is WireApplicationStatus.APPROVED and result.case_number.startswith("SB")
    assert result.idempotency_key and not result.replayed
    progress = client.application(result.case_number)
    assert progress.status is WireApplicationStatus.APPROVED
    assert [h.status for h in progress.history] == ["submitted", "approved"]
    cases = client.records(token, "applications")
    assert cases.items[0]["case_number"] == result.case_number
    status, body = _raw(sandbox, "GET", f"/v1/applications/{result.case_number}")
    assert status == 200
    conforms("ApplicationProgress", body)
    with pytest.raises(PlatformError) as missing:
        client.application("SB00000000000000")
    assert missing.value.kind is ErrorKind.NOT_FOUND


def test_application_answers_are_validated(client: PlatformClient) -> None:
    token = login(client, "migrant")
    with pytest.raises(PlatformError) as caught:
        client.submit_application("residence-registration", token, {"housing": "租赁住房"})
    assert caught.value.kind is ErrorKind.INVALID and caught.value.message == "请填写居住地址"


def test_corrupt_attachment_is_refused(client: PlatformClient, sandbox: SandboxHandle) -> None:
    token = login(client, "migrant")
    status, body = _raw(
        sandbox,
        "POST",
        "/v1/applications",
        headers={"Idempotency-Key": str(uuid.uuid4())},
        json={
            "service": "residence-registration",
            "resident_token": token,
            "terminal_id": TERMINAL_ID,
            "answers": {},
            "attachments": [
                {
                    "name": "a.jpg",
                    "content_type": "image/jpeg",
                    "sha256": "0" * 64,
                    "data_b64": "AAAA",
                }
            ],
        },
    )
    assert status == 422 and body["error"]["code"] == "attachment_corrupt"


ALL_KINDS_BY_RESIDENT = [
    ("social-insurance-payment", "worker"),
    ("personal-rights-record", "divorced"),
    ("provident-fund-deposit", "spouse_of_owner"),
    ("marriage-record", "divorced"),
    ("no-criminal-record", "worker"),
    ("business-licence", "business_owner"),
    ("tax-payment", "business_owner"),
]


@pytest.mark.parametrize(("kind", "key"), ALL_KINDS_BY_RESIDENT)
def test_certificate_issue_every_kind(
    client: PlatformClient, sandbox: SandboxHandle, conforms, kind: str, key: str
) -> None:
    token = login(client, key)
    certificate = client.issue_certificate(kind, token)
    assert certificate.kind == kind and certificate.serial.startswith("ZM")
    assert certificate.issue_date == date.today() and certificate.title and certificate.fields
    assert certificate.holder_id_number == seed(key).id_number
    assert seed(key).id_number not in repr(certificate)
    document = certificate.to_document()
    assert document.serial == certificate.serial and document.holder_name == seed(key).name
    check = client.check_certificate(certificate.serial)
    assert check.valid and check.holder_id_masked.endswith(seed(key).id_number[-4:])
    assert seed(key).id_number not in check.holder_id_masked
    status, body = _raw(
        sandbox,
        "POST",
        "/v1/certificates",
        headers={"Idempotency-Key": str(uuid.uuid4())},
        json={"kind": kind, "resident_token": token, "terminal_id": TERMINAL_ID},
    )
    assert status == 201 and body["serial"] != certificate.serial
    conforms("Certificate", body)
    status, body = _raw(sandbox, "GET", f"/v1/certificates/{certificate.serial}")
    conforms("CertificateCheck", body)


def test_social_insurance_certificate_table(client: PlatformClient) -> None:
    certificate = client.issue_certificate("social-insurance-payment", login(client, "worker"))
    assert certificate.table is not None and len(certificate.table.rows) >= 24
    assert certificate.table.columns[0] == "缴费年月"


def test_acceptance_receipt_reprint(client: PlatformClient) -> None:
    token = login(client, "unemployed")
    case = client.submit_application(
        "unemployment-registration",
        token,
        {"last_employer": "演示区原单位", "leave_date": "2026-01-31", "leave_reason": "合同到期"},
    )
    receipt = client.issue_certificate("acceptance-receipt", token, case_number=case.case_number)
    assert ("办件编号", case.case_number) in receipt.fields
    with pytest.raises(PlatformError) as no_case:
        client.issue_certificate("acceptance-receipt", token)
    assert no_case.value.kind is ErrorKind.INVALID and "办件编号" in no_case.value.message
    other = login(client, "worker")
    with pytest.raises(PlatformError) as caught:
        client.issue_certificate("acceptance-receipt", other, case_number=case.case_number)
    assert caught.value.kind is ErrorKind.NOT_FOUND


@pytest.mark.parametrize(
    ("kind", "key", "words"),
    [
        ("no-criminal-record", "record_holder", "公安机关窗口"),
        ("business-licence", "worker", "营业执照"),
        ("tax-payment", "elder", "纳税记录"),
        ("provident-fund-deposit", "elder", "公积金"),
    ],
)
def test_certificate_not_eligible(client: PlatformClient, kind: str, key: str, words: str) -> None:
    with pytest.raises(PlatformError) as caught:
        client.issue_certificate(kind, login(client, key))
    assert caught.value.kind is ErrorKind.REJECTED and caught.value.status == 403
    assert words in caught.value.message


def test_appointment(client: PlatformClient, sandbox: SandboxHandle, conforms) -> None:
    token = login(client, "spouse_of_owner")
    first = client.book_appointment(token, "senior-allowance")
    second = client.book_appointment(token, "senior-allowance")
    assert first.window == second.window and first.ticket != second.ticket
    assert second.waiting == first.waiting + 1
    later = client.book_appointment(token, "tax", day=date.today() + timedelta(days=3))
    assert later.date == (date.today() + timedelta(days=3)).isoformat()
    with pytest.raises(PlatformError) as caught:
        client.book_appointment(token, "tax", day=date.today() + timedelta(days=30))
    assert caught.value.kind is ErrorKind.INVALID
    status, body = _raw(
        sandbox,
        "POST",
        "/v1/appointments",
        headers={"Idempotency-Key": str(uuid.uuid4())},
        json={"resident_token": token, "terminal_id": TERMINAL_ID, "service": "tax"},
    )
    assert status == 201
    conforms("Appointment", body)


def test_rating_and_problem_report(
    client: PlatformClient, sandbox: SandboxHandle, conforms
) -> None:
    token = login(client, "worker")
    receipt = client.rate("social-insurance-payments", 5, resident_token=token)
    assert receipt.rating_id.startswith("PJ")
    report = client.report_problem(
        "senior-allowance", "submit", "材料问题", "系统提示缺少材料，但我已经上传"
    )
    assert report.report_id.startswith("FY") and report.reply_within_days == 3
    status, body = _raw(
        sandbox,
        "POST",
        "/v1/ratings",
        headers={"Idempotency-Key": str(uuid.uuid4())},
        json={"terminal_id": TERMINAL_ID, "service": "x", "score": 4},
    )
    assert status == 201
    conforms("RatingReceipt", body)
    status, body = _raw(
        sandbox,
        "POST",
        "/v1/problem-reports",
        headers={"Idempotency-Key": str(uuid.uuid4())},
        json={
            "terminal_id": TERMINAL_ID,
            "service": "x",
            "step": "identify",
            "category": "设备问题",
            "description": "读卡器没有反应",
        },
    )
    assert status == 201
    conforms("ProblemReportReceipt", body)


def test_heartbeat_and_fleet_schema(
    client: PlatformClient, sandbox: SandboxHandle, conforms
) -> None:
    ack = client.heartbeat(
        WireHeartbeatReport(
            app_version="0.1.0",
            bundle_version="2026.11.1",
            devices={"receipt": WireDeviceReport(state="ready", supplies="low")},
        )
    )
    assert ack.ok
    status, body = _raw(sandbox, "GET", "/v1/terminals")
    assert status == 200
    for item in body["items"]:
        conforms("TerminalStatus", item)


def test_creating_post_without_key_is_a_bad_request(sandbox: SandboxHandle, conforms) -> None:
    status, body = _raw(
        sandbox,
        "POST",
        "/v1/ratings",
        json={"terminal_id": TERMINAL_ID, "service": "x", "score": 4},
    )
    assert status == 400 and body["error"]["code"] == "idempotency_key_required"
    conforms("Error", body)


def test_unknown_route_and_wrong_method(sandbox: SandboxHandle) -> None:
    assert _raw(sandbox, "GET", "/v1/nothing-here")[0] == 404
    assert _raw(sandbox, "DELETE", "/v1/health")[0] == 405
    status, body = _raw(
        sandbox,
        "POST",
        "/v1/identity/verify",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert status == 400 and body["error"]["code"] == "bad_json"
