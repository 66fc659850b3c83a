"""Fixtures: a real sandbox on a free loopback port, a client, and the sandbox's admin path.

The sandbox runs as in production: HTTPS with client certificates (ADR 0412). One throwaway CA
per test session (`TestPki`, in a temporary folder) issues the sandbox's server certificate and
one certificate per terminal id on demand; the client and the admin helper present
``TERMINAL_ID``'s certificate and trust only that CA.
"""

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
from kiosk.sandbox.tls import SandboxTls
from kiosk.trust.ca import CertificateAuthority, Credentials

OPENAPI_PATH = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"
TERMINAL_ID = "T-TEST-01"


class TestPki:
    """A throwaway CA in a folder: the sandbox's certificate and terminals' on demand."""

    __test__ = False

    def __init__(self, folder: Path) -> None:
        self.ca = CertificateAuthority.create(folder / "ca")
        self.server = self.ca.issue_server(["127.0.0.1"], folder / "server")
        self._folder = folder
        self._terminals: dict[str, Credentials] = {}

    def terminal(self, terminal_id: str) -> Credentials:
        """``terminal_id``'s certificate (enrolled at first use)."""
        if terminal_id not in self._terminals:
            self._terminals[terminal_id] = self.ca.enrol(
                terminal_id, self._folder / "terminals" / terminal_id
            )
        return self._terminals[terminal_id]

    def server_tls(self, verify_per_minute: int = 0) -> SandboxTls:
        """What `start_sandbox` needs to serve as in production."""
        return SandboxTls(
            self.server.cert_file,
            self.server.key_file,
            self.ca.ca_file,
            self.ca.revoked_file,
            verify_per_minute,
        )

    def client_files(self, terminal_id: str = TERMINAL_ID) -> dict[str, str]:
        """`PlatformClient` keyword arguments for ``terminal_id``."""
        creds = self.terminal(terminal_id)
        return {
            "ca_file": str(self.ca.ca_file),
            "cert_file": str(creds.cert_file),
            "key_file": str(creds.key_file),
        }

    def requests_kwargs(self, terminal_id: str | None = TERMINAL_ID) -> dict[str, Any]:
        """``requests`` keyword arguments: trust the CA, present ``terminal_id`` (None: no cert)."""
        options: dict[str, Any] = {"verify": str(self.ca.ca_file)}
        if terminal_id is not None:
            creds = self.terminal(terminal_id)
            options["cert"] = (str(creds.cert_file), str(creds.key_file))
        return options

    def client(self, url: str, terminal_id: str = TERMINAL_ID, **kwargs: Any) -> PlatformClient:
        """A client for ``url`` with ``terminal_id``'s certificate."""
        return PlatformClient(url, terminal_id=terminal_id, **self.client_files(terminal_id),
                              **kwargs)


class Admin:
    """The sandbox's admin path (fault injection and counters) over real HTTP(S)."""

    def __init__(self, url: str, tls: dict[str, Any] | None = None) -> None:
        self.url = url
        self.tls = tls or {}

    def faults(self, **spec: Any) -> dict[str, Any]:
        """Arm faults (see kiosk.sandbox.faults)."""
        response = requests.post(f"{self.url}/_sandbox/faults", json=spec, timeout=5, **self.tls)
        response.raise_for_status()
        return response.json()

    def clear(self) -> None:
        """Disarm every fault."""
        requests.delete(f"{self.url}/_sandbox/faults", timeout=5, **self.tls).raise_for_status()

    def stats(self) -> dict[str, Any]:
        """The exactly-once counters."""
        response = requests.get(f"{self.url}/_sandbox/stats", timeout=5, **self.tls)
        response.raise_for_status()
        return response.json()


class SleepRecorder:
    """Stands in for time.sleep in the client: records the backoff delays, waits for none."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    """The test session's throwaway CA."""
    return TestPki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def sandbox(tmp_path: Path, pki: TestPki) -> Iterator[SandboxHandle]:
    """A running sandbox with a fresh database, serving mutual TLS as in production."""
    handle = start_sandbox(tmp_path / "sandbox.db", tls=pki.server_tls())
    handle.requests_tls = pki.requests_kwargs()  # type: ignore[attr-defined]  # for raw calls
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def admin(sandbox: SandboxHandle, pki: TestPki) -> Admin:
    """The sandbox's admin path."""
    return Admin(sandbox.url, pki.requests_kwargs())


@pytest.fixture
def sleeps() -> SleepRecorder:
    """The client's sleep, recorded."""
    return SleepRecorder()


@pytest.fixture
def client(sandbox: SandboxHandle, sleeps: SleepRecorder, pki: TestPki) -> Iterator[PlatformClient]:
    """A client for the sandbox with fast, recorded backoff and ``TERMINAL_ID``'s certificate."""
    with pki.client(
        sandbox.url,
        timeout_seconds=5.0,
        retries=2,
        backoff_seconds=0.05,
        sleep=sleeps,
    ) as platform:
        yield platform


def raw_tls(sandbox: SandboxHandle) -> dict[str, Any]:
    """``requests`` keyword arguments for a raw call to the fixture's TLS sandbox."""
    return dict(getattr(sandbox, "requests_tls", {}))


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
