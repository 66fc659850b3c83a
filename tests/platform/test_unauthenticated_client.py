"""A caller without a terminal certificate learns nothing; a rogue certificate or a platform the
terminal does not trust ends at the TLS handshake.

The issue's attack: a POST of an ID number alone to /v1/identity/verify returned a token that
opened the full profile. Against the sandbox as in production this is now 401.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from kiosk.platform import ErrorKind, PlatformClient, PlatformError
from kiosk.sandbox import SandboxHandle
from kiosk.sandbox.seed import by_key
from kiosk.trust.ca import CertificateAuthority
from tests.platform.conftest import Admin, TestPki, login


def test_id_number_alone_without_a_certificate_gets_401(
    sandbox: SandboxHandle, pki: TestPki
) -> None:
    resident = by_key("worker")
    answer = requests.post(
        f"{sandbox.url}/v1/identity/verify",
        json={"method": "idcard", "id_number": resident.id_number},
        timeout=5,
        **pki.requests_kwargs(None),
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "certificate_required"
    assert "resident_token" not in answer.text


@pytest.mark.parametrize("path", ["/v1/health", "/v1/services", "/v1/terminals",
                                  "/_sandbox/residents", "/v1/residents/x/profile"])
def test_every_route_refuses_a_caller_without_a_certificate(
    sandbox: SandboxHandle, pki: TestPki, path: str
) -> None:
    answer = requests.get(sandbox.url + path, timeout=5, **pki.requests_kwargs(None))
    assert answer.status_code == 401
    assert answer.json()["error"]["message"] == "终端未认证，拒绝访问"


def test_the_client_without_a_certificate_gets_a_plain_rejection(
    sandbox: SandboxHandle, pki: TestPki
) -> None:
    with PlatformClient(
        sandbox.url, ca_file=str(pki.ca.ca_file), retries=0
    ) as client, pytest.raises(PlatformError) as caught:
        client.verify_identity("idcard", id_number=by_key("worker").id_number)
    assert caught.value.kind is ErrorKind.REJECTED and caught.value.status == 401
    assert caught.value.code == "certificate_required"


def test_a_certificate_from_another_ca_fails_the_handshake(
    sandbox: SandboxHandle, pki: TestPki, tmp_path: Path
) -> None:
    rogue = CertificateAuthority.create(tmp_path / "rogue-ca").enrol("T-TEST-01", tmp_path / "t")
    with PlatformClient(
        sandbox.url,
        ca_file=str(pki.ca.ca_file),
        cert_file=str(rogue.cert_file),
        key_file=str(rogue.key_file),
        retries=0,
    ) as client, pytest.raises(PlatformError) as caught:
        client.health()
    assert caught.value.kind is ErrorKind.UNAVAILABLE
    assert caught.value.code in ("tls_failed", "connection_failed")


def test_the_terminal_does_not_trust_a_platform_outside_its_ca(
    sandbox: SandboxHandle, pki: TestPki, tmp_path: Path
) -> None:
    other = CertificateAuthority.create(tmp_path / "other-ca")
    files = pki.client_files()
    files["ca_file"] = str(other.ca_file)
    with PlatformClient(sandbox.url, retries=0, **files) as client, pytest.raises(
        PlatformError
    ) as caught:
        login(client, "worker")
    assert caught.value.code == "tls_failed"


def test_no_configured_ca_means_no_trust_in_a_private_platform(
    sandbox: SandboxHandle, pki: TestPki, admin: Admin
) -> None:
    files = pki.client_files()
    files["ca_file"] = ""  # no system-wide trust instead: nothing is sent at all
    with PlatformClient(sandbox.url, retries=0, **files) as client, pytest.raises(
        PlatformError
    ) as caught:
        client.health()
    assert caught.value.kind is ErrorKind.UNAVAILABLE and caught.value.code == "no_ca_file"
    assert "GET /v1/health" not in admin.stats()["requests"]


def test_plain_http_to_the_tls_port_is_refused(sandbox: SandboxHandle) -> None:
    url = sandbox.url.replace("https://", "http://")
    with PlatformClient(url, retries=0, timeout_seconds=2.0) as client, pytest.raises(
        PlatformError
    ) as caught:
        client.health()
    assert caught.value.kind in (ErrorKind.UNAVAILABLE, ErrorKind.SERVER_ERROR)
