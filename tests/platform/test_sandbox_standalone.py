"""`kiosk sandbox` as its own process answers /v1/health and stops cleanly on SIGTERM."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import requests

from kiosk import REPO_ROOT

START_TIMEOUT_SECONDS = 30.0


def _start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk", "sandbox", *args, "--db", str(tmp_path / "standalone.db")],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_standalone_sandbox_answers_health(tmp_path: Path) -> None:
    process = _start(tmp_path, "--port", "0")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        assert found, line
        url = found.group(1)
        health = requests.get(f"{url}/v1/health", timeout=5).json()
        assert health["status"] == "ok"
        residents = requests.get(f"{url}/_sandbox/residents", timeout=5).json()["items"]
        assert len(residents) >= 12
        fleet = subprocess.run(
            [sys.executable, "-m", "kiosk", "sandbox", "fleet", "--url", url],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert fleet.returncode == 0 and "0 terminal(s)" in fleet.stdout
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=START_TIMEOUT_SECONDS)
    assert process.returncode == 0, err
    assert "sandbox stopped" in out and "Traceback" not in err
    assert (tmp_path / "standalone.db").exists()


def test_port_in_use_is_a_plain_message(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        process = _start(tmp_path, "--port", str(port))
        _, err = process.communicate(timeout=START_TIMEOUT_SECONDS)
    assert process.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err and "Traceback" not in err


def test_residents_listing() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "sandbox", "residents"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.count("SCID:1:") >= 12


def test_standalone_sandbox_as_in_production_needs_a_terminal_certificate(
    tmp_path: Path,
) -> None:
    """`kiosk ca init`, `kiosk ca enrol`, `kiosk sandbox --tls`: only the enrolled terminal in."""
    from kiosk.platform import ErrorKind, PlatformClient, PlatformError
    from kiosk.trust import cli as ca_cli

    ca_dir = tmp_path / "ca"
    assert ca_cli.main(["--ca", str(ca_dir), "init"]) == 0
    assert ca_cli.main(["--ca", str(ca_dir), "enrol", "HALL-07", "--out", str(tmp_path / "t")]) == 0
    process = _start(tmp_path, "--port", "0", "--tls", "--ca", str(ca_dir))
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"listening on (https://127\.0\.0\.1:\d+)", line)
        assert found, line
        url = found.group(1)
        terminal = tmp_path / "t"
        with PlatformClient(url, terminal_id="HALL-07", ca_file=str(terminal / "ca.pem"),
                            cert_file=str(terminal / "terminal.pem"),
                            key_file=str(terminal / "terminal.key"), retries=0) as client:
            assert client.health().status == "ok"
        with PlatformClient(url, ca_file=str(terminal / "ca.pem"), retries=0) as anonymous:
            try:
                anonymous.health()
                raise AssertionError("a caller without a certificate was served")
            except PlatformError as exc:
                assert exc.kind is ErrorKind.REJECTED and exc.status == 401
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=START_TIMEOUT_SECONDS)
    assert process.returncode == 0, err
    assert "Traceback" not in err


def test_plain_http_beyond_loopback_is_refused(tmp_path: Path) -> None:
    process = _start(tmp_path, "--port", "0", "--host", "0.0.0.0")
    _, err = process.communicate(timeout=START_TIMEOUT_SECONDS)
    assert process.returncode == 2
    assert "loopback only" in err and "--tls" in err and "Traceback" not in err
