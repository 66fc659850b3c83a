"""The systemd watchdog, without systemd: the real kiosk UI process (`kiosk run --headless`,
SDL offscreen) sends READY=1 and WATCHDOG=1 to the test's own NOTIFY_SOCKET; when its UI loop
hangs (the test-only trigger file of kiosk.ops.watchdog.HangProbe), the WATCHDOG pings stop, which
is what makes systemd (WatchdogSec) restart it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from kiosk import REPO_ROOT

pytestmark = pytest.mark.slow

WATCHDOG_USEC = 2_000_000  # pets every 1 s
#: Bounds for the process to draw its first frame and for the pings (not timing assertions).
READY_TIMEOUT_SECONDS = 120.0
#: How long the test listens for a ping after the hang (several pet intervals).
SILENCE_SECONDS = 6.0


def _receive(sock: socket.socket, wanted: str, timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            message = sock.recv(4096).decode()
        except TimeoutError:
            break
        seen.append(message)
        if wanted in message.split("\n"):
            return seen
    raise AssertionError(f"no {wanted} (got {seen})")


def test_hung_ui_loop_stops_the_watchdog_pings(tmp_path: Path) -> None:
    # AF_UNIX paths are limited to 108 bytes: a short folder of our own
    folder = Path(tempfile.mkdtemp(prefix="kw-"))
    notify = folder / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify))
    hang = tmp_path / "hang-now"
    env = dict(os.environ, NOTIFY_SOCKET=str(notify), WATCHDOG_USEC=str(WATCHDOG_USEC),
               KIOSK_TEST_HANG_FILE=str(hang), SDL_VIDEODRIVER="offscreen",
               KIVY_NO_ARGS="1", KIVY_HOME=str(tmp_path / "kivy"),
               KIOSK__PATHS__DATA_DIR=str(tmp_path / "data"), KIOSK__PROFILE="demo",
               TMPDIR=str(tmp_path))
    env.pop("DISPLAY", None)
    env.pop("WATCHDOG_PID", None)
    for device in ("IDCARD", "SMARTCARD", "CAMERA", "SCANNER", "RECEIPT_PRINTER",
                   "DOCUMENT_PRINTER"):
        env[f"KIOSK__DEVICES__{device}"] = "none"
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "run", "--headless", "--size",
                             "800x600"], cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=(tmp_path / "kiosk.err").open("w"), start_new_session=True)
    try:
        _receive(sock, "READY=1", READY_TIMEOUT_SECONDS)
        _receive(sock, "WATCHDOG=1", 10)
        _receive(sock, "WATCHDOG=1", 10)  # a steady beat from the UI loop
        hang.touch()  # the UI loop blocks at its next pet
        time.sleep(2 * WATCHDOG_USEC / 1_000_000)
        sock.setblocking(False)
        while True:  # drop what was sent before the hang took hold
            try:
                sock.recv(4096)
            except BlockingIOError:
                break
        sock.setblocking(True)
        late: list[str] = []
        deadline = time.monotonic() + SILENCE_SECONDS
        while time.monotonic() < deadline:
            sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                late.append(sock.recv(4096).decode())
            except TimeoutError:
                break
        assert not [m for m in late if "WATCHDOG=1" in m], late
        assert proc.poll() is None  # hung, not crashed: only the watchdog can catch it
    finally:
        os.killpg(proc.pid, 9)
        proc.wait()
        sock.close()
        notify.unlink(missing_ok=True)
        folder.rmdir()


def test_hang_trigger_is_inert_on_site(tmp_path: Path) -> None:
    from kiosk.ops.watchdog import HANG_FILE_ENV, HangProbe

    hang = tmp_path / "hang-now"
    hang.touch()
    probe = HangProbe.from_environ("site", {HANG_FILE_ENV: str(hang)})
    probe.check()  # returns at once: the site profile never hangs on purpose
    assert probe.trigger is None
    assert HangProbe.from_environ("demo", {}).trigger is None
