"""What the crash tests share (test_kill_during_journeys.py: the headless kiosk process;
test_kill_ui_during_journeys.py: the real Kivy kiosk process).

`KioskProcess` starts a journey runner (kiosk.harness.reliability.journey_runner or
kiosk.harness.ui_journey_runner) in its own session and reads its stdout lines (``ready``,
``begin <n> <kind> <service>``, ``end <n> <kind>``, ...); `KioskProcess.kill` sends SIGKILL
to its whole process group, so the printer simulator's ippeveprinter and dbus daemons die with
it, as in a power cut. `kill_loop` starts, aims, kills and restarts it again and again and,
after each restart (the runner says ``ready`` only once its start-up reconciliation has
finished), checks from the kiosk's own SQLite files (outbox, print journal) and the platform's
records (``/_sandbox/stats``): no journal row disappeared, every print that was in flight at
the kill is done, failed (offered again) or voided, every submission journaled but not
acknowledged at the kill has reached the platform exactly once, and no idempotency key has two
records. `check_final` checks the same of everything at the end.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk import REPO_ROOT
from tests.reliability.conftest import SandboxProcess, child_env

#: Bound for a kiosk process to open its devices and reconcile, or to reach an aimed line
#: (not a timing assertion).
READY_TIMEOUT_SECONDS = 90.0
SETTLED = {"done", "failed", "voided"}
IN_FLIGHT = {"pending", "submitted"}
TABLE_OF = {"application": "applications_by_key", "rating": "ratings_by_key",
            "problem_report": "problem_reports_by_key"}
#: Environment variable that lowers the number of kills of both crash tests for the edit loop
#: (e.g. ``KIOSK_TEST_KILLS=6``); unset, each test makes its full count (what CI runs).
KILLS_ENV = "KIOSK_TEST_KILLS"
#: From this many kills on, a run is long enough that the aims must have hit every phase.
FULL_COVERAGE_KILLS = 30


def kill_count(full: int) -> int:
    """The number of kills for a crash test: ``$KIOSK_TEST_KILLS`` if set, else ``full``."""
    text = os.environ.get(KILLS_ENV, "").strip()
    if not text:
        return full
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{KILLS_ENV} must be a whole number of kills from 1 on, not {text!r}")
    return int(text)


class KioskProcess:
    """One journey-runner process (``python -m <module>``) and its stdout lines."""

    def __init__(self, module: str, data_dir: Path, catalogue: Path, url: str, tmp: Path,
                 seed: int, journeys: int = -1, extra_args: tuple[str, ...] = (),
                 env: dict[str, str] | None = None) -> None:
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, "--data-dir", str(data_dir), "--base-url", url,
             "--catalogue", str(catalogue), "--seed", str(seed), "--journeys", str(journeys),
             *extra_args],
            cwd=REPO_ROOT, env={**child_env(tmp), **(env or {})}, stdout=subprocess.PIPE,
            stderr=(tmp / "runner.err").open("a"), text=True, start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.strip())

    def wait_line(self, wanted: Callable[[str], bool], what: str, after: int = 0) -> None:
        """Wait until a line from index ``after`` on satisfies ``wanted``."""
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not any(wanted(line) for line in self.lines[after:]):
            assert self.proc.poll() is None, f"runner died before {what}"
            assert time.monotonic() < deadline, f"no {what}"
            time.sleep(0.005)

    def wait_ready(self) -> None:
        """Wait for ``ready`` (devices open, start-up reconciliation done)."""
        self.wait_line(lambda line: line == "ready", "ready")

    def wait_begin(self, kind: str) -> None:
        """Wait until a journey of ``kind`` begins (after the lines seen so far)."""
        self.wait_line(lambda line: line.startswith("begin ") and line.split()[2] == kind,
                       f"{kind} journey", after=len(self.lines))

    def phase(self) -> str:
        """What the runner was doing at this instant: submit, print or between."""
        journey_lines = [line for line in self.lines
                         if line.split(" ", 1)[0] in ("begin", "end", "fail")]
        last = journey_lines[-1] if journey_lines else ""
        return last.split()[2] if last.startswith("begin ") else "between"

    def failures(self) -> list[str]:
        """The ``fail`` lines: journeys that did not get to the end."""
        return [line for line in self.lines if line.startswith("fail ")]

    def kill(self) -> None:
        """SIGKILL the whole process group: the kiosk and its printer daemons."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._reader.join(timeout=10)

    def wait_exit(self) -> int:
        """Wait for the process to end by itself; its exit code."""
        code = self.proc.wait(timeout=READY_TIMEOUT_SECONDS)
        self._reader.join(timeout=10)
        return code


