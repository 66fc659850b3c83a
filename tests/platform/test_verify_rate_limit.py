"""Identity verification is limited per terminal: the N+1st in a minute gets 429 with a plain
message; another terminal and reads with an existing token are not affected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kiosk.platform import ErrorKind, PlatformError
from kiosk.sandbox import SandboxHandle, start_sandbox
from tests.platform.conftest import TestPki, login

LIMIT = 3


@pytest.fixture
def limited(tmp_path: Path, pki: TestPki) -> Iterator[SandboxHandle]:
    handle = start_sandbox(tmp_path / "limited.db", tls=pki.server_tls(verify_per_minute=LIMIT))
    try:
        yield handle
    finally:
        handle.stop()


def test_the_limit_holds_per_terminal(limited: SandboxHandle, pki: TestPki) -> None:
    with pki.client(limited.url, "T-BUSY-01", retries=0) as busy, pki.client(
        limited.url, "T-QUIET-02", retries=0
    ) as quiet:
        tokens = [login(busy, "worker") for _ in range(LIMIT)]
        with pytest.raises(PlatformError) as caught:
            login(busy, "worker")
        assert caught.value.status == 429 and caught.value.code == "rate_limited"
        assert caught.value.kind is ErrorKind.UNAVAILABLE
        assert busy.profile(tokens[-1]).name  # reads are not verifications
        assert login(quiet, "worker")


def test_the_answer_says_when_to_come_back(limited: SandboxHandle, pki: TestPki) -> None:
    options = pki.requests_kwargs("T-RAW-03")
    body = {"method": "qrcode", "code": "nothing"}
    statuses = [
        requests.post(f"{limited.url}/v1/identity/verify", json=body, timeout=5, **options)
        for _ in range(LIMIT + 1)
    ]
    assert [s.status_code for s in statuses] == [404] * LIMIT + [429]
    assert 1 <= int(statuses[-1].headers["Retry-After"]) <= 60
    assert statuses[-1].json()["error"]["message"] == "核验过于频繁，请稍后再试"
