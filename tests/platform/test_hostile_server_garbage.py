"""A hostile platform that answers garbage, JSON nested past any stack, or a cut-off body:
every outcome is one `PlatformError` with a plain Chinese message, never another exception."""

from __future__ import annotations

import pytest

from kiosk.harness.bench.hostile import HostileServer
from kiosk.platform import ErrorKind, PlatformClient, PlatformError
from kiosk.platform.errors import DEFAULT_MESSAGES


@pytest.mark.parametrize(
    ("behaviour", "kind"),
    [
        ("garbage", ErrorKind.UNAVAILABLE),
        ("deep_json", ErrorKind.SERVER_ERROR),
        ("short_body", ErrorKind.UNAVAILABLE),
    ],
)
def test_hostile_answers_become_platform_errors(behaviour: str, kind: ErrorKind) -> None:
    with HostileServer(behaviour) as server, PlatformClient(
        server.url, timeout_seconds=2.0, retries=1, backoff_seconds=0.0
    ) as client, pytest.raises(PlatformError) as caught:
        client.verify_identity("idcard", id_number="11010519491231002X", name="某某")
    assert caught.value.kind is kind
    assert caught.value.message == DEFAULT_MESSAGES[kind]
    assert "11010519491231002X" not in str(caught.value)
