"""A platform that trickles (one byte every half second) or never answers cannot hold a call.

Every attempt ends at its deadline whatever the server's pace: in the headers, in the body, in
the TLS handshake. The whole call, retries included, ends at ``deadline_seconds``. A stuck call
on the kiosk's worker ends at its deadline, so the next resident's identification runs.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from kiosk.adapters.identity import PlatformVerifier
from kiosk.core.session import SessionLifecycle, SessionTiming
from kiosk.core.tasks import WORKER_THREAD_PREFIX, ThreadRunner
from kiosk.harness.bench.hostile import HostileServer
from kiosk.platform import ErrorKind, PlatformClient, PlatformError
from kiosk.platform.revoke import TokenRevoker, revoke_tokens_at_wipe
from kiosk.sandbox import SandboxHandle
from kiosk.sandbox.seed import by_key
from tests.platform.conftest import SleepRecorder, TestPki

TIMEOUT = 1.0
#: A bound far above the deadline: without one, these calls would never end.
ENDS_WITHIN = TIMEOUT + 4.0


def _timed_failure(client: PlatformClient) -> tuple[PlatformError, float]:
    started = time.monotonic()
    with pytest.raises(PlatformError) as caught:
        client.health()
    return caught.value, time.monotonic() - started


@pytest.mark.parametrize("behaviour", ["trickle_body", "trickle_headers", "silent"])
def test_trickle_or_silence_ends_at_the_deadline(behaviour: str) -> None:
    with HostileServer(behaviour, interval=0.3) as server, PlatformClient(
        server.url, timeout_seconds=TIMEOUT, retries=0
    ) as client:
        error, seconds = _timed_failure(client)
    assert error.kind is ErrorKind.TIMEOUT and error.code == "deadline"
    assert error.message == "服务平台响应超时，请稍后再试"
    assert TIMEOUT * 0.9 <= seconds < ENDS_WITHIN


def test_a_stalled_tls_handshake_ends_at_the_deadline(pki: TestPki) -> None:
    with HostileServer("silent") as server:
        url = server.url.replace("http://", "https://")
        with pki.client(url, timeout_seconds=TIMEOUT, retries=0) as client:
            error, seconds = _timed_failure(client)
    # Nothing was sent: like a connection that never opened, the platform is unavailable.
    assert error.kind is ErrorKind.UNAVAILABLE and error.code == "connect_timeout"
    assert error.message == "服务平台暂时无法连接，请稍后再试"
    assert seconds < ENDS_WITHIN


def test_retries_stop_at_the_call_deadline() -> None:
    sleeps = SleepRecorder()
    with HostileServer("trickle_body", interval=0.2) as server, PlatformClient(
        server.url, timeout_seconds=0.5, retries=10, backoff_seconds=0.0,
        deadline_seconds=1.2, sleep=sleeps,
    ) as client:
        error, seconds = _timed_failure(client)
    assert error.kind is ErrorKind.TIMEOUT
    assert len(server.seen.requests) == 3  # 0.5 + 0.5 + the 0.2 left, then no more
    assert seconds < 1.2 + 4.0


def test_a_stuck_call_does_not_keep_the_next_resident_waiting(
    sandbox: SandboxHandle, pki: TestPki
) -> None:
    """The kiosk's single worker: a call stuck on a trickling platform, then an identification."""
    results: dict[str, Any] = {}
    finished = threading.Event()
    runner = ThreadRunner(lambda fn: fn())
    resident = by_key("worker")
    try:
        with HostileServer("trickle_body", interval=0.3) as stuck_platform, PlatformClient(
            stuck_platform.url, timeout_seconds=TIMEOUT, retries=0
        ) as stuck, pki.client(sandbox.url, timeout_seconds=TIMEOUT, retries=0) as good:
            started = time.monotonic()
            runner.submit(stuck.health, lambda r: results.__setitem__("stuck", r))

            class Card:
                id_number, name = resident.id_number, resident.name

            def identified(result: Any) -> None:
                results["identify"] = result
                results["identify_after"] = time.monotonic() - started
                finished.set()

            runner.submit(lambda: PlatformVerifier(good).verify("idcard", Card()), identified)
            assert finished.wait(ENDS_WITHIN + 5)
    finally:
        runner.shutdown()
    assert isinstance(results["stuck"], PlatformError)
    assert results["stuck"].kind is ErrorKind.TIMEOUT
    token, display_name = results["identify"]
    assert token and display_name.startswith(resident.name[0])
    assert results["identify_after"] < ENDS_WITHIN


def test_the_wipe_cancels_the_stuck_call_of_the_session_it_ends(
    tmp_path: Path, sandbox: SandboxHandle, pki: TestPki
) -> None:
    """A resident walks away while the platform trickles: the wipe frees the worker at once."""
    long_timeout = 30.0  # only the cancellation can end the stuck call in this test
    results: dict[str, Any] = {}
    finished = threading.Event()
    runner = ThreadRunner(lambda fn: fn())
    resident = by_key("worker")
    try:
        with HostileServer("trickle_body", interval=0.3) as stuck_platform, pki.client(
            stuck_platform.url, timeout_seconds=long_timeout,
            retries=2,
        ) as client:
            # One client for both, as in the kiosk: the trickling platform stands in for the
            # same platform turning hostile for the first resident's call.
            client.base_url = stuck_platform.url
            lifecycle = SessionLifecycle(SessionTiming(60, 20, 900), time.monotonic,
                                         tmp_path / "s")
            revoke_tokens_at_wipe(lifecycle, TokenRevoker(client),
                                  cancel=lambda: client.cancel_calls(WORKER_THREAD_PREFIX))
            lifecycle.start()
            runner.submit(lambda: client.profile("first-residents-token"),
                          lambda r: results.__setitem__("stuck", r))
            while not stuck_platform.seen.requests:
                time.sleep(0.01)
            wiped_at = time.monotonic()
            lifecycle.end("idle")  # the first resident walked away
            client.base_url = sandbox.url  # the platform answers again

            class Card:
                id_number, name = resident.id_number, resident.name

            def identified(result: Any) -> None:
                results["identify"] = result
                results["after_wipe"] = time.monotonic() - wiped_at
                finished.set()

            lifecycle.start()
            runner.submit(lambda: PlatformVerifier(client).verify("idcard", Card()), identified)
            assert finished.wait(long_timeout)
    finally:
        runner.shutdown()
    assert isinstance(results["stuck"], PlatformError)
    assert results["stuck"].code == "cancelled" and results["stuck"].kind is ErrorKind.TIMEOUT
    assert len(stuck_platform.seen.requests) == 1  # a cancelled call is not retried
    token, _ = results["identify"]
    assert token
    assert results["after_wipe"] < long_timeout / 3
