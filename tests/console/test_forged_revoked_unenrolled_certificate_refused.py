"""Terminals prove themselves to the console with their client certificate over mutual TLS
(docs/adr/0700). Refused, each with a clear status and message, and nothing stored: a
certificate from another CA (the handshake itself fails), no certificate, a terminal the
console never enrolled, a terminal revoked on the console, a certificate the fleet CA revoked,
and one terminal's certificate used for another's path. The enrolled terminal with its own
certificate gets through; people's browsers (no certificate) still reach the login page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from starlette.requests import Request

from kiosk.console.models import Terminal, TerminalEvent
from kiosk.console.terminal_auth import ClientCertificateIdentity, Refusal
from kiosk.platform.console_client import ConsoleClient, ConsoleError, event
from kiosk.trust.ca import CertificateAuthority
from tests.console.mtls import TlsConsole, tls_console

BEAT: dict[str, Any] = {"app_version": "0.1.0",
                        "devices": {"printer": {"state": "ready", "supplies": "ok"}}}


@pytest.fixture
def fleet(tmp_path: Path) -> Any:
    with tls_console(tmp_path) as served:
        yield served


def _beat(fleet: TlsConsole, path_id: str, session: requests.Session) -> requests.Response:
    return session.post(f"{fleet.url}/api/v1/terminals/{path_id}/heartbeat", json=BEAT,
                        timeout=10)


def _stored_nothing(fleet: TlsConsole, terminal_id: str) -> None:
    with fleet.console.sessions() as db:
        terminal = db.get(Terminal, terminal_id)
        assert terminal is None or terminal.last_heartbeat_at is None
        assert db.query(TerminalEvent).filter_by(terminal_id=terminal_id).count() == 0


def test_enrolled_terminal_with_its_certificate_is_let_in(fleet: TlsConsole) -> None:
    fleet.console.enrol("BJ-HD-0001")
    creds = fleet.certificate("BJ-HD-0001")
    client = ConsoleClient(fleet.url, "BJ-HD-0001", cert=(str(creds.cert_file),
                                                          str(creds.key_file)),
                           ca_file=str(creds.ca_file))
    assert client.heartbeat(BEAT) == []
    assert client.events([event("paper_low", "printer")]) == 1
    with fleet.console.sessions() as db:
        assert db.get(Terminal, "BJ-HD-0001").last_heartbeat_at is not None  # type: ignore
    # a person's browser has no certificate: the pages are still served (login)
    login = fleet.session(None).get(f"{fleet.url}/login", timeout=10)
    assert login.status_code == 200 and "登录" in login.text


def test_certificate_from_another_ca_fails_the_handshake(fleet: TlsConsole,
                                                         tmp_path: Path) -> None:
    fleet.console.enrol("BJ-HD-0001")
    forger = CertificateAuthority.create(tmp_path / "forger-ca", name="Kiosk Terminal CA")
    forged = forger.enrol("BJ-HD-0001", tmp_path / "forged")  # same CN, same CA name
    session = fleet.session(forged)
    # TLS 1.2 shows the alert in the handshake; TLS 1.3 sends it after the client's Finished,
    # so the client sees the connection closed: either way no HTTP answer, nothing stored
    with pytest.raises(requests.exceptions.ConnectionError):
        _beat(fleet, "BJ-HD-0001", session)
    client = ConsoleClient(fleet.url, "BJ-HD-0001", cert=(str(forged.cert_file),
                                                          str(forged.key_file)),
                           ca_file=str(fleet.ca.ca_file))
    with pytest.raises(ConsoleError) as refused:
        client.heartbeat(BEAT)
    assert refused.value.kind in ("refused", "unreachable")
    assert "certificate" in str(refused.value)
    _stored_nothing(fleet, "BJ-HD-0001")


def test_no_certificate_is_401(fleet: TlsConsole) -> None:
    fleet.console.enrol("BJ-HD-0001")
    answer = _beat(fleet, "BJ-HD-0001", fleet.session(None))
    assert answer.status_code == 401
    body = answer.json()
    assert body["error"] == "terminal_refused" and body["reason"] == "no_client_certificate"
    assert "mutual TLS" in body["message"]
    # a bearer token is no way in when the console runs with certificates
    token = fleet.console.enrol("BJ-HD-0002")
    session = fleet.session(None)
    session.headers["Authorization"] = f"Bearer {token}"
    assert _beat(fleet, "BJ-HD-0002", session).status_code == 401
    _stored_nothing(fleet, "BJ-HD-0001")
    _stored_nothing(fleet, "BJ-HD-0002")


def test_unenrolled_terminal_is_403(fleet: TlsConsole) -> None:
    creds = fleet.certificate("BJ-HD-0404")  # the CA issued it, the console never enrolled it
    answer = _beat(fleet, "BJ-HD-0404", fleet.session(creds))
    assert answer.status_code == 403
    assert answer.json()["reason"] == "not_enrolled"
    assert "BJ-HD-0404 is not enrolled" in answer.json()["message"]
    _stored_nothing(fleet, "BJ-HD-0404")


def test_revoked_on_the_console_then_rekeyed(fleet: TlsConsole) -> None:
    fleet.console.enrol("BJ-HD-0001")
    fleet.console.add_user("admin1", "admin")
    session = fleet.session(fleet.certificate("BJ-HD-0001"))
    assert _beat(fleet, "BJ-HD-0001", session).status_code == 200
    admin = fleet.console.login("admin1")  # over https; the browser trusts the fleet CA
    assert admin.post("/enrol/BJ-HD-0001/revoke").status_code == 200
    answer = _beat(fleet, "BJ-HD-0001", session)
    assert answer.status_code == 403
    assert answer.json()["reason"] == "terminal_revoked"
    events = session.post(f"{fleet.url}/api/v1/terminals/BJ-HD-0001/events",
                          json={"events": [event("paper_out", "printer")]}, timeout=10)
    assert events.status_code == 403
    with fleet.console.sessions() as db:
        assert db.query(TerminalEvent).count() == 0
    page = admin.post("/enrol/BJ-HD-0001/rekey")  # lifts the revocation; shows the CA bundle
    assert 'id="enrolment-ca"' in page.text and "BEGIN CERTIFICATE" in page.text
    assert 'id="enrolment-token"' not in page.text
    assert _beat(fleet, "BJ-HD-0001", session).status_code == 200
    audit = admin.get("/audit").text
    assert "terminal_revoke" in audit and "terminal_rekey" in audit


def test_certificate_revoked_by_the_fleet_ca_is_403(fleet: TlsConsole) -> None:
    fleet.console.enrol("BJ-HD-0001")
    session = fleet.session(fleet.certificate("BJ-HD-0001"))
    assert _beat(fleet, "BJ-HD-0001", session).status_code == 200
    fleet.ca.revoke("BJ-HD-0001")  # `kiosk ca revoke`: takes effect at the next request
    answer = _beat(fleet, "BJ-HD-0001", session)
    assert answer.status_code == 403
    assert answer.json()["reason"] == "certificate_revoked"


def test_another_terminals_certificate_is_403(fleet: TlsConsole) -> None:
    fleet.console.enrol("BJ-HD-0001")
    fleet.console.enrol("BJ-HD-0002")
    session = fleet.session(fleet.certificate("BJ-HD-0002"))
    answer = _beat(fleet, "BJ-HD-0001", session)
    assert answer.status_code == 403
    assert answer.json()["reason"] == "wrong_terminal"
    _stored_nothing(fleet, "BJ-HD-0001")


def test_server_certificate_of_the_same_ca_is_no_terminal(fleet: TlsConsole,
                                                           tmp_path: Path) -> None:
    """A certificate the fleet CA issued for a server (a leaked platform key, say) named like
    a terminal is no terminal certificate: the handshake or the console refuses it."""
    fleet.console.enrol("BJ-HD-0001")
    server = fleet.ca.issue_server(["BJ-HD-0001"], tmp_path / "server-named-like-a-terminal")
    with pytest.raises(requests.exceptions.ConnectionError):  # OpenSSL checks its purpose
        _beat(fleet, "BJ-HD-0001", fleet.session(server))
    _stored_nothing(fleet, "BJ-HD-0001")
    # and should a TLS layer let it through, the identity refuses it on its own
    scope = {"type": "http", "method": "POST", "path": "/api/v1/terminals/BJ-HD-0001/heartbeat",
             "headers": [], "path_params": {"terminal_id": "BJ-HD-0001"},
             "extensions": {"tls": {"client_cert_chain": [server.cert_file.read_text()]}}}
    identity = ClientCertificateIdentity(fleet.ca.ca_file, fleet.ca.revoked_file)
    with fleet.console.sessions() as db, pytest.raises(Refusal) as refused:
        identity.terminal_id(Request(scope), db)
    assert refused.value.status == 403 and refused.value.reason == "not_a_terminal_certificate"
    terminal = fleet.certificate("BJ-HD-0001")
    scope["extensions"] = {"tls": {"client_cert_chain": [terminal.cert_file.read_text()]}}
    with fleet.console.sessions() as db:
        assert identity.terminal_id(Request(scope), db) == "BJ-HD-0001"
