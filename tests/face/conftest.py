"""Fixtures for the face check: a real sandbox over HTTP, a client, a shared face analyser and
a manual clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.camera.face import FaceAnalyser
from kiosk.i18n import set_locale
from kiosk.platform import PlatformClient
from kiosk.sandbox import SandboxHandle, start_sandbox


class ManualClock:
    """A clock that moves only when told (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += seconds


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHandle]:
    """A running sandbox for the module."""
    handle = start_sandbox(tmp_path_factory.mktemp("sandbox") / "sandbox.db")
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def client(sandbox: SandboxHandle) -> Iterator[PlatformClient]:
    """A client for the sandbox (no backoff wait)."""
    with PlatformClient(sandbox.url, terminal_id="T-FACE-01", timeout_seconds=5.0, retries=1,
                        backoff_seconds=0.0, sleep=lambda _s: None) as platform:
        yield platform


@pytest.fixture(scope="session")
def analyser() -> FaceAnalyser:
    """One Haar cascade for every test."""
    return FaceAnalyser()


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    """Resident texts in Chinese whatever an earlier test left behind."""
    set_locale("zh-CN")
    yield


@pytest.fixture
def clock() -> ManualClock:
    """A manual clock."""
    return ManualClock()

