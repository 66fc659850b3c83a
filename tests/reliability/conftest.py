"""Reliability tests: real processes (the sandbox platform on its own, headless kiosks), real
SQLite journals, real simulators. Helpers to start and stop those processes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kiosk import REPO_ROOT
from kiosk.boot.composition import BUILTIN_CATALOGUE
from kiosk.core.controller import ALL_CATEGORY

TEST_FLOWS = REPO_ROOT / "kiosk" / "harness" / "reliability" / "flows"
#: Longest the sandbox may take to say it is listening (a bound, not a timing assertion).
SANDBOX_START_SECONDS = 30.0


class SandboxProcess:
    """`kiosk sandbox --port 0 --db X` as a child process."""

    def __init__(self, db: Path, log: Path, port: int = 0) -> None:
        self.db = db
        self.log = log
        self.port = port
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> SandboxProcess:
        """Start it and wait for its ``listening on`` line."""
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "sandbox", "--port", str(self.port), "--db",
             str(self.db)],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=self.log.open("a"), text=True)
        assert self.proc.stdout is not None
        deadline = time.monotonic() + SANDBOX_START_SECONDS
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if "listening on" in line:
                self.url = line.split("listening on ", 1)[1].split()[0]
                return self
            if not line and self.proc.poll() is not None:
                break
        raise AssertionError(f"sandbox did not start; see {self.log}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not go."""
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.proc = None

    def stats(self) -> dict:
        """GET /_sandbox/stats."""
        return requests.get(f"{self.url}/_sandbox/stats", timeout=10).json()

    def faults(self, spec: dict) -> None:
        """POST /_sandbox/faults (kiosk/sandbox/faults.py): arm a fault plan."""
        requests.post(f"{self.url}/_sandbox/faults", json=spec, timeout=10).raise_for_status()


@pytest.fixture
def sandbox_process(tmp_path: Path) -> Iterator[SandboxProcess]:
    """A sandbox platform in its own process, stopped after the test."""
    sandbox = SandboxProcess(tmp_path / "sandbox.sqlite3", tmp_path / "sandbox.log").start()
    yield sandbox
    sandbox.stop()


def reliability_catalogue(target: Path, *services: str) -> Path:
    """A catalogue folder with the test-only generic application and builtin ``services``."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(TEST_FLOWS / "generic-application", target / "generic-application")
    for service in services:
        shutil.copytree(BUILTIN_CATALOGUE / service, target / service)
    return target


def child_env(tmp: Path) -> dict[str, str]:
    """Environment for a kiosk child process: temp files under ``tmp`` (the printer simulator's
    spool survives a kill -9 there and is removed with the test's folder)."""
    env = dict(os.environ)
    env["TMPDIR"] = str(tmp)
    env.pop("KIOSK_SITE_FILE", None)
    return env


# -- a kiosk with real simulators, for the degraded-mode tests ---------------------------------
#: Devices the degraded-mode tests start (the smart card reader needs pcscd: tested elsewhere).
SIMULATED = ("idcard", "camera", "scanner", "receipt_printer", "document_printer")
#: Bound for a device status change to reach the hub (the drivers poll; not a timing assertion).
STATUS_TIMEOUT_SECONDS = 45.0


def wait_until(predicate, timeout: float = STATUS_TIMEOUT_SECONDS, what: str = "condition"):
    """Poll ``predicate`` until it holds; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def start_simulated_kiosk(tmp: Path, catalogue: Path | None = None):
    """build_kiosk (InlineRunner) with every device but the smart card on its simulator,
    devices open, the resident on the home screen."""
    from kiosk.boot.composition import build_kiosk
    from kiosk.boot.settings import load_settings
    from kiosk.core.tasks import InlineRunner

    env = {"KIOSK__PATHS__DATA_DIR": str(tmp / "data"), "KIOSK__DEVICES__SMARTCARD": "none"}
    options = {} if catalogue is None else {"catalogue_dir": catalogue}
    parts = build_kiosk(load_settings(environ=env), InlineRunner(), **options)
    parts.start_devices()
    wait_until(lambda: all(parts.hub.usable(n) for n in SIMULATED), what="devices ready")
    parts.controller.tap_attract()
    parts.controller.set_category(ALL_CATEGORY)  # every item listed, not only 常用
    assert parts.controller.state.screen == "home"
    return parts


@pytest.fixture
def simulated_kiosk(tmp_path: Path):
    """A kiosk on simulators (builtin catalogue), closed after the test."""
    parts = start_simulated_kiosk(tmp_path)
    yield parts
    parts.close()



def free_port() -> int:
    """A free loopback TCP port (for a sandbox that must come back on the same address)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def platform_kiosk(tmp: Path, url: str, catalogue: Path):
    """build_kiosk (InlineRunner) against a platform URL with short timeouts, only the two
    printers on simulators (identification is done with the platform directly)."""
    from kiosk.boot.composition import build_kiosk
    from kiosk.boot.settings import load_settings
    from kiosk.core.tasks import InlineRunner

    env = {"KIOSK__PATHS__DATA_DIR": str(tmp / "data"), "KIOSK__PLATFORM__BASE_URL": url,
           "KIOSK__PLATFORM__TIMEOUT_SECONDS": "2", "KIOSK__PLATFORM__RETRIES": "0"}
    for name in ("idcard", "smartcard", "camera", "scanner"):
        env[f"KIOSK__DEVICES__{name.upper()}"] = "none"
    parts = build_kiosk(load_settings(environ=env), InlineRunner(), catalogue_dir=catalogue)
    parts.start_devices()
    wait_until(lambda: parts.hub.usable("receipt_printer") and parts.hub.usable(
        "document_printer"), what="printers ready")
    return parts
