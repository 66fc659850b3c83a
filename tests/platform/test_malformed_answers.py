"""A platform that answers well-formed JSON of the wrong shape: wrong types, missing fields,
extra fields (ADR 0480).

A real HTTP server (`HostileServer("answer")`) answers every request with the JSON given. A
wrong type or a missing field is one `PlatformError` SERVER_ERROR ``bad_answer:<call>`` with our
plain Chinese message, never another exception, and neither the error nor the log carries a
value from the answer; fields the API does not (yet) name are ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from kiosk.adapters.identity import PlatformVerifier, VerificationRefused
from kiosk.harness.bench.hostile import HostileServer
from kiosk.i18n import DEFAULT_LOCALE, set_locale
from kiosk.platform import ErrorKind, PlatformClient, PlatformError
from kiosk.platform.errors import DEFAULT_MESSAGES

ID_NUMBER = "11010519491231002X"
NAME = "王秀英"
TOKEN = "rt-secret-token-value"

Call = Callable[[PlatformClient], Any]

CERTIFICATE = {
    "serial": "SB-2026-000123",
    "kind": "social-insurance-payment",
    "title": "社会保险参保缴费证明",
    "issuer": "北京市社会保险事业管理中心",
    "issue_date": "2026-12-03",
    "holder_name": NAME,
    "holder_id_number": ID_NUMBER,
    "fields": [["参保状态", "正常参保"]],
    "table": {"columns": ["年月", "金额"], "rows": [["2026-11", "1,234.00"]]},
    "notes": ["本证明可通过二维码核验"],
}


def _issue(client: PlatformClient) -> Any:
    return client.issue_certificate("social-insurance-payment", TOKEN)


def _verify(client: PlatformClient) -> Any:
    return client.verify_identity("idcard", id_number=ID_NUMBER, name=NAME)


def _book(client: PlatformClient) -> Any:
    return client.book_appointment(TOKEN, "residence-registration")


def _records(client: PlatformClient) -> Any:
    return client.records(TOKEN, "social-insurance-payments")


WRONG_TYPES: list[tuple[str, Call, Any]] = [
    ("verify_identity", _verify, {"verified": "yes", "resident_token": TOKEN, "display_name": 7}),
    ("profile", lambda c: c.profile(TOKEN), [NAME, ID_NUMBER]),
    ("profile", lambda c: c.profile(TOKEN), {"name": NAME, "id_number": 110105194912310020}),
    ("records", _records, {"kind": "archives", "page": "one", "items": [], "columns": []}),
    ("records", _records, {"kind": "archives", "items": [[NAME, ID_NUMBER]]}),
    ("licences", lambda c: c.licences(TOKEN), {"items": [{"licence_id": 1, "title": "驾驶证"}]}),
    ("licences", lambda c: c.licences(TOKEN), {"items": {"licence_id": "1"}}),
    ("benefits", lambda c: c.benefits(TOKEN), {"items": [{"code": "b1", "amount": 12.5}]}),
    ("services", lambda c: c.services(), {"items": [{"code": "s", "answers": {"a": 1}}]}),
    (
        "application",
        lambda c: c.application("BJ20261203000001"),
        {"case_number": "BJ20261203000001", "status": "maybe", "history": []},
    ),
    (
        "application",
        lambda c: c.application("BJ20261203000001"),
        {"case_number": "BJ20261203000001", "status": "accepted", "history": "none"},
    ),
    ("issue_certificate", _issue, {**CERTIFICATE, "issue_date": 20261203}),
    ("issue_certificate", _issue, {**CERTIFICATE, "issue_date": "3 December"}),
    ("issue_certificate", _issue, {**CERTIFICATE, "fields": [["参保状态"]]}),
    ("issue_certificate", _issue, {**CERTIFICATE, "table": {"columns": "年月", "rows": []}}),
    ("book_appointment", _book, {"ticket": "A001", "window": "3号窗口", "waiting": "many"}),
    ("book_appointment", _book, {"ticket": 1, "window": "3号窗口", "waiting": 2}),
    ("rate", lambda c: c.rate("residence-registration", 5), {"rating_id": ["r1"]}),
    ("terminals", lambda c: c.terminals(), {"items": "none"}),
    (
        "check_certificate",
        lambda c: c.check_certificate("SB-2026-000123"),
        {"serial": "SB-2026-000123", "valid": "true"},
    ),
]

MISSING_FIELDS: list[tuple[str, Call, Any]] = [
    ("verify_identity", _verify, {"resident_token": TOKEN, "display_name": "王*"}),
    ("records", _records, {"title": "社保缴费记录", "items": []}),
    ("prefill", lambda c: c.prefill("residence-registration", TOKEN), {"service": "x"}),
    ("licences", lambda c: c.licences(TOKEN), {"total": 1}),
    (
        "submit_application",
        lambda c: c.submit_application("residence-registration", TOKEN, {"address": "某地"}),
        {"status": "accepted", "reason": "已受理"},
    ),
    ("issue_certificate", _issue, {k: v for k, v in CERTIFICATE.items() if k != "serial"}),
    (
        "issued_certificates",
        lambda c: c.issued_certificates(TOKEN),
        {"items": [{"serial": "SB-2026-000123", "title": "证明"}]},
    ),
    ("book_appointment", _book, {"window": "3号窗口", "waiting": 2}),
    ("rate", lambda c: c.rate("residence-registration", 5), {}),
    (
        "report_problem",
        lambda c: c.report_problem("residence-registration", "identify", "device", "读卡失败"),
        {"report_id": "P1"},
    ),
    ("terminals", lambda c: c.terminals(), {"items": [{"app_version": "0.1.0"}]}),
]


def _client(server: HostileServer) -> PlatformClient:
    return PlatformClient(server.url, terminal_id="T-0001", timeout_seconds=2.0, retries=0)


def _refused(answer: Any, call: Call, caplog: pytest.LogCaptureFixture) -> PlatformError:
    caplog.set_level(logging.DEBUG, logger="kiosk")
    with (
        HostileServer("answer", answer=answer) as server,
        _client(server) as client,
        pytest.raises(PlatformError) as caught,
    ):
        call(client)
    return caught.value


def _holds_no_value(error: PlatformError, caplog: pytest.LogCaptureFixture) -> None:
    # The kiosk's own records (urllib3's debug lines carry URLs; the kiosk's log configuration
    # masks tokens in them, tests/platform/test_tokens_masked_in_any_text.py).
    ours = [r for r in caplog.records if r.name.startswith("kiosk")]
    assert ours, "the bad answer is logged"
    logged = " ".join(r.getMessage() + repr(r.__dict__) for r in ours)
    for secret in (ID_NUMBER, NAME, TOKEN, "110105194912310020"):
        assert secret not in str(error) and secret not in repr(error)
        assert secret not in logged
    # The validation error (whose text quotes the answer) is not chained to ours.
    assert error.__cause__ is None and error.__context__ is None


def _plain_server_error(op: str, call: Call, answer: Any,
                        caplog: pytest.LogCaptureFixture) -> PlatformError:
    """The answer is refused as ``bad_answer:<op>`` with the plain message, holding no value."""
    error = _refused(answer, call, caplog)
    assert error.kind is ErrorKind.SERVER_ERROR and error.code == f"bad_answer:{op}"
    assert error.message == DEFAULT_MESSAGES[ErrorKind.SERVER_ERROR]
    _holds_no_value(error, caplog)
    return error


@pytest.mark.parametrize(("op", "call", "answer"), WRONG_TYPES)
def test_a_wrong_type_is_a_plain_server_error(
    op: str, call: Call, answer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    error = _plain_server_error(op, call, answer, caplog)
    assert error.transient  # the outbox keeps a submission answered so, for a later try


@pytest.mark.parametrize(("op", "call", "answer"), MISSING_FIELDS)
def test_a_missing_field_is_a_plain_server_error(
    op: str, call: Call, answer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    _plain_server_error(op, call, answer, caplog)


def test_the_log_names_the_wrong_field_not_its_value(caplog: pytest.LogCaptureFixture) -> None:
    answer = {"items": [{"licence_id": "1.2.156", "title": "驾驶证"}, {"title": 110105}]}
    _refused(answer, lambda c: c.licences(TOKEN), caplog)
    events = [r for r in caplog.records if r.getMessage() == "platform_bad_answer"]
    assert len(events) == 1
    fields = events[0].__dict__["fields"]
    assert fields["op"] == "licences" and fields["field"] == "items.1.title"
    assert "110105" not in repr(fields)


def test_a_malformed_verification_reaches_the_resident_as_plain_words() -> None:
    """Through the kiosk's identity adapter: a refusal in the resident's language, no crash."""
    answer = {"verified": 1, "resident_token": TOKEN}
    with HostileServer("answer", answer=answer) as server, _client(server) as client:
        verifier = PlatformVerifier(client)
        try:
            for locale, words in (("zh-CN", "服务平台暂时出现故障"), ("en", "service platform")):
                set_locale(locale)
                with pytest.raises(VerificationRefused) as caught:
                    verifier.verify("qrcode", "BJ-PC-0000-0000-0000")
                assert words in caught.value.message and TOKEN not in caught.value.message
        finally:
            set_locale(DEFAULT_LOCALE)


def test_extra_fields_are_ignored_and_known_ones_read() -> None:
    answer = {
        **CERTIFICATE,
        "watermark": {"text": "样本", "angle": 45},
        "fields_v2": [{"label": "参保状态", "value": "正常参保"}],
    }
    with HostileServer("answer", answer=answer) as server, _client(server) as client:
        certificate = _issue(client)
    assert certificate.serial == "SB-2026-000123" and certificate.fields == (
        ("参保状态", "正常参保"),
    )
    assert certificate.table is not None and certificate.table.rows == (("2026-11", "1,234.00"),)
    assert certificate.seal_text == CERTIFICATE["issuer"]  # no seal named: the issuer's
    assert not hasattr(certificate, "watermark")
    assert ID_NUMBER not in repr(certificate) and NAME not in str(certificate)


def test_extra_fields_of_a_profile_and_a_licence_are_kept_for_the_form() -> None:
    profile = {
        "name": NAME,
        "id_number": ID_NUMBER,
        "phone": None,  # null reads as "", as before
        "social_security_number": "1234567890",
        "age": 76,
    }
    with HostileServer("answer", answer=profile) as server, _client(server) as client:
        read = client.profile(TOKEN)
    assert read.name == NAME and read.phone == "" and read.employer == ""
    assert read.extra == {"social_security_number": "1234567890", "age": 76}
    assert ID_NUMBER not in repr(read) and NAME not in str(read)


def test_extra_fields_in_list_items_and_receipts_are_ignored() -> None:
    answer = {
        "items": [
            {
                "code": "b1",
                "title": "高龄津贴",
                "amount": "100.00",
                "reason": "年满80周岁",
                "channel": "bank",
                "paid_until": "2027-01",
            }
        ],
        "next": None,
        "total": 1,
    }
    with HostileServer("answer", answer=answer) as server, _client(server) as client:
        (benefit,) = client.benefits(TOKEN)
    assert (benefit.code, benefit.title, benefit.amount) == ("b1", "高龄津贴", "100.00")
    ticket = {
        "ticket": "A001",
        "window": "3号窗口",
        "waiting": 2,
        "queue": {"id": 9},
        "replayed": "from the server",
        "idempotency_key": 42,
    }
    with HostileServer("answer", answer=ticket) as server, _client(server) as client:
        appointment = client.book_appointment(
            TOKEN, "residence-registration", idempotency_key="k-1"
        )
    assert (appointment.ticket, appointment.waiting) == ("A001", 2)
    # The key and the replay flag are the client's own, whatever the body says.
    assert appointment.idempotency_key == "k-1" and appointment.replayed is False
