"""The diagnostics remote command (docs/adr/0702): an operator asks a terminal for its bundle on
the terminal's page; a real kiosk (build_kiosk, demo devices, mutual TLS) builds the technician's
PII-free bundle, uploads it and acknowledges; the page lists it; an operator downloads it
(audited), a viewer cannot. The bundle holds none of the personal data planted in the
terminal's log (an ID number, a mobile number, a name under a personal key, a resident token).

Hostile uploads are refused without storing anything: no certificate, another terminal's
command, not a zip, a zip with files a bundle does not hold, a zip with an unmasked ID number,
one over the size limit."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from kiosk.boot.composition import KioskParts, build_kiosk
from kiosk.boot.settings import load_settings
from kiosk.console.diagnostics import MAX_BYTES
from kiosk.console.models import AuditEntry, Command, DiagnosticsBundle
from kiosk.core.tasks import InlineRunner
from tests.console.mtls import TlsConsole, tls_console

TERMINAL = "BJ-DC-0101"
WAIT_SECONDS = 45.0
ID_NUMBER = "110105198001010037"  # a valid-looking resident ID number (test data)
PHONE = "13912345678"
NAME = "张三丰"
TOKEN = "rt_4f1c2b9e8d7a6c5b4a3f2e1d"


def _wait(predicate: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[TlsConsole]:
    with tls_console(tmp_path) as served:
        served.console.enrol(TERMINAL, district="东城区", site="东华门街道便民服务中心")
        served.console.enrol("BJ-DC-0102", district="东城区", site="东华门街道便民服务中心")
        yield served


@pytest.fixture
def kiosk(fleet: TlsConsole, tmp_path: Path) -> Iterator[KioskParts]:
    creds = fleet.certificate(TERMINAL)
    env = {"KIOSK__PATHS__DATA_DIR": str(tmp_path / "data"), "KIOSK__TERMINAL_ID": TERMINAL,
           "KIOSK__DEVICES__SMARTCARD": "none", "KIOSK__DEVICES__CAMERA": "none",
           "KIOSK__DEVICES__DOCUMENT_PRINTER": "none",
           "KIOSK__CONSOLE__URL": fleet.url, "KIOSK__CONSOLE__CA_FILE": str(creds.ca_file),
           "KIOSK__CONSOLE__CERT_FILE": str(creds.cert_file),
           "KIOSK__CONSOLE__KEY_FILE": str(creds.key_file),
           "KIOSK__CONSOLE__INTERVAL_SECONDS": "1", "KIOSK__CONSOLE__TIMEOUT_SECONDS": "5"}
    parts = build_kiosk(load_settings(environ=env), InlineRunner())
    assert parts.technician is not None
    log_dir = parts.technician.services.log_dir
    log_dir.mkdir(parents=True, exist_ok=True)
    planted = [  # what a careless driver or an old version might have logged
        json.dumps({"level": "ERROR", "event": "idcard_read", "name": NAME,
                    "detail": f"card {ID_NUMBER} read"}, ensure_ascii=False),
        f"WARNING plain line: resident phone {PHONE}, id {ID_NUMBER}",
        json.dumps({"level": "WARNING", "event": "platform_call",
                    "path": f"/v1/residents/{TOKEN}/records"}),
    ]
    (log_dir / "kiosk.log").write_text("\n".join(planted) + "\n", encoding="utf-8")
    parts.start_devices()
    try:
        yield parts
    finally:
        parts.close()


def _command_state(fleet: TlsConsole) -> tuple[str, str]:
    with fleet.console.sessions() as db:
        command = db.scalar(select(Command).where(Command.terminal_id == TERMINAL,
                                                  Command.kind == "diagnostics"))
        return (command.state, command.outcome) if command else ("", "")


@pytest.mark.slow
def test_bundle_uploaded_listed_downloaded_audited_and_clean(fleet: TlsConsole,
                                                             kiosk: KioskParts) -> None:
    console = fleet.console
    console.add_user("yunwei", "operator")
    console.add_user("guancha", "viewer")
    operator = console.login("yunwei")
    sent = operator.post(f"/terminals/{TERMINAL}/commands", {"kind": "diagnostics"})
    assert sent.status_code == 200, sent.text[:300]
    _wait(lambda: _command_state(fleet)[0] == "done", "the diagnostics command done")
    assert "diagnostics bundle uploaded" in _command_state(fleet)[1]

    fragment = operator.get(f"/terminals/{TERMINAL}/diagnostics", headers={"HX-Request": "1"})
    assert fragment.status_code == 200
    with console.sessions() as db:
        bundle_id = db.scalar(select(DiagnosticsBundle.id))
    link = f"/terminals/{TERMINAL}/diagnostics/{bundle_id}.zip"
    assert link in fragment.text
    page = operator.get(f"/terminals/{TERMINAL}")
    assert 'hx-get="/terminals/BJ-DC-0101/diagnostics"' in page.text

    viewer = console.login("guancha")
    seen = viewer.get(f"/terminals/{TERMINAL}/diagnostics", headers={"HX-Request": "1"})
    assert "仅运维、管理员可下载" in seen.text and link not in seen.text
    assert viewer.get(link).status_code == 403

    download = operator.get(link)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    with console.sessions() as db:
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "diagnostics_download"))
        assert entry is not None and entry.actor == "yunwei" and entry.target == TERMINAL
    bundle = zipfile.ZipFile(io.BytesIO(download.content))
    names = set(bundle.namelist())
    assert {"config.json", "devices.json", "versions.json", "logs/kiosk.log"} <= names
    everything = "\n".join(bundle.read(n).decode("utf-8", errors="replace") for n in names)
    assert "idcard_read" in everything  # the planted lines are there ...
    for personal in (ID_NUMBER, PHONE, NAME, TOKEN):  # ... without what was personal in them
        assert personal not in everything, personal
    assert "110105********0037" in everything  # masked the house way
    config = json.loads(bundle.read("config.json"))
    assert config["console"]["key_file"] == "[removed]"  # secrets' paths never leave either


def _upload(fleet: TlsConsole, terminal: str, command_id: int, data: bytes,
            creds_for: str | None) -> requests.Response:
    session = fleet.session(fleet.certificate(creds_for) if creds_for else None)
    return session.post(f"{fleet.url}/api/v1/terminals/{terminal}/diagnostics/{command_id}",
                        data=data, headers={"Content-Type": "application/zip"}, timeout=30)


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, text in files.items():
            bundle.writestr(name, text)
    return buffer.getvalue()


def test_hostile_uploads_refused(fleet: TlsConsole) -> None:
    console = fleet.console
    console.add_user("yunwei", "operator")
    operator = console.login("yunwei")
    operator.post(f"/terminals/{TERMINAL}/commands", {"kind": "diagnostics"})
    with console.sessions() as db:
        command_id = db.scalar(select(Command.id).where(Command.kind == "diagnostics"))
    assert command_id is not None
    good = _zip({"config.json": "{}", "logs/kiosk.log": "ok\n"})
    cases = {
        "no certificate": (TERMINAL, good, None, 401),
        "another terminal's command": ("BJ-DC-0102", good, "BJ-DC-0102", 404),
        "not a zip": (TERMINAL, b"MZ\x90\x00 not a zip", TERMINAL, 422),
        "unexpected file": (TERMINAL, _zip({"../../etc/cron.d/x": "* * * * * root sh"}),
                            TERMINAL, 422),
        "unmasked ID number": (TERMINAL, _zip({"logs/kiosk.log": f"id {ID_NUMBER}\n"}),
                               TERMINAL, 422),
        "too large": (TERMINAL, b"\0" * (MAX_BYTES + 1), TERMINAL, 413),
    }
    for name, (terminal, data, creds_for, status) in cases.items():
        answer = _upload(fleet, terminal, command_id, data, creds_for)
        assert answer.status_code == status, (name, answer.status_code, answer.text[:200])
        assert answer.json().get("message"), name
    with console.sessions() as db:
        assert db.scalar(select(func.count()).select_from(DiagnosticsBundle)) == 0
    assert _upload(fleet, TERMINAL, command_id, good, TERMINAL).status_code == 200
    again = _upload(fleet, TERMINAL, command_id, good, TERMINAL)
    assert again.status_code == 409  # one bundle per command
