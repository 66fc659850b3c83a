"""A real kiosk process reporting to a console under test: `kiosk.harness.console_kiosk_runner`
(composed as `kiosk run` composes it, SDL offscreen, the demo profile's simulated devices),
with its own data folder and the terminal's certificate from the fleet CA."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

from kiosk import REPO_ROOT
from kiosk.trust.ca import Credentials

#: Bounds for the process (never a hang): start-up, one answer, a clean stop.
START_SECONDS = 120.0
ANSWER_SECONDS = 30.0
STOP_SECONDS = 45.0


def kiosk_env(folder: Path, terminal_id: str, console_url: str, creds: Credentials,
              interval: str = "1") -> dict[str, str]:
    """The environment of a demo-profile kiosk in ``folder`` reporting to ``console_url`` over
    mutual TLS with ``creds``; the smart-card reader, camera, scanner and A4 printer off."""
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1",
               KIVY_NO_CONSOLELOG="1", KIVY_HOME=str(folder / "kivy"), PYTHONPATH=str(REPO_ROOT),
               KIOSK__PROFILE="demo", KIOSK__PATHS__DATA_DIR=str(folder / "data"),
               KIOSK__TERMINAL_ID=terminal_id, KIOSK__CONSOLE__URL=console_url,
               KIOSK__CONSOLE__CA_FILE=str(creds.ca_file),
               KIOSK__CONSOLE__CERT_FILE=str(creds.cert_file),
               KIOSK__CONSOLE__KEY_FILE=str(creds.key_file),
               KIOSK__CONSOLE__INTERVAL_SECONDS=interval,
               KIOSK__CONSOLE__TIMEOUT_SECONDS="3")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
                 "KIOSK_SITE_FILE"):
        env.pop(name, None)
    for device in ("SMARTCARD", "CAMERA", "SCANNER", "DOCUMENT_PRINTER"):
        env[f"KIOSK__DEVICES__{device}"] = "none"
    return env


class KioskProcess:
    """One `console_kiosk_runner` process and its stdout, line by line."""

    def __init__(self, env: dict[str, str], size: str = "1920x1080") -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.harness.console_kiosk_runner", "--size", size],
            cwd=REPO_ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.expect("ready", START_SECONDS)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put("<eof>")

    def expect(self, prefix: str, seconds: float = ANSWER_SECONDS) -> str:
        """The next stdout line starting with ``prefix`` (others are skipped)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line == "<eof>":
                raise AssertionError(f"the kiosk process ended (exit {self.proc.poll()}) "
                                     f"before {prefix!r}")
            if line.startswith(prefix):
                return line
        raise AssertionError(f"the kiosk process did not say {prefix!r} in {seconds:.0f} s")

    def send(self, command: str, answer: str) -> str:
        """Send one command; return its answer line."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.expect(answer)

    def screen(self) -> str:
        """The screen the kiosk shows now."""
        return self.send("screen", "screen ").split(" ", 1)[1]

    def stop(self) -> int:
        """A clean stop (as SIGTERM); returns the exit code."""
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError):
                pass
            try:
                self.proc.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("the kiosk process did not stop") from None
        return int(self.proc.returncode)

    def kill(self) -> None:
        """End it at once (teardown)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
