"""`kiosk bench soak --sessions N [--ui [--ui-sessions M]]`: many full journeys, then the
process's resident memory, open descriptors and threads at start and end.

Engine sessions: the real kiosk (build_kiosk, demo profile: embedded sandbox platform over
HTTP, simulated receipt and A4 printers, SQLite outbox and print journal), one resident per
session identified with the platform, one service run to the end by the headless resident
(kiosk.harness.reliability.journeys), then the wipe. Services rotate between queries, certificate
prints, applications through the outbox, appointments and problem reports.

UI sessions (``--ui``): the same kiosk in the real Kivy UI (SDL offscreen), driven by touches
through kiosk/harness/ui_driver.py (kiosk.harness.ui_journeys.query_and_print): the simulated ID
card is
presented, 社保缴费记录查询 is tapped, the A4 certificate printed, the service rated, 退出 tapped.

The platform is the sandbox in its own process (`kiosk sandbox --port 0`), as on site where the
platform is remote, so the figures are the kiosk's own; ``--platform embedded`` keeps it in
process (the demo set-up; its HTTP server threads and SQLite caches then count too). The
simulated receipt printer's capture buffer (a test double) is emptied every 100 sessions.

Both start measuring after a warm-up (imports, caches, the first connections). Growth is
extrapolated linearly to 10,000 engine / 1,000 UI sessions (the goals: < 5 MB and < 20 MB, no
descriptor or thread growth). The floor: a bare session (start, identify, wipe) in the same run.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flows.ports import DeviceName

ENGINE_GOAL_MB_PER_10K = 5.0
UI_GOAL_MB_PER_1K = 20.0
DEVICES_OFF = (DeviceName.IDCARD, DeviceName.SMARTCARD, DeviceName.CAMERA,
               DeviceName.SCANNER)
#: What the UI soak's journeys use (card in, A4 certificate, receipt).
JOURNEY_DEVICES = (DeviceName.IDCARD, DeviceName.DOCUMENT_PRINTER, DeviceName.RECEIPT_PRINTER)
#: Bound for the simulators to become usable (not a timing assertion).
DEVICE_READY_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Sample:
    """One reading of the process's resources."""

    rss_kb: int
    fds: int
    threads: int  # OS threads (native ones included)
    fd_kinds: tuple[str, ...] = ()  # what each descriptor is (socket, pipe, a file's name)

    @classmethod
    def now(cls) -> Sample:
        """Read /proc/self after a full garbage collection."""
        gc.collect()
        fields = {}
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value.strip()
        kinds = tuple(sorted(_fd_kind(fd) for fd in os.listdir("/proc/self/fd")))
        return cls(int(fields["VmRSS"].split()[0]), len(kinds), int(fields["Threads"]), kinds)


def _fd_kind(fd: str) -> str:
    """A descriptor's kind: ``socket``, ``pipe``, ``anon_inode:...`` or the file's base name."""
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return "gone"
    kind = target.split(":[", 1)[0]
    return kind if kind != target else Path(target).name


def _fd_change(start: Sample, end: Sample) -> str:
    """The descriptors opened and closed between two samples, by kind."""
    from collections import Counter

    diff = Counter(end.fd_kinds)
    diff.subtract(Counter(start.fd_kinds))
    changes = [f"{n:+d} {kind}" for kind, n in sorted(diff.items()) if n]
    return f" ({', '.join(changes)})" if changes else ""


def _journeys() -> list[Any]:
    from kiosk.harness.reliability.journeys import Journey

    return [Journey("social-insurance-payments", "migrant", "query"),
            Journey("generic-application", "worker", "submit"),
            Journey("social-insurance-certificate", "worker", "print"),
            Journey("medical-insurance-account", "mother", "query"),
            Journey("problem-report", "worker", "submit"),
            Journey("provident-fund-certificate", "spouse_of_owner", "print"),
            Journey("benefits", "worker", "query")]


def soak_catalogue(target: Path) -> Path:
    """The builtin services plus the test-only generic application (always accepted)."""
    from kiosk.boot.composition import BUILTIN_CATALOGUE

    shutil.copytree(BUILTIN_CATALOGUE, target)
    shutil.copytree(Path(__file__).resolve().parents[1] / "reliability" / "flows" /
                    "generic-application", target / "generic-application")
    return target


