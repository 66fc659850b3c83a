"""End to end in the sandbox: the real kiosk (no UI) against the embedded sandbox over HTTP.

One terminal per test module, built by `kiosk.boot.composition.build_kiosk` in the demo profile with
its data folder in a temporary directory: the sandbox platform runs on a loopback port, the
devices are the simulators (ippeveprinter for A4, the loopback ESC/POS printer for receipts, the
synthetic document camera). Each scenario identifies one seeded resident (docs/sandbox.md)
through `kiosk.adapters.identity.PlatformVerifier`, starts the service through the kiosk's
catalogue on a
real session, drives it with the headless resident and checks what really happened: what the
platform recorded, what the printers printed.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from drivers.identity import DocumentKind, Identity
from flows.engine import FlowRun
from flows.headless import drive
from flows.views import StepKind, View
from kiosk.adapters.identity import PlatformVerifier
from kiosk.boot.composition import KioskParts, build_kiosk
from kiosk.boot.settings import load_settings
from kiosk.core.session import SessionData
from kiosk.core.tasks import InlineRunner
from kiosk.sandbox.seed import SeedResident, by_key
from tests.printing.escpos_decode import decode

#: Devices every scenario needs (the smart-card reader and the scanner are not used here).
DEVICES = ("idcard", "camera", "receipt_printer", "document_printer")
DEVICE_READY_SECONDS = 60.0
POLL_SECONDS = 0.05
HTTP_TIMEOUT_SECONDS = 10.0


@dataclass
class Scenario:
    """One service run for one resident, and what the printers produced during it."""

    resident: SeedResident
    run: FlowRun
    views: list[View]
    session: SessionData
    receipt_text: str = ""  # the receipts printed during the run, decoded from ESC/POS
    receipt_qr: list[str] = field(default_factory=list)  # QR payloads on those receipts
    receipt_cuts: int = 0  # one cut per receipt
    certificates: list[str] = field(default_factory=list)  # pdftotext of each A4 page printed

    def of_kind(self, kind: StepKind) -> list[View]:
        """Every screen of ``kind`` seen, in order."""
        return [v for v in self.views if v.kind is kind]

    def result(self) -> View:
        """The last RESULT screen (application outcome or ticket)."""
        results = self.of_kind(StepKind.RESULT)
        assert results, "no result screen: " + " > ".join(v.step_id for v in self.views)
        return results[-1]

    @property
    def done(self) -> bool:
        """The run reached DONE (the resident went home)."""
        return self.views[-1].kind is StepKind.DONE


class Terminal:
    """A running kiosk under test and the probes the scenarios use."""

    def __init__(self, parts: KioskParts, data_dir: Path, sandbox_url: str = "") -> None:
        self.parts = parts
        self.data_dir = data_dir
        self.sandbox_url = sandbox_url or parts.sandbox.url
        # The embedded sandbox speaks mutual TLS (the demo's throwaway CA in the data folder):
        # raw probes present the terminal's own certificate, as the kiosk does.
        files = parts.client.tls_files
        self.tls: dict[str, Any] = {}
        if files["ca_file"]:
            self.tls = {"verify": files["ca_file"], "cert": (files["cert_file"], files["key_file"])}

    # -- residents and sessions ------------------------------------------------------------
    @staticmethod
    def identity(key: str) -> Identity:
        """The ID card a seeded resident would put on the reader."""
        r = by_key(key)
        return Identity(DocumentKind.RESIDENT_ID, r.name, r.id_number, r.sex, r.birth_date,
                        address=r.household_address, long_term=True)

    def session_for(self, key: str) -> SessionData:
        """A new session with the resident verified by the platform (as the ID-card tap does)."""
        lifecycle = self.parts.lifecycle
        if lifecycle.session is not None:
            lifecycle.end("finished")
        session = lifecycle.start("touch")
        assert session is not None, "the kiosk did not start a session"
        identity = self.identity(key)
        token, display = PlatformVerifier(self.parts.client).verify("idcard", identity)
        session.resident = identity
        session.resident_token = token
        session.display_name = display
        session.values["identify_method"] = "idcard"
        return session

    def run(self, service_id: str, key: str, answers: Mapping[str, Any] | None = None
            ) -> Scenario:
        """Run ``service_id`` for resident ``key`` to DONE with the headless resident."""
        session = self.session_for(key)
        receipts_before = len(self.receipt_bytes())
        certificates_before = len(self.printed_pdfs())
        run = self.parts.catalogue.start(service_id, {"session": session})
        views = drive(run, answers or {})
        scenario = Scenario(by_key(key), run, views, session)
        printed = decode(self.receipt_bytes()[receipts_before:])
        scenario.receipt_text = printed.text
        scenario.receipt_qr = list(printed.qr_payloads)
        scenario.receipt_cuts = printed.cuts
        scenario.certificates = [pdf_text(p) for p in self.printed_pdfs()[certificates_before:]]
        self.parts.lifecycle.end("finished")
        assert session.wiped, "the session was not wiped at the end"
        return scenario

    # -- the sandbox's side ------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """GET /_sandbox/stats: records per idempotency key, totals."""
        answer = requests.get(f"{self.sandbox_url}/_sandbox/stats", timeout=HTTP_TIMEOUT_SECONDS,
                              **self.tls)
        answer.raise_for_status()
        return dict(answer.json())

    def faults(self, spec: Mapping[str, Any] | None) -> None:
        """Arm (POST) or clear (DELETE) the sandbox's fault injector."""
        url = f"{self.sandbox_url}/_sandbox/faults"
        if spec is None:
            answer = requests.delete(url, timeout=HTTP_TIMEOUT_SECONDS, **self.tls)
        else:
            answer = requests.post(url, json=dict(spec), timeout=HTTP_TIMEOUT_SECONDS,
                                   **self.tls)
        answer.raise_for_status()

    def application(self, case_number: str) -> dict[str, Any]:
        """GET /v1/applications/{case}: what the platform says about a case."""
        answer = requests.get(f"{self.sandbox_url}/v1/applications/{case_number}",
                              timeout=HTTP_TIMEOUT_SECONDS, **self.tls)
        answer.raise_for_status()
        return dict(answer.json())

    def stored_application(self, case_number: str) -> dict[str, Any]:
        """The body the platform stored for a case (answers, licences, attachments)."""
        db = sqlite3.connect(f"file:{self.data_dir / 'sandbox.sqlite3'}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT service, body FROM applications WHERE case_number=?",
                             (case_number,)).fetchone()
        finally:
            db.close()
        assert row is not None, f"the platform has no case {case_number}"
        return {"service": row[0], **json.loads(row[1])}

    def case_numbers(self) -> list[str]:
        """Every case number the platform holds, oldest first."""
        db = sqlite3.connect(f"file:{self.data_dir / 'sandbox.sqlite3'}?mode=ro", uri=True)
        try:
            return [row[0] for row in db.execute("SELECT case_number FROM applications "
                                                 "ORDER BY seq")]
        finally:
            db.close()

    def stored_rating(self, idempotency_key: str) -> dict[str, Any]:
        """The rating the platform stored for an idempotency key (score, service, case)."""
        db = sqlite3.connect(f"file:{self.data_dir / 'sandbox.sqlite3'}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT body FROM ratings WHERE idempotency_key=?",
                             (idempotency_key,)).fetchone()
        finally:
            db.close()
        assert row is not None, "the platform has no such rating"
        return dict(json.loads(row[0]))

    def certificate_check(self, serial: str) -> dict[str, Any]:
        """GET /v1/certificates/{serial}: the platform knows the printed serial."""
        answer = requests.get(f"{self.sandbox_url}/v1/certificates/{serial}",
                              timeout=HTTP_TIMEOUT_SECONDS, **self.tls)
        answer.raise_for_status()
        return dict(answer.json())

    # -- the printers' side ------------------------------------------------------------------
    def printed_pdfs(self) -> list[Path]:
        """Every A4 document the simulated IPP printer completed, oldest first."""
        sim = self.parts.hub.simulator("document_printer")
        return [d.path for d in sim.printed_documents()]

    def receipt_bytes(self) -> bytes:
        """Every byte the ESC/POS simulator printed so far."""
        return bytes(self.parts.hub.simulator("receipt_printer").captured())


