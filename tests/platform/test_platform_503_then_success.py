"""The platform answers 503 a few times: idempotent calls retry with backoff and succeed."""

from __future__ import annotations

import pytest

from kiosk.platform import ErrorKind, PlatformClient, PlatformError, WireHeartbeatReport
from tests.platform.conftest import Admin, login


def test_get_retries_on_503_then_succeeds(client: PlatformClient, admin: Admin, sleeps) -> None:
    admin.faults(fail_next=2, status=503)
    assert client.health().status == "ok"
    assert sleeps.delays == [0.05, 0.1]  # exponential backoff
    assert admin.stats()["requests"]["GET /v1/health"] == 3


def test_submission_retries_with_the_same_key_and_counts_once(
    client: PlatformClient, admin: Admin, sleeps
) -> None:
    token = login(client, "worker")
    admin.faults(fail_next=2, status=502)
    certificate = client.issue_certificate("social-insurance-payment", token)
    stats = admin.stats()
    assert stats["attempts_by_key"][certificate.idempotency_key] == 3
    assert stats["certificates_by_key"] == {certificate.idempotency_key: 1}
    assert len(sleeps.delays) == 2


def test_retries_exhausted_is_unavailable_with_a_plain_message(
    client: PlatformClient, admin: Admin, sleeps
) -> None:
    admin.faults(fail_next=10, status=503)
    with pytest.raises(PlatformError) as caught:
        client.health()
    assert caught.value.kind is ErrorKind.UNAVAILABLE and caught.value.transient
    assert caught.value.message == "服务平台暂时无法连接，请稍后再试"
    assert len(sleeps.delays) == client.retries


def test_internal_error_is_not_retried(client: PlatformClient, admin: Admin, sleeps) -> None:
    admin.faults(fail_next=1, status=500)
    with pytest.raises(PlatformError) as caught:
        client.health()
    assert caught.value.kind is ErrorKind.SERVER_ERROR
    assert caught.value.message == "服务平台暂时出现故障，请稍后再试"
    assert sleeps.delays == []
    assert client.health().status == "ok"


def test_post_without_a_key_is_never_retried(client: PlatformClient, admin: Admin, sleeps) -> None:
    # The heartbeat is the one POST sent without an Idempotency-Key.
    admin.faults(fail_next=1, status=503)
    with pytest.raises(PlatformError) as caught:
        client.heartbeat(WireHeartbeatReport(app_version="0.1.0", bundle_version="b1", devices={}))
    assert caught.value.kind is ErrorKind.UNAVAILABLE
    assert sleeps.delays == []
    assert admin.stats()["requests"]["POST /v1/terminals/{terminal_id}/heartbeat"] == 1
