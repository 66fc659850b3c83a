"""The kiosk's 视频帮办 link to a console that serves HTTPS with client certificates (mutual
TLS, like the console link: docs/adr/0700): with the terminal's certificate from the fleet CA
it connects over wss and is answered (no staff online: the hours and the hotline); without a
certificate, with one from another CA, or not enrolled, it is refused and the resident is told
the console cannot be reached. Real console (uvicorn, SQLite), real WebSockets, real TLS."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from kiosk.adapters.video_link import ConsoleEndpoint, VideoLink, client_tls_context, endpoint_for
from kiosk.ops.console_link import LinkCredentials
from kiosk.trust.ca import CertificateAuthority
from tests.console.mtls import TlsConsole, tls_console

REQUEST = {"type": "request", "queue": "district:110105", "service": "social-insurance-payments",
           "service_title": "社保缴费记录查询", "step": "records", "step_title": "缴费记录",
           "share_screen": False, "lang": "zh"}


@pytest.fixture
def fleet(tmp_path: Path) -> Any:
    with tls_console(tmp_path) as served:
        yield served


def call(endpoint: ConsoleEndpoint | None) -> tuple[list[dict[str, Any]], list[str]]:
    """Ask for help once; what came back (messages, and how the link ended)."""
    messages: list[dict[str, Any]] = []
    lost: list[str] = []
    done = threading.Event()
    link = VideoLink(endpoint, lambda: None, lambda fn: fn())

    def on_message(message: dict[str, Any]) -> None:
        messages.append(message)
        done.set()

    def on_lost(reason: str) -> None:
        lost.append(reason)
        done.set()

    link.on_message, link.on_link_lost = on_message, on_lost
    try:
        link.open(dict(REQUEST))
        assert done.wait(20), "the link neither answered nor ended"
    finally:
        link.shutdown()
    return messages, lost


def test_with_its_certificate_the_kiosk_is_answered_over_wss(fleet: TlsConsole) -> None:
    fleet.console.enrol("BJ-HD-0001")
    creds = fleet.certificate("BJ-HD-0001")
    endpoint = endpoint_for(fleet.url, LinkCredentials(
        (str(creds.cert_file), str(creds.key_file)), str(creds.ca_file)))
    assert endpoint is not None and endpoint.video_url.startswith("wss://")
    assert endpoint.headers == {}  # the certificate says who the terminal is: no token
    messages, lost = call(endpoint)
    assert lost == [] and messages[0]["type"] == "unavailable"
    assert messages[0]["reason"] == "no_staff" and messages[0]["hotline"] == "12345"


def test_without_a_certificate_refused(fleet: TlsConsole) -> None:
    fleet.console.enrol("BJ-HD-0001")
    endpoint = ConsoleEndpoint(fleet.url, "", client_tls_context(None, str(fleet.ca.ca_file)))
    messages, lost = call(endpoint)
    assert messages == [] and lost == ["console_down"]


def test_a_bearer_token_is_no_way_in_over_wss(fleet: TlsConsole) -> None:
    token = fleet.console.enrol("BJ-HD-0002")
    endpoint = ConsoleEndpoint(fleet.url, token, client_tls_context(None, str(fleet.ca.ca_file)))
    messages, lost = call(endpoint)
    assert messages == [] and lost == ["console_down"]


def test_a_certificate_of_another_ca_or_not_enrolled_refused(fleet: TlsConsole,
                                                            tmp_path: Path) -> None:
    forger = CertificateAuthority.create(tmp_path / "forger", name="Test Fleet CA")
    forged = forger.enrol("BJ-HD-0001", tmp_path / "forged")
    fleet.console.enrol("BJ-HD-0001")
    endpoint = ConsoleEndpoint(fleet.url, "", client_tls_context(
        (str(forged.cert_file), str(forged.key_file)), str(fleet.ca.ca_file)))
    assert call(endpoint) == ([], ["console_down"])
    stranger = fleet.certificate("BJ-HD-0404")  # the fleet CA issued it, never enrolled
    endpoint = ConsoleEndpoint(fleet.url, "", client_tls_context(
        (str(stranger.cert_file), str(stranger.key_file)), str(fleet.ca.ca_file)))
    assert call(endpoint) == ([], ["console_down"])
