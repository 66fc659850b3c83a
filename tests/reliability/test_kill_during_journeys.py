"""kill -9 at 52 random instants during submit and print journeys, then restart and reconcile.

The kills aim in turn inside a submit journey, inside a print journey, and anywhere after
start-up, each at a seeded random delay.

Real processes: the sandbox platform on its own (`kiosk sandbox --port 0`), a headless kiosk
(kiosk.reliability.journey_runner: the real composition, outbox, print journal and printer
simulators) killed with SIGKILL together with its printer daemons (a power cut). After each
restart the test checks, from the kiosk's own SQLite files and the platform's counters:
every submission journaled before the kill reached the platform, exactly once; every print that
was in flight is now done, offered again (failed, in the reprint list) or voided; no journal row
ever disappears. At the end every journaled submission has been delivered, exactly once.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from kiosk import REPO_ROOT
from tests.reliability.conftest import SandboxProcess, child_env, reliability_catalogue

KILLS = 52
SEED = 20261121
#: Kills cycle through three aims: inside a submit journey, inside a print journey, and at any
#: instant after start-up. Random delays after the aimed journey begins (journeys take
#: 0.1-0.4 s each), or after "ready" for the third aim.
AIMS = ("submit", "print", "anywhere")
AIM_DELAY_SECONDS = {"submit": (0.0, 0.12), "print": (0.0, 0.3), "anywhere": (0.02, 1.5)}
#: Bound for a kiosk process to open its printers and reconcile (not a timing assertion).
READY_TIMEOUT_SECONDS = 90.0
SETTLED = {"done", "failed", "voided"}


class Runner:
    """One headless kiosk process and its stdout lines."""

    def __init__(self, data_dir: Path, catalogue: Path, url: str, tmp: Path, seed: int,
                 journeys: int = -1) -> None:
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.reliability.journey_runner", "--data-dir",
             str(data_dir), "--base-url", url, "--catalogue", str(catalogue), "--seed",
             str(seed), "--journeys", str(journeys)],
            cwd=REPO_ROOT, env=child_env(tmp), stdout=subprocess.PIPE,
            stderr=(tmp / "runner.err").open("a"), text=True, start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.strip())

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while "ready" not in self.lines:
            assert self.proc.poll() is None or "ready" in self.lines, "runner died at start"
            assert time.monotonic() < deadline, "runner not ready"
            time.sleep(0.02)

    def wait_begin(self, kind: str) -> None:
        """Wait until a journey of ``kind`` begins (after the lines seen so far)."""
        seen = len(self.lines)
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not any(line.startswith("begin ") and line.split()[2] == kind
                      for line in self.lines[seen:]):
            assert self.proc.poll() is None, "runner died"
            assert time.monotonic() < deadline, f"no {kind} journey began"
            time.sleep(0.005)

    def phase(self) -> str:
        """What the runner was doing at this instant: submit, print or between."""
        last = self.lines[-1] if self.lines else ""
        return last.split()[2] if last.startswith("begin ") else "between"

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)  # the kiosk and its printer daemons
        self.proc.wait()
        self._reader.join(timeout=10)

    def wait_exit(self) -> int:
        code = self.proc.wait(timeout=READY_TIMEOUT_SECONDS)
        self._reader.join(timeout=10)
        return code


def _rows(db: Path, query: str) -> list[tuple]:
    with sqlite3.connect(db, timeout=10) as conn:
        return conn.execute(query).fetchall()


def _prints(data: Path) -> dict[int, str]:
    return dict(_rows(data / "prints.sqlite3", "SELECT id, state FROM prints"))


def _submissions(data: Path) -> dict[str, tuple[str, str]]:
    return {key: (kind, state) for key, kind, state in _rows(
        data / "outbox.sqlite3", "SELECT idempotency_key, kind, state FROM submissions")}


TABLE_OF = {"application": "applications_by_key", "rating": "ratings_by_key",
            "problem_report": "problem_reports_by_key"}


def _check_platform(sandbox: SandboxProcess, submissions: dict[str, tuple[str, str]],
                    keys: set[str]) -> None:
    stats = sandbox.stats()
    for table in TABLE_OF.values():
        doubles = {k: n for k, n in stats[table].items() if n != 1}
        assert not doubles, f"{table}: keys recorded more than once: {doubles}"
    for key in keys:
        kind, state = submissions[key]
        assert state == "delivered", f"{kind} {key} is {state} after restart"
        assert stats[TABLE_OF[kind]].get(key) == 1, f"{kind} {key} not at the platform once"


def test_kill_during_journeys(tmp_path: Path, sandbox_process: SandboxProcess) -> None:
    data = tmp_path / "kiosk"
    catalogue = reliability_catalogue(tmp_path / "catalogue", "social-insurance-certificate")
    rng = random.Random(SEED)
    phases: list[str] = []
    in_flight_prints: set[int] = set()
    owed_keys: set[str] = set()
    known_prints: set[int] = set()
    known_keys: set[str] = set()
    interrupted_prints = interrupted_submissions = 0
    for i in range(KILLS):
        runner = Runner(data, catalogue, sandbox_process.url, tmp_path, SEED + i)
        runner.wait_ready()
        if i:  # what the previous kill interrupted is settled now
            prints, submissions = _prints(data), _submissions(data)
            assert known_prints <= set(prints), "a print journal row disappeared"
            assert known_keys <= set(submissions), "a submission row disappeared"
            unsettled = {p: prints[p] for p in in_flight_prints if prints[p] not in SETTLED}
            assert not unsettled, f"prints left in flight after restart: {unsettled}"
            _check_platform(sandbox_process, submissions, owed_keys)
        aim = AIMS[i % len(AIMS)]
        if aim != "anywhere":
            runner.wait_begin(aim)
        time.sleep(rng.uniform(*AIM_DELAY_SECONDS[aim]))
        phases.append(runner.phase())
        runner.kill()
        prints, submissions = _prints(data), _submissions(data)
        known_prints, known_keys = set(prints), set(submissions)
        in_flight_prints = {p for p, s in prints.items() if s in ("pending", "submitted")}
        owed_keys = {k for k, (_, s) in submissions.items() if s == "pending"}
        interrupted_prints += len(in_flight_prints)
        interrupted_submissions += len(owed_keys)

    final = Runner(data, catalogue, sandbox_process.url, tmp_path, 0, journeys=0)
    assert final.wait_exit() == 0
    prints, submissions = _prints(data), _submissions(data)
    assert known_prints <= set(prints) and known_keys <= set(submissions)
    assert set(prints.values()) <= SETTLED, "a print is neither done, offered again nor voided"
    _check_platform(sandbox_process, submissions, set(submissions))
    applications = [k for k, (kind, _) in submissions.items() if kind == "application"]
    assert len(applications) >= KILLS // 4, "too few applications to mean anything"
    print(f"kills: {len(phases)} ({phases.count('submit')} during submit, "
          f"{phases.count('print')} during print); interrupted prints {interrupted_prints}, "
          f"submissions journaled but unacknowledged {interrupted_submissions}; "
          f"prints {len(prints)}, submissions {len(submissions)}")
    assert interrupted_prints >= 1, "no kill landed inside a print"
    assert phases.count("submit") >= 10 and phases.count("print") >= 10, phases
