"""A person trying the demo: `kiosk sandbox fleet` could not find the demo's embedded sandbox
(it listened on a random port), and demo prints went to a temporary folder deleted at exit.
Now the sandbox listens on ``platform.demo_port`` (falling back cleanly when it is taken),
`kiosk sandbox fleet` finds it without options, and the simulated A4 printer keeps what it
printed in the data folder; `kiosk run` says both on start-up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.boot.composition import KioskParts, build_kiosk, demo_prints_dir
from kiosk.boot.settings import load_settings
from kiosk.core.tasks import InlineRunner
from kiosk.platform.heartbeat import Heartbeat, TerminalReport
from kiosk.sandbox.demo_address import URL_FILE_NAME, fleet_url
from kiosk.technician.device_tests import test_page_pdf

ROOT = Path(__file__).resolve().parent.parent
OFF = {f"KIOSK__DEVICES__{name}": "none" for name in
       ("IDCARD", "SMARTCARD", "CAMERA", "SCANNER", "RECEIPT_PRINTER")}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port something else is already listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def _env(tmp: Path, port: int, printer: str = "none") -> dict[str, str]:
    return {"KIOSK__PATHS__DATA_DIR": str(tmp / "data"), "KIOSK__PLATFORM__DEMO_PORT": str(port),
            **OFF, "KIOSK__DEVICES__DOCUMENT_PRINTER": printer}


def _fleet(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`kiosk sandbox fleet` with no options, as a person would type it."""
    full = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    full.pop("KIOSK_SITE_FILE", None)
    return subprocess.run([sys.executable, "-m", "kiosk", "sandbox", "fleet"], cwd=ROOT,
                          env=full, capture_output=True, text=True, timeout=60)


def _heartbeat(parts: KioskParts) -> None:
    report = TerminalReport(parts.hub, parts.outbox, parts.lifecycle,
                            bundle_version=lambda: parts.bundle_version)
    assert Heartbeat(parts.client, report).send()


def test_demo_sandbox_on_the_demo_port_and_fleet_finds_it(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(tmp_path, port)
    parts = build_kiosk(load_settings(environ=env), InlineRunner())
    try:
        assert parts.sandbox is not None and parts.sandbox.port == port
        assert any(f"https://127.0.0.1:{port}" in note and "kiosk sandbox fleet" in note
                   for note in parts.startup_notes())
        _heartbeat(parts)
        fleet = _fleet(env)
        assert fleet.returncode == 0, fleet.stderr
        assert parts.settings.terminal_id in fleet.stdout
    finally:
        parts.close()
    assert not (tmp_path / "data" / URL_FILE_NAME).exists()  # nothing stale after exit


def test_taken_demo_port_falls_back_and_fleet_still_finds_it(tmp_path: Path,
                                                            taken_port: int) -> None:
    env = _env(tmp_path, taken_port)
    settings = load_settings(environ=env)
    parts = build_kiosk(settings, InlineRunner())
    try:
        assert parts.sandbox is not None and parts.sandbox.port != taken_port
        notes = parts.startup_notes()
        assert any(f"port {taken_port} is taken" in note for note in notes), notes
        assert fleet_url(settings) == parts.sandbox.url
        _heartbeat(parts)
        fleet = _fleet(env)
        assert fleet.returncode == 0, fleet.stderr
        assert settings.terminal_id in fleet.stdout
    finally:
        parts.close()
    assert fleet_url(settings) == f"https://127.0.0.1:{taken_port}"


@pytest.mark.slow
def test_demo_prints_are_kept_in_the_data_folder(tmp_path: Path) -> None:
    env = _env(tmp_path, 0, printer="sim://docprinter")
    settings = load_settings(environ=env)
    prints = demo_prints_dir(settings)
    assert prints == (tmp_path / "data" / "prints").resolve()
    parts = build_kiosk(settings, InlineRunner())
    try:
        assert any(str(prints) in note for note in parts.startup_notes())
        parts.hub.start(lambda _name, _event: None)
        deadline = time.monotonic() + 60
        while not parts.hub.usable("document_printer") and time.monotonic() < deadline:
            time.sleep(0.1)
        printer = parts.hub.get("document_printer")
        assert printer is not None and printer.simulator.spool == prints
        result = printer.print_pdf(test_page_pdf(settings.terminal_id), "demo-print")
        assert result.ok, result
    finally:
        parts.close()
    kept = [p for p in prints.rglob("*") if p.is_file()]
    assert kept, "the printed document is gone after the kiosk stopped"
    assert any(p.read_bytes().startswith(b"%PDF") for p in kept)
