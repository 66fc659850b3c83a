"""Every wipe revokes the session's resident token at the platform, best effort: a platform that
is down or hangs never holds the wipe, and the token then expires on its own."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kiosk.core.session import SessionLifecycle, SessionTiming
from kiosk.harness.bench.hostile import HostileServer
from kiosk.platform import ErrorKind, PlatformClient, PlatformError
from kiosk.platform.revoke import TokenRevoker, revoke_tokens_at_wipe
from kiosk.sandbox import SandboxHandle
from tests.platform.conftest import TestPki, login

#: Far above a wipe's own cost, far below the hanging platform's deadline.
WIPE_BOUND_SECONDS = 1.0


def _lifecycle(tmp_path: Path, client: PlatformClient) -> tuple[SessionLifecycle, TokenRevoker]:
    lifecycle = SessionLifecycle(SessionTiming(60, 20, 900), time.monotonic, tmp_path / "s")
    revoker = TokenRevoker(client)
    revoke_tokens_at_wipe(lifecycle, revoker)
    return lifecycle, revoker


def test_the_wipe_revokes_the_token(tmp_path: Path, client: PlatformClient) -> None:
    lifecycle, revoker = _lifecycle(tmp_path, client)
    session = lifecycle.start()
    assert session is not None
    token = session.resident_token = login(client, "worker")
    assert client.profile(token).name
    lifecycle.end("finished")
    assert session.wiped
    assert revoker.join(10.0) and revoker.revoked == 1
    with pytest.raises(PlatformError) as caught:
        client.profile(token)
    assert caught.value.kind is ErrorKind.REJECTED and caught.value.code == "invalid_token"
    revoker.close()


def test_a_hanging_platform_never_holds_the_wipe(tmp_path: Path) -> None:
    with HostileServer("trickle_body", interval=0.2) as server, PlatformClient(
        server.url, timeout_seconds=2.0, retries=0
    ) as client:
        lifecycle, revoker = _lifecycle(tmp_path, client)
        session = lifecycle.start()
        assert session is not None
        session.resident_token = "a-token-the-platform-will-never-answer-for"
        started = time.monotonic()
        lifecycle.end("finished")
        wiped_after = time.monotonic() - started
        assert session.wiped and wiped_after < WIPE_BOUND_SECONDS
        assert revoker.join(10.0) and revoker.failed == 1 and revoker.revoked == 0
        revoker.close()


def test_no_token_no_call(tmp_path: Path, sandbox: SandboxHandle, pki: TestPki,
                          client: PlatformClient) -> None:
    lifecycle, revoker = _lifecycle(tmp_path, client)
    lifecycle.start()
    lifecycle.end("finished")
    assert revoker.join(1.0) and revoker.revoked == revoker.failed == 0