def pdf_text(path: Path) -> str:
    """The text of a printed PDF (pdftotext, layout kept)."""
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True).stdout.decode("utf-8")


def start_terminal(tmp: Path) -> Terminal:
    """Build and start a demo terminal with its data in ``tmp``; wait for its devices."""
    data_dir = tmp / "data"
    settings = load_settings(environ={"KIOSK__PATHS__DATA_DIR": str(data_dir),
                                      "KIOSK__DEVICES__SMARTCARD": "none",
                                      "KIOSK__DEVICES__SCANNER": "none"})
    parts = build_kiosk(settings, InlineRunner())
    try:
        parts.start_devices()
        deadline = time.monotonic() + DEVICE_READY_SECONDS
        while not all(parts.hub.usable(name) for name in DEVICES):
            if time.monotonic() > deadline:
                states = {name: str(parts.hub.status(name).state) for name in DEVICES}
                raise AssertionError(f"devices not usable: {states}")
            time.sleep(POLL_SECONDS)
        parts.hub.simulator("camera").set_scene("document")  # a paper material on the tray
    except BaseException:
        parts.close()
        raise
    return Terminal(parts, data_dir)


@pytest.fixture(scope="module")
def terminal() -> Iterator[Terminal]:
    """One running terminal (sandbox, devices, outbox) per test module."""
    with tempfile.TemporaryDirectory(prefix="kiosk-e2e-") as tmp:
        running = start_terminal(Path(tmp))
        try:
            yield running
        finally:
            running.parts.close()


def assert_rated(terminal: Terminal, scenario: Scenario) -> None:
    """The 好差评 rating reached the platform once, tied to the service (and case)."""
    run = scenario.run
    assert run.record.rating_id.startswith("PJ"), run.record.rating_id
    key = run.idempotency_key("rating")
    assert terminal.stats()["ratings_by_key"].get(key) == 1
    stored = terminal.stored_rating(key)
    assert stored["service"] == run.definition.id
    assert stored["case_number"] == run.record.case_number
    assert stored["score"] == run.record.score
