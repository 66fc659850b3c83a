"""SIGTERM (every `systemctl stop`) and SIGINT (Ctrl+C) end `kiosk run --headless` within two
seconds, in the demo and the site profile, with a clean exit code; a platform call stuck in
flight does not hold the stop, and what it was delivering stays journaled for the next start.

Real processes: the kiosk is started as systemd starts it (NOTIFY_SOCKET; READY=1 after the
first frame), the signal is sent once its start-up work has settled (the start-up
reconciliation logged, or the stuck call under way plus `SETTLE_SECONDS`), and the time from
the signal to the process's end is measured and printed (`pytest -s` shows it). Two seconds is
the requirement itself (systemd's stop waits for the kill timeout otherwise), not a speed
figure. In the first second or two after READY=1 the kiosk's start-up threads (the search
index's pinyin tables) hold the interpreter and a stop takes longer (docs/adr/0431).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows import ports as fp
from kiosk import REPO_ROOT
from kiosk.harness.bench.stop import kiosk_env
from kiosk.ops.outbox import Outbox
from kiosk.platform.client import PlatformClient

STOP_DEADLINE_SECONDS = 2.0
#: Bound for the kiosk to draw its first frame (start-up, not what is measured).
READY_TIMEOUT_SECONDS = 120.0
#: With a call stuck there is no "start-up done" line to wait for: let the start-up threads
#: finish for this long (the stuck call stays in flight for 3 x 5 s).
SETTLE_SECONDS = 3.0
DEVICES = ("IDCARD", "SMARTCARD", "CAMERA", "SCANNER", "RECEIPT_PRINTER", "DOCUMENT_PRINTER")

pytestmark = pytest.mark.slow


class BlackHole:
    """A platform that accepts connections and never answers (a call stays in flight)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = threading.Event()
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._held.append(conn)
            self.accepted.set()

    def close(self) -> None:
        for conn in self._held:
            conn.close()
        self.sock.close()


@pytest.fixture
def notify(tmp_path: Path) -> Iterator[tuple[socket.socket, Path]]:
    folder = Path(tempfile.mkdtemp(prefix="ks-"))  # AF_UNIX paths are short
    path = folder / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    yield sock, path
    sock.close()
    path.unlink(missing_ok=True)
    folder.rmdir()


def _start(tmp_path: Path, notify_path: Path, profile: str, base_url: str = ""
           ) -> subprocess.Popen[bytes]:
    env = dict(kiosk_env(tmp_path, notify_path, profile, base_url), TMPDIR=str(tmp_path))
    return subprocess.Popen([sys.executable, "-m", "kiosk", "run", "--headless", "--size",
                             "800x600"], cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=(tmp_path / "kiosk.err").open("w"))


def _wait_ready(sock: socket.socket, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the kiosk ended before its first frame"
        sock.settimeout(1.0)
        try:
            if "READY=1" in sock.recv(4096).decode().split("\n"):
                return
        except TimeoutError:
            continue
    raise AssertionError("no READY=1 from the kiosk")


def _wait_settled(tmp_path: Path, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    log = tmp_path / "data" / "log" / "kiosk.log"
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the kiosk ended during start-up"
        if log.exists() and '"startup_reconciled"' in log.read_text():
            return
        time.sleep(0.2)
    raise AssertionError("the start-up reconciliation never finished")


def _time_to_stop(proc: subprocess.Popen[bytes], signum: int) -> float:
    started = time.monotonic()
    proc.send_signal(signum)
    try:
        proc.wait(timeout=STOP_DEADLINE_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"{signal.Signals(signum).name}: still running after "
                             f"{STOP_DEADLINE_SECONDS} s") from None
    return time.monotonic() - started


@pytest.mark.parametrize("profile", ["demo", "site"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_ends_the_kiosk_within_two_seconds(
        tmp_path: Path, notify: tuple[socket.socket, Path], profile: str, signum: int) -> None:
    sock, path = notify
    proc = _start(tmp_path, path, profile)
    try:
        _wait_ready(sock, proc)
        _wait_settled(tmp_path, proc)
        seconds = _time_to_stop(proc, signum)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    print(f"\n{profile} {signal.Signals(signum).name}: stopped in {seconds:.3f} s")
    assert proc.returncode == (0 if signum == signal.SIGTERM else 130)
    stderr = (tmp_path / "kiosk.err").read_text()
    assert "Traceback" not in stderr, stderr[-2000:]
    sock.settimeout(0.5)
    messages = []
    while True:
        try:
            messages.append(sock.recv(4096).decode())
        except (TimeoutError, BlockingIOError):
            break
    assert any("STOPPING=1" in m for m in messages)  # systemd is told a clean stop is on


def test_a_call_stuck_in_flight_does_not_hold_the_stop_and_its_row_stays_journaled(
        tmp_path: Path, notify: tuple[socket.socket, Path]) -> None:
    sock, path = notify
    hole = BlackHole()
    base_url = f"https://127.0.0.1:{hole.port}/api"  # the TLS handshake never completes
    # a rating queued while the platform was unreachable: delivered again at start-up
    refused = PlatformClient("http://127.0.0.1:9/api", terminal_id="T", retries=0,
                             timeout_seconds=1.0)
    outbox_path = tmp_path / "data" / "outbox.sqlite3"
    Outbox(outbox_path, refused).rate("token-x", fp.Rating(service="demo", score=5))
    assert Outbox(outbox_path, refused).stats().pending == 1
    proc = _start(tmp_path, path, "site", base_url)
    try:
        _wait_ready(sock, proc)
        assert hole.accepted.wait(60), "the start-up reconciliation never called the platform"
        time.sleep(SETTLE_SECONDS)
        seconds = _time_to_stop(proc, signal.SIGTERM)  # while that call hangs
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        hole.close()
    print(f"\nsite SIGTERM with a call in flight: stopped in {seconds:.3f} s")
    assert proc.returncode == 0
    assert Outbox(outbox_path, refused).stats().pending == 1  # nothing lost, sent next start
    log = "".join(p.read_text() for p in (tmp_path / "data" / "log").glob("*.log*"))
    assert '"in_flight_finished": false' in log