class PlatformProcess:
    """The sandbox platform as a child process (None URL: embedded in the kiosk)."""

    def __init__(self, root: Path, separate: bool) -> None:
        self.url = ""
        self._proc: subprocess.Popen[str] | None = None
        if not separate:
            return
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "sandbox", "--port", "0", "--db",
             str(root / "platform.sqlite3")], stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            if "listening on" in line:
                self.url = line.split("listening on ", 1)[1].split()[0]
                break
        if not self.url:
            raise RuntimeError("the sandbox platform did not start")

    def stop(self) -> None:
        """Stop the child process."""
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=20)
            if self._proc.stdout is not None:
                self._proc.stdout.close()


def _settings(data: Path, keep_devices: tuple[str, ...] = (), base_url: str = "") -> Any:
    from kiosk.boot.settings import load_settings

    env = {"KIOSK__PATHS__DATA_DIR": str(data), "KIOSK__PLATFORM__BASE_URL": base_url}
    for name in DEVICES_OFF:
        if name not in keep_devices:
            env[f"KIOSK__DEVICES__{name.upper()}"] = "none"
    return load_settings(environ=env)


def _report(label: str, samples: list[Sample], sessions: int, per: int, goal_mb: float,
            seconds: float, failures: int) -> None:
    start, end = samples[0], samples[-1]
    growth_mb = (end.rss_kb - start.rss_kb) / 1024
    per_mb = growth_mb / sessions * per if sessions else 0.0
    print(f"{label}: {sessions} sessions in {seconds:.1f} s ({seconds / sessions * 1000:.0f} ms "
          f"each), {failures} failed")
    print(f"  RSS      start {start.rss_kb / 1024:8.1f} MB  end {end.rss_kb / 1024:8.1f} MB  "
          f"growth {growth_mb:+.2f} MB -> {per_mb:+.2f} MB per {per:,} sessions "
          f"(extrapolated; goal < {goal_mb:g} MB: {'met' if per_mb < goal_mb else 'NOT met'})")
    if len(samples) == 5 and sessions >= 4:
        half_mb = (end.rss_kb - samples[2].rss_kb) / 1024
        print("  RSS by quarter: " + " -> ".join(f"{x.rss_kb / 1024:.1f}" for x in samples)
              + f" MB; second half {half_mb:+.2f} MB -> {half_mb / (sessions / 2) * per:+.2f} MB"
              f" per {per:,} sessions (extrapolated)")
    print(f"  files    start {start.fds:5d}  end {end.fds:5d}  growth {end.fds - start.fds:+d}"
          + _fd_change(start, end))
    print(f"  threads  start {start.threads:5d}  end {end.threads:5d}  growth "
          f"{end.threads - start.threads:+d}")


def _receipt_simulator(parts: Any) -> Any:
    """The simulated receipt printer (the soak runs on simulated devices only)."""
    simulator = parts.hub.simulator("receipt_printer")
    if simulator is None:
        raise RuntimeError("the soak needs the simulated receipt printer")
    return simulator


