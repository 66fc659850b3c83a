"""Two console processes on one PostgreSQL database behave as one console: a session made on
one works on the other, a command queued on one reaches a terminal talking to the other, and
the outcome shows on both. Nothing a request needs lives in a process's memory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kiosk import REPO_ROOT
from kiosk.console.db import open_database
from kiosk.platform.console_client import ConsoleClient, event
from kiosk.trust.ca import CertificateAuthority
from tests.console.helpers import Browser, Console

pytestmark = pytest.mark.slow


def _start(db_url: str, pki: Path) -> tuple[subprocess.Popen[str], str]:
    """One console process; both serve HTTPS with the same throwaway PKI (terminals' client
    certificates from its CA, docs/adr/0700)."""
    process = subprocess.Popen([sys.executable, "-m", "kiosk", "console", "--db", db_url,
                                "--port", "0", "--pki-dir", str(pki)], stdout=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "console listening on" in line, line
    return process, line.split()[3]


@pytest.fixture
def two_consoles(request: pytest.FixtureRequest,
                 tmp_path: Path) -> Iterator[tuple[Console, str, str]]:
    from tests.console.conftest import _fresh_database

    for url in _fresh_database(request, "postgresql", Path(tempfile.gettempdir())):
        engine, sessions = open_database(url)
        first, url_a = _start(url, tmp_path / "pki")
        second, url_b = _start(url, tmp_path / "pki")
        try:
            yield (Console(url_a, sessions, lambda: None, url, str(tmp_path / "pki/ca/ca.pem")),
                   url_a, url_b)
        finally:
            for process in (first, second):
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
            engine.dispose()


def test_session_and_commands_cross_processes(two_consoles: tuple[Console, str, str],
                                              tmp_path: Path) -> None:
    console, url_a, url_b = two_consoles
    console.add_user("op1", "operator")
    console.enrol("T-1")
    creds = CertificateAuthority.open(tmp_path / "pki" / "ca").enrol("T-1", tmp_path / "t1")
    cert = (str(creds.cert_file), str(creds.key_file))
    session = requests.Session()
    session.verify, session.trust_env = console.ca_file, False
    browser = Browser(url_a, session)
    assert browser.login("op1", "correct-horse-42").url.endswith("/fleet")
    on_b = Browser(url_b, browser.http, browser.csrf)
    assert on_b.get("/fleet").url == f"{url_b}/fleet"  # the session is in the database
    sent = on_b.post("/terminals/T-1/commands", {"kind": "restart"})
    assert sent.status_code == 200 and "待领取" in sent.text

    terminal_a = ConsoleClient(url_a, "T-1", cert=cert, ca_file=console.ca_file)
    terminal_b = ConsoleClient(url_b, "T-1", cert=cert, ca_file=console.ca_file)
    commands = terminal_a.heartbeat({"app_version": "0.1.0", "devices": {}})
    assert [c.kind for c in commands] == ["restart"]
    assert terminal_b.ack(commands[0].id, True, "restarted in quiet window") == "done"
    terminal_b.events([event("paper_out", "printer")])
    assert "已完成" in browser.get("/terminals/T-1").text
    assert 'data-status="degraded"' in on_b.get("/fleet").text
