"""kill -9 at 52 random instants during submit and print journeys, then restart and reconcile.

``KIOSK_TEST_KILLS=N`` makes N kills instead (the edit loop); the per-restart checks stay the
same, the checks that the kills landed in every phase need the full count.

The kills aim in turn inside a submit journey, inside a print journey, and anywhere after
start-up, each at a seeded random delay.

Real processes: the sandbox platform on its own (`kiosk sandbox --port 0`), a headless kiosk
(kiosk.harness.reliability.journey_runner: the real composition, outbox, print journal and printer
simulators) killed with SIGKILL together with its printer daemons (a power cut). After each
restart the test checks, from the kiosk's own SQLite files and the platform's counters:
every submission journaled before the kill reached the platform, exactly once; every print that
was in flight is now done, offered again (failed, in the reprint list) or voided; no journal row
ever disappears. At the end every journaled submission has been delivered, exactly once.
The loop and the checks are shared with the Kivy crash test (tests/reliability/crash.py).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import SandboxProcess, reliability_catalogue
from tests.reliability.crash import (
    FULL_COVERAGE_KILLS,
    KioskProcess,
    check_final,
    kill_count,
    kill_loop,
)

KILLS = kill_count(52)
SEED = 20261121
RUNNER = "kiosk.harness.reliability.journey_runner"
#: Kills cycle through three aims: inside a submit journey, inside a print journey, and at any
#: instant after start-up. Random delays after the aimed journey begins (journeys take
#: 0.1-0.4 s each), or after "ready" for the third aim.
AIMS = ("submit", "print", "anywhere")
AIM_DELAY_SECONDS = {"submit": (0.0, 0.12), "print": (0.0, 0.3), "anywhere": (0.02, 1.5)}


@pytest.mark.slow
def test_kill_during_journeys(tmp_path: Path, sandbox_process: SandboxProcess) -> None:
    data = tmp_path / "kiosk"
    catalogue = reliability_catalogue(tmp_path / "catalogue", "social-insurance-certificate")
    rng = random.Random(SEED)

    def start(i: int) -> KioskProcess:
        return KioskProcess(RUNNER, data, catalogue, sandbox_process.url, tmp_path, SEED + i)

    def aim(i: int, runner: KioskProcess) -> None:
        target = AIMS[i % len(AIMS)]
        if target != "anywhere":
            runner.wait_begin(target)
        time.sleep(rng.uniform(*AIM_DELAY_SECONDS[target]))

    report = kill_loop(data, sandbox_process, KILLS, start, aim)
    check_final(data, sandbox_process, lambda: KioskProcess(
        RUNNER, data, catalogue, sandbox_process.url, tmp_path, 0, journeys=0), KILLS // 4)
    print(report.summary())
    if KILLS < FULL_COVERAGE_KILLS:
        return  # a short run (KIOSK_TEST_KILLS): too few kills to be sure to land everywhere
    assert report.interrupted_prints >= 1, "no kill landed inside a print"
    assert report.phases.count("submit") >= 10 and report.phases.count("print") >= 10, \
        report.phases
