"""Fixtures: a real sandbox on a free loopback port, a client, and the sandbox's admin path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from jsonschema import Draft202012Validator

from kiosk.platform import PlatformClient
from kiosk.sandbox import SandboxHandle, start_sandbox
from kiosk.sandbox.seed import SeedResident, by_key

OPENAPI_PATH = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"
TERMINAL_ID = "T-TEST-01"


class Admin:
    """The sandbox's admin path (fault injection and counters) over real HTTP."""

    def __init__(self, url: str) -> None:
        self.url = url

    def faults(self, **spec: Any) -> dict[str, Any]:
        """Arm faults (see kiosk.sandbox.faults)."""
        response = requests.post(f"{self.url}/_sandbox/faults", json=spec, timeout=5)
        response.raise_for_status()
        return response.json()

    def clear(self) -> None:
        """Disarm every fault."""
        requests.delete(f"{self.url}/_sandbox/faults", timeout=5).raise_for_status()

    def stats(self) -> dict[str, Any]:
        """The exactly-once counters."""
        response = requests.get(f"{self.url}/_sandbox/stats", timeout=5)
        response.raise_for_status()
        return response.json()


class SleepRecorder:
    """Stands in for time.sleep in the client: records the backoff delays, waits for none."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxHandle]:
    """A running sandbox with a fresh database."""
    handle = start_sandbox(tmp_path / "sandbox.db")
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def admin(sandbox: SandboxHandle) -> Admin:
    """The sandbox's admin path."""
    return Admin(sandbox.url)


@pytest.fixture
def sleeps() -> SleepRecorder:
    """The client's sleep, recorded."""
    return SleepRecorder()


@pytest.fixture
def client(sandbox: SandboxHandle, sleeps: SleepRecorder) -> Iterator[PlatformClient]:
    """A client for the sandbox with fast, recorded backoff."""
    with PlatformClient(
        sandbox.url,
        terminal_id=TERMINAL_ID,
        timeout_seconds=5.0,
        retries=2,
        backoff_seconds=0.05,
        sleep=sleeps,
    ) as platform:
        yield platform


def login(client: PlatformClient, key: str) -> str:
    """Verify a seed resident by ID card and return the resident token."""
    resident = by_key(key)
    result = client.verify_identity("idcard", id_number=resident.id_number, name=resident.name)
    assert result.verified, result.reason
    return result.resident_token


def seed(key: str) -> SeedResident:
    """A seed resident by handle."""
    return by_key(key)


@pytest.fixture(scope="session")
def openapi() -> dict[str, Any]:
    """docs/api/openapi.yaml, parsed."""
    return yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def conforms(openapi: dict[str, Any]):
    """``conforms(schema_name, payload)``: validate a payload against a component schema."""

    def check(name: str, payload: Any) -> None:
        schema = {"$ref": f"#/components/schemas/{name}", "components": openapi["components"]}
        errors = sorted(Draft202012Validator(schema).iter_errors(payload), key=str)
        assert not errors, f"{name}: " + "; ".join(e.message[:200] for e in errors[:5])

    return check
