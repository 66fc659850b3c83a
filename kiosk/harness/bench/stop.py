"""`kiosk bench stop`: signal to process end for `kiosk run --headless` (SIGTERM as systemd
stops it, SIGINT as Ctrl+C does), demo and site profile, against a bare Python process that
exits on the same signal (the floor), measured in the same run. Prints medians and ratios.

Each kiosk is started as systemd starts it (NOTIFY_SOCKET; READY=1 after the first frame) with
every device off and, in the site profile, a platform URL where nothing listens; the signal is
sent once its start-up reconciliation has logged (kiosk.ui.stopping, docs/adr/0431).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kiosk import REPO_ROOT

#: Bounds (never a hang): start-up to READY=1, and a stop.
READY_LIMIT_SECONDS = 120.0
STOP_LIMIT_SECONDS = 30.0
DEVICES = ("IDCARD", "SMARTCARD", "CAMERA", "SCANNER", "RECEIPT_PRINTER", "DOCUMENT_PRINTER")
FLOOR = ("import signal, sys, time\n"
         "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\n"
         "print('ready', flush=True)\n"
         "time.sleep(600)\n")

#: The terminal id of the site-profile run (its throwaway certificate is issued to it).
SITE_TERMINAL_ID = "SITE-STOP-01"


def kiosk_env(folder: Path, notify: Path, profile: str, base_url: str = "") -> dict[str, str]:
    """The environment of a headless `kiosk run` in ``profile`` with its devices off and its data
    in ``folder``; the site profile speaks mutual TLS with a throwaway certificate (nothing needs
    to listen at ``base_url``: the kiosk starts all the same)."""
    env = dict(os.environ, NOTIFY_SOCKET=str(notify), SDL_VIDEODRIVER="offscreen",
               KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1", KIOSK__PROFILE=profile,
               KIOSK__PATHS__DATA_DIR=str(folder / "data"), KIVY_HOME=str(folder / "kivy"))
    for name in ("DISPLAY", "WATCHDOG_USEC", "WATCHDOG_PID", "KIOSK_SITE_FILE"):
        env.pop(name, None)
    for device in DEVICES:
        env[f"KIOSK__DEVICES__{device}"] = "none"
    if profile == "site":
        from kiosk.trust.ca import demo_pki

        terminal = demo_pki(folder / "pki", SITE_TERMINAL_ID).terminal
        env.update({"KIOSK__TERMINAL_ID": SITE_TERMINAL_ID,
                    "KIOSK__PLATFORM__BASE_URL": base_url or "https://127.0.0.1:9/api",
                    "KIOSK__PLATFORM__CA_FILE": str(terminal.ca_file),
                    "KIOSK__PLATFORM__CERT_FILE": str(terminal.cert_file),
                    "KIOSK__PLATFORM__KEY_FILE": str(terminal.key_file)})
    return env


def _wait_ready(sock: socket.socket, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_LIMIT_SECONDS
    ready = False
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the kiosk ended during start-up (exit {proc.returncode})")
        if not ready:
            sock.settimeout(0.5)
            try:
                ready = "READY=1" in sock.recv(4096).decode().split("\n")
            except TimeoutError:
                continue
        elif log.exists() and '"startup_reconciled"' in log.read_text(encoding="utf-8"):
            return
        else:
            time.sleep(0.1)
    raise RuntimeError("the kiosk did not finish starting")


def _stop(proc: subprocess.Popen[bytes], signum: int) -> float:
    started = time.monotonic()
    proc.send_signal(signum)
    try:
        proc.wait(timeout=STOP_LIMIT_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise RuntimeError(f"still running {STOP_LIMIT_SECONDS:.0f} s after "
                           f"{signal.Signals(signum).name}") from None
    return time.monotonic() - started


def time_kiosk_stop(profile: str, signum: int) -> float:
    """Seconds from ``signum`` to the end of one settled `kiosk run --headless`."""
    with tempfile.TemporaryDirectory(prefix="kbs-") as name:
        folder = Path(name)
        notify = folder / "n.sock"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(str(notify))
        proc = subprocess.Popen([sys.executable, "-m", "kiosk", "run", "--headless", "--size",
                                 "800x600"], cwd=REPO_ROOT, env=kiosk_env(folder, notify, profile),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_ready(sock, proc, folder / "data" / "log" / "kiosk.log")
            return _stop(proc, signum)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            sock.close()


def time_floor_stop() -> float:
    """Seconds from SIGTERM to the end of a bare Python process that handles it."""
    proc = subprocess.Popen([sys.executable, "-c", FLOOR], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        return _stop(proc, signal.SIGTERM)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main(argv: list[str]) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(prog="kiosk bench stop")
    parser.add_argument("--runs", type=int, default=3, help="runs of each (median reported)")
    parser.add_argument("--profiles", default="demo,site", help="comma-separated profiles")
    args = parser.parse_args(argv)
    floor_runs = [time_floor_stop() for _ in range(args.runs)]
    floor = statistics.median(floor_runs)
    print(f"stop: signal -> process end, kiosk run --headless settled, median of {args.runs}")
    print(f"  bare python on SIGTERM (floor): {floor * 1000:8.0f} ms")
    for profile in args.profiles.split(","):
        for signum in (signal.SIGTERM, signal.SIGINT):
            runs = [time_kiosk_stop(profile, signum) for _ in range(args.runs)]
            value = statistics.median(runs)
            name = signal.Signals(signum).name
            print(f"  {profile:<5} {name:<8} {value * 1000:8.0f} ms   runs: "
                  + ", ".join(f"{t * 1000:.0f}" for t in runs)
                  + f"   ratio to floor: {value / floor:6.1f}x   (limit 2000 ms)")
    return 0
