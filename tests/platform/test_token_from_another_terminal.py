"""A resident token works only for the terminal (certificate) that obtained it.

Another enrolled terminal, or a caller with no certificate, gets 401 with the same token; a
token the terminal revoked at the end of the session reads nothing, while an application the
terminal queued before the wipe is still accepted (the outbox, ADR 0413).
"""

from __future__ import annotations

import pytest
import requests

from kiosk.platform import ErrorKind, PlatformClient, PlatformError
from kiosk.sandbox import SandboxHandle
from tests.platform.conftest import TestPki, login

ANSWERS = {
    "address": "上海市演示区晨曦路9号402室",
    "start_date": "2024-05-01",
    "housing": "自有住房",
}


def _rejected(call) -> PlatformError:  # type: ignore[no-untyped-def]
    with pytest.raises(PlatformError) as caught:
        call()
    assert caught.value.kind is ErrorKind.REJECTED and caught.value.status == 401
    return caught.value


def test_another_terminals_certificate_gets_401(
    client: PlatformClient, sandbox: SandboxHandle, pki: TestPki
) -> None:
    token = login(client, "flexible")
    with pki.client(sandbox.url, "T-OTHER-02", retries=0) as other:
        assert other.health().status == "ok"  # an enrolled terminal, just not this token's
        assert _rejected(lambda: other.profile(token)).code == "invalid_token"
        _rejected(lambda: other.records(token, "social-insurance-payments"))
        _rejected(lambda: other.prefill("residence-registration", token))
        _rejected(lambda: other.submit_application("residence-registration", token, ANSWERS))
    assert client.profile(token).name  # still good for its own terminal


def test_no_certificate_with_a_stolen_token_gets_401(sandbox: SandboxHandle, pki: TestPki,
                                                     client: PlatformClient) -> None:
    token = login(client, "flexible")
    answer = requests.get(f"{sandbox.url}/v1/residents/{token}/profile", timeout=5,
                          **pki.requests_kwargs(None))
    assert answer.status_code == 401 and "name" not in answer.json()


def test_a_revoked_token_reads_nothing_but_queued_work_is_delivered(
    client: PlatformClient,
) -> None:
    token = login(client, "flexible")
    client.revoke_token(token)
    assert _rejected(lambda: client.profile(token)).code == "invalid_token"
    _rejected(lambda: client.records(token, "social-insurance-payments"))
    result = client.submit_application("residence-registration", token, ANSWERS)
    assert result.case_number


def test_another_terminal_cannot_revoke_my_token(
    client: PlatformClient, sandbox: SandboxHandle, pki: TestPki
) -> None:
    token = login(client, "flexible")
    with pki.client(sandbox.url, "T-OTHER-02", retries=0) as other:
        other.revoke_token(token)  # answered like any other token: nothing to learn
    assert client.profile(token).name
