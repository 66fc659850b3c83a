"""A 307 from the platform's address must not re-post personal data to another host.

The client never follows a redirect: the answer is a `PlatformError` and the place it pointed
to receives nothing (no ID number, no name, no face photo), and no token is accepted from it.
"""

from __future__ import annotations

import pytest

from kiosk.harness.bench.hostile import HostileServer
from kiosk.platform import ErrorKind, PlatformClient, PlatformError
from kiosk.sandbox.seed import by_key
from tests.memory import refused_with_peak

FACE = b"\xff\xd8\xff" + b"face" * 100 + b"\xff\xd9"


@pytest.mark.parametrize("method", ["idcard", "face"])
def test_verify_is_not_reposted_elsewhere(method: str) -> None:
    resident = by_key("worker")
    with HostileServer("deep_json") as elsewhere, HostileServer(
        "redirect", location=elsewhere.url + "/v1/identity/verify"
    ) as platform, PlatformClient(platform.url, timeout_seconds=2.0, retries=2) as client:
        with pytest.raises(PlatformError) as caught:
            client.verify_identity(
                method,
                id_number=resident.id_number,
                name=resident.name,
                face_jpeg=FACE if method == "face" else None,
            )
        assert len(platform.seen.requests) == 1  # not retried either
        assert elsewhere.seen.requests == []
    error = caught.value
    assert error.kind is ErrorKind.SERVER_ERROR and error.code == "redirect" and error.status == 307
    assert error.message == "服务平台暂时出现故障，请稍后再试"


def test_a_redirected_read_is_refused_too() -> None:
    with HostileServer("deep_json") as elsewhere, HostileServer(
        "redirect", location=elsewhere.url
    ) as platform, PlatformClient(platform.url, retries=0) as client:
        with pytest.raises(PlatformError) as caught:
            client.profile("some-token")
        assert elsewhere.seen.requests == []
    assert caught.value.code == "redirect"


def test_a_redirect_with_a_gigabyte_body_is_not_read_whole() -> None:
    """requests would read a redirect's body to prepare the next hop; ours stops at the limit."""
    with HostileServer("deep_json") as elsewhere, HostileServer(
        "redirect_huge", location=elsewhere.url
    ) as platform, PlatformClient(platform.url, retries=0) as client:
        error, peak = refused_with_peak(PlatformError, client.health)
        assert elsewhere.seen.requests == []
    assert error.code in ("too_large", "redirect")
    assert peak < 64 * 1024 * 1024
