"""The platform is down: every call is PlatformError(unavailable); it works again when back."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.platform import ErrorKind, PlatformClient, PlatformError
from kiosk.sandbox import start_sandbox
from tests.platform.conftest import TERMINAL_ID, SleepRecorder


def test_sandbox_down_then_back(tmp_path: Path) -> None:
    handle = start_sandbox(tmp_path / "sandbox.db")
    port = handle.port
    handle.stop()
    sleeps = SleepRecorder()
    client = PlatformClient(
        f"http://127.0.0.1:{port}",
        terminal_id=TERMINAL_ID,
        timeout_seconds=2.0,
        retries=2,
        backoff_seconds=0.1,
        sleep=sleeps,
    )
    with pytest.raises(PlatformError) as caught:
        client.health()
    assert caught.value.kind is ErrorKind.UNAVAILABLE
    assert caught.value.message == "服务平台暂时无法连接，请稍后再试"
    assert sleeps.delays == [0.1, 0.2]
    with pytest.raises(PlatformError) as submit:
        client.rate("x", 5)
    assert submit.value.kind is ErrorKind.UNAVAILABLE and submit.value.transient
    back = start_sandbox(tmp_path / "sandbox.db", port=port)
    try:
        assert client.health().status == "ok"
        assert client.rate("x", 5).rating_id
    finally:
        back.stop()
        client.close()


def test_nothing_listening_is_unavailable_not_a_traceback() -> None:
    client = PlatformClient("http://127.0.0.1:9", timeout_seconds=1.0, retries=0)
    with pytest.raises(PlatformError) as caught:
        client.terminals()
    assert caught.value.kind is ErrorKind.UNAVAILABLE
    assert str(caught.value) == "unavailable: connection_failed"


def test_connect_timeout_is_unavailable_not_slow(monkeypatch: pytest.MonkeyPatch) -> None:
    # A black-holed address cannot be produced on loopback; the transport's exception is raised
    # at the requests boundary instead (the only mock of a third-party library here).
    import requests

    def blackhole(*args: object, **kwargs: object) -> None:
        raise requests.ConnectTimeout("connect timed out")

    client = PlatformClient(
        "http://192.0.2.1:8765", timeout_seconds=0.1, retries=1, sleep=SleepRecorder()
    )
    monkeypatch.setattr(client._session(), "request", blackhole)
    with pytest.raises(PlatformError) as caught:
        client.health()
    assert caught.value.kind is ErrorKind.UNAVAILABLE and caught.value.code == "connect_timeout"
