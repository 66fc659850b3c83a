"""A slow platform: the call times out into PlatformError(timeout); a retry stays exactly-once."""

from __future__ import annotations

import time

import pytest

from kiosk.platform import ErrorKind, PlatformClient, PlatformError
from kiosk.sandbox import SandboxHandle
from tests.platform.conftest import Admin, SleepRecorder, TestPki, login

WAIT_FOR_SERVER_SECONDS = 10.0


def _fast_client(sandbox: SandboxHandle, pki: TestPki, retries: int) -> PlatformClient:
    return pki.client(
        sandbox.url,
        timeout_seconds=0.3,
        retries=retries,
        backoff_seconds=0.0,
        sleep=SleepRecorder(),
    )


def test_slow_server_times_out(sandbox: SandboxHandle, admin: Admin, pki: TestPki) -> None:
    admin.faults(delay_seconds=2.0)
    with _fast_client(sandbox, pki, retries=0) as client, pytest.raises(PlatformError) as caught:
        client.health()
    assert caught.value.kind is ErrorKind.TIMEOUT and caught.value.transient
    assert caught.value.message == "服务平台响应超时，请稍后再试"


def test_slow_first_attempt_then_retry_creates_one_case(
    sandbox: SandboxHandle, admin: Admin, client: PlatformClient, pki: TestPki
) -> None:
    token = login(client, "flexible")
    admin.faults(delay_seconds=1.0, delay_count=1)
    with _fast_client(sandbox, pki, retries=1) as fast:
        result = fast.submit_application(
            "residence-registration",
            token,
            {
                "address": "上海市演示区晨曦路9号402室",
                "start_date": "2024-05-01",
                "housing": "自有住房",
            },
        )
    # The first, delayed attempt is still processed by the server after the client gave up;
    # wait for it, then check that it was answered from the key instead of creating a case.
    deadline = time.monotonic() + WAIT_FOR_SERVER_SECONDS
    while admin.stats()["replays"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    stats = admin.stats()
    assert stats["replays"] == 1
    assert stats["applications_by_key"] == {result.idempotency_key: 1}
    assert stats["totals"]["applications"] == 1