def _rows(db: Path, query: str) -> list[tuple]:
    with sqlite3.connect(db, timeout=10) as conn:
        return conn.execute(query).fetchall()


def journal_prints(data: Path) -> dict[int, str]:
    """Print journal: id -> state."""
    return dict(_rows(data / "prints.sqlite3", "SELECT id, state FROM prints"))


def journal_submissions(data: Path) -> dict[str, tuple[str, str]]:
    """Outbox: idempotency key -> (kind, state)."""
    return {key: (kind, state) for key, kind, state in _rows(
        data / "outbox.sqlite3", "SELECT idempotency_key, kind, state FROM submissions")}


def check_platform(sandbox: SandboxProcess, submissions: dict[str, tuple[str, str]],
                   keys: set[str]) -> None:
    """No key recorded twice by the platform; each of ``keys`` delivered and recorded once."""
    stats = sandbox.stats()
    for table in TABLE_OF.values():
        doubles = {k: n for k, n in stats[table].items() if n != 1}
        assert not doubles, f"{table}: keys recorded more than once: {doubles}"
    for key in keys:
        kind, state = submissions[key]
        assert state == "delivered", f"{kind} {key} is {state} after restart"
        assert stats[TABLE_OF[kind]].get(key) == 1, f"{kind} {key} not at the platform once"


@dataclass
class KillReport:
    """What the kills hit: the phase at each kill and what was caught in flight."""

    phases: list[str] = field(default_factory=list)
    interrupted_prints: int = 0
    interrupted_submissions: int = 0  # journaled, not acknowledged at the kill
    failed_journeys: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the test's output."""
        return (f"kills: {len(self.phases)} ({self.phases.count('submit')} during submit, "
                f"{self.phases.count('print')} during print); interrupted prints "
                f"{self.interrupted_prints}, submissions journaled but unacknowledged "
                f"{self.interrupted_submissions}; failed journeys {len(self.failed_journeys)}")


def kill_loop(data: Path, sandbox: SandboxProcess, kills: int,
              start: Callable[[int], KioskProcess],
              aim: Callable[[int, KioskProcess], None]) -> KillReport:
    """Start (``start(i)``), wait for ``ready``, check what the previous kill interrupted,
    ``aim(i, process)`` (returns at the instant to kill), kill; ``kills`` times."""
    report = KillReport()
    in_flight_prints: set[int] = set()
    owed_keys: set[str] = set()
    known_prints: set[int] = set()
    known_keys: set[str] = set()
    for i in range(kills):
        runner = start(i)
        runner.wait_ready()
        if i:  # what the previous kill interrupted is settled now
            prints, submissions = journal_prints(data), journal_submissions(data)
            assert known_prints <= set(prints), "a print journal row disappeared"
            assert known_keys <= set(submissions), "a submission row disappeared"
            unsettled = {p: prints[p] for p in in_flight_prints if prints[p] not in SETTLED}
            assert not unsettled, f"prints left in flight after restart: {unsettled}"
            check_platform(sandbox, submissions, owed_keys)
        aim(i, runner)
        report.phases.append(runner.phase())
        runner.kill()
        report.failed_journeys += runner.failures()
        prints, submissions = journal_prints(data), journal_submissions(data)
        known_prints, known_keys = set(prints), set(submissions)
        in_flight_prints = {p for p, s in prints.items() if s in IN_FLIGHT}
        owed_keys = {k for k, (_, s) in submissions.items() if s == "pending"}
        report.interrupted_prints += len(in_flight_prints)
        report.interrupted_submissions += len(owed_keys)
    return report


def check_final(data: Path, sandbox: SandboxProcess, start_final: Callable[[], KioskProcess],
                min_applications: int) -> None:
    """A last start that only reconciles (``--journeys 0``): then every print is done, offered
    again or voided, every submission delivered and recorded exactly once."""
    known_prints, known_keys = set(journal_prints(data)), set(journal_submissions(data))
    assert start_final().wait_exit() == 0
    prints, submissions = journal_prints(data), journal_submissions(data)
    assert known_prints <= set(prints) and known_keys <= set(submissions)
    assert set(prints.values()) <= SETTLED, "a print is neither done, offered again nor voided"
    check_platform(sandbox, submissions, set(submissions))
    applications = [k for k, (kind, _) in submissions.items() if kind == "application"]
    assert len(applications) >= min_applications, "too few applications to mean anything"
    print(f"prints {len(prints)}, submissions {len(submissions)} "
          f"({len(applications)} applications)")