def _measured_run(one: Callable[[int], None], sessions: int) -> tuple[list[Sample], float]:
    """Run ``one(i)`` for ``sessions`` sessions; a sample before, at each quarter and after,
    and the seconds the sessions took."""
    samples = [Sample.now()]
    marks = {sessions * q // 4 for q in (1, 2, 3)}
    t0 = time.perf_counter()
    for i in range(sessions):
        one(i)
        if i + 1 in marks:
            samples.append(Sample.now())
    seconds = time.perf_counter() - t0
    samples.append(Sample.now())
    return samples, seconds


def engine_soak(sessions: int, warmup: int, separate: bool = True) -> int:
    """N engine sessions; print the figures; return the number of failed journeys."""
    from kiosk.boot.composition import build_kiosk
    from kiosk.boot.logs import configure_logging
    from kiosk.core.tasks import InlineRunner
    from kiosk.harness.reliability.journeys import begin_journey, run_journey

    root = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
    catalogue = soak_catalogue(root / "catalogue")
    configure_logging(root / "log", "WARNING")
    platform = PlatformProcess(root, separate)
    parts = build_kiosk(_settings(root / "data", base_url=platform.url), InlineRunner(),
                        catalogue_dir=catalogue)
    try:
        parts.start_devices()
        _wait(lambda: parts.hub.usable(DeviceName.RECEIPT_PRINTER) and parts.hub.usable(
            DeviceName.DOCUMENT_PRINTER))
        journeys = _journeys()
        failures = 0

        def one(i: int) -> None:
            nonlocal failures
            try:
                run_journey(parts, journeys[i % len(journeys)], catalogue)
            except Exception:  # counted and reported, the soak goes on
                failures += 1
            if i % 100 == 99:
                _receipt_simulator(parts).clear()

        for i in range(warmup):
            one(i)
        failures = 0
        bare_n = min(200, max(20, sessions // 10))
        t0 = time.perf_counter()
        for _ in range(bare_n):
            begin_journey(parts, journeys[3])
            parts.lifecycle.end()
        bare_ms = (time.perf_counter() - t0) / bare_n * 1000
        samples, seconds = _measured_run(one, sessions)
        _report("engine", samples, sessions, 10_000, ENGINE_GOAL_MB_PER_10K, seconds,
                failures)
        journey_ms = seconds / sessions * 1000
        print(f"  floor: bare session (start, identify, wipe) {bare_ms:.1f} ms; a journey is "
              f"{journey_ms / bare_ms:.1f}x the floor")
        print(f"  outbox {parts.outbox.stats()}; prints journaled "
              f"{len(parts.printing.journal.entries())}")
        return failures
    finally:
        parts.close()
        platform.stop()
        shutil.rmtree(root, ignore_errors=True)


def _wait(predicate: Any, timeout: float = DEVICE_READY_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError("devices did not become ready")
        time.sleep(0.05)


def ui_soak(sessions: int, warmup: int, separate: bool = True) -> int:
    """M UI sessions through the real Kivy UI offscreen; return the number of failures."""
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
    from kiosk.boot.resources import FONT_PATH
    from kiosk.ui.window import prepare, register_font

    prepare(1920, 1080)
    register_font(FONT_PATH)
    from kiosk.boot.composition import compose
    from kiosk.boot.logs import configure_logging
    from kiosk.harness.ui_driver import UiDriver
    from kiosk.harness.ui_journeys import query_and_print

    root = Path(tempfile.mkdtemp(prefix="kiosk-soak-ui-"))
    configure_logging(root / "log", "WARNING")
    platform = PlatformProcess(root, separate)
    kiosk = compose(_settings(root / "data", keep_devices=(DeviceName.IDCARD,),
                              base_url=platform.url))
    kiosk.start_devices()
    parts = kiosk.parts
    driver = UiDriver(kiosk.app)
    try:
        driver.wait_for(lambda: all(parts.hub.usable(n) for n in
                                    JOURNEY_DEVICES),
                        DEVICE_READY_SECONDS, "devices ready")
        failures = 0

        def one(i: int) -> None:
            nonlocal failures
            try:
                query_and_print(driver, parts.hub)
            except AssertionError:
                failures += 1
                parts.controller.finish()
                driver.wait_for_screen("attract")
            if i % 100 == 99:
                _receipt_simulator(parts).clear()

        for i in range(warmup):
            one(i)
        failures = 0
        samples, seconds = _measured_run(one, sessions)
        _report("ui", samples, sessions, 1_000, UI_GOAL_MB_PER_1K, seconds, failures)
        return failures
    finally:
        driver.close()
        kiosk.close()
        platform.stop()
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str]) -> int:
    """Entry point of `kiosk bench soak`."""
    parser = argparse.ArgumentParser(prog="kiosk bench soak", description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=2000, help="engine sessions")
    parser.add_argument("--ui", action="store_true", help="also run sessions through the UI")
    parser.add_argument("--ui-sessions", type=int, default=200, help="UI sessions (--ui)")
    parser.add_argument("--warmup", type=int, default=1000,
                        help="engine sessions before measuring (the journals' bounded SQLite "
                             "page caches fill in about 1,000 sessions)")
    parser.add_argument("--ui-warmup", type=int, default=20, help="UI sessions before measuring")
    parser.add_argument("--platform", choices=("process", "embedded"), default="process",
                        help="the sandbox platform in its own process (default) or in-process")
    args = parser.parse_args(argv)
    separate = args.platform == "process"
    print(f"soak: pid {os.getpid()}, platform {args.platform}, "
          f"python threads at start {threading.active_count()}")
    failures = engine_soak(args.sessions, args.warmup, separate) if args.sessions > 0 else 0
    if args.ui:
        failures += ui_soak(args.ui_sessions, args.ui_warmup, separate)
    return 1 if failures else 0
