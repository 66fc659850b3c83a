"""A terminal's heartbeat carries its certificate's notAfter (read from its PEM file, again
when the file is replaced); the console raises "证书即将到期" when it is within the configured
days. A missing or broken certificate file leaves the field out and never fails a heartbeat."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from kiosk.console.models import Alert, Terminal
from kiosk.platform.console_client import ConsoleClient
from kiosk.platform.heartbeat import CertificateEnd
from kiosk.platform.models import WireDeviceReport, WireHeartbeatReport
from tests.console.helpers import Console


def _certificate(path: Path, days: int) -> dt.datetime:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "T-1")])
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=days))
            .sign(key, hashes.SHA256()))
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert.not_valid_after_utc


def test_certificate_end_read_from_the_file(tmp_path: Path) -> None:
    pem = tmp_path / "terminal.crt"
    end = CertificateEnd(str(pem))
    assert end() is None  # no file yet
    first = _certificate(pem, 400)
    assert end() == first.isoformat()
    second = _certificate(pem, 10)  # renewed (here: shortened) in place
    os.utime(pem, ns=(1, 1))  # a different modification time even within one tick
    assert end() == second.isoformat()
    pem.write_text("not a certificate", encoding="utf-8")
    assert end() is None
    assert CertificateEnd("")() is None


def test_console_alerts_on_a_certificate_near_its_end(console: Console, tmp_path: Path) -> None:
    token = console.enrol("T-1")
    pem = tmp_path / "terminal.crt"
    ends = _certificate(pem, 10)
    report = WireHeartbeatReport(
        app_version="0.1.0", bundle_version="", outbox_depth=0,
        devices={"printer": WireDeviceReport(state="ready", supplies="ok")},
        cert_not_after=CertificateEnd(str(pem))())
    ConsoleClient(console.url, "T-1", token).heartbeat(report)
    with console.sessions() as db:
        terminal = db.get(Terminal, "T-1")
        assert terminal is not None and terminal.cert_not_after is not None
        assert terminal.cert_not_after.replace(tzinfo=dt.UTC) == ends
        alert = db.scalars(select(Alert)).one()
        assert (alert.kind, alert.detail) == ("cert_expiring", ends.strftime("%Y-%m-%d"))
    console.add_user("viewer1", "viewer")
    page = console.login("viewer1").get("/terminals/T-1").text
    assert "证书即将到期" in page and "证书到期" in page
