"""A signed bundle whose check needs more CPU time or memory than allowed: the check runs in a
child process under ``setrlimit`` limits, the child is stopped, the bundle is refused with a
plain reason and rolled back, and the previous bundle stays active. The kiosk process itself
never holds the bundle's YAML.

The hostile bundle is valid YAML, every file under ``MAX_YAML_CHARS``: each service's flow and
fixtures carry a flat list of 120,000 values. Checking it costs seconds of CPU and ~100 MB (a
good bundle's check fits in 40 MB and a fraction of a second).
"""

from __future__ import annotations

import functools
import resource
import time
from pathlib import Path

import pytest

from kiosk.updates.childcheck import CheckLimits, isolated_check
from kiosk.updates.state import OutcomeKind
from tests.updates.conftest import Setup, assert_unchanged, write_flows

PADDING_VALUES = 120_000


def _publish_heavy(setup: Setup, version: int) -> None:
    folder = write_flows(setup.tmp / f"heavy-{version}", version)
    padding = "padding: [" + ",".join(["0"] * PADDING_VALUES) + "]\n"
    for path in sorted(folder.glob("*/*.yaml")):
        path.write_text(path.read_text(encoding="utf-8") + padding, encoding="utf-8")
    from kiosk.updates.bundle import build_archive
    from kiosk.updates.repository import Audience

    archive = setup.tmp / f"heavy-{version}.tar.gz"
    build_archive(folder, archive, version, "0.1.0", created="2026-11-01T00:00:00Z")
    setup.repo.publish(archive, [Audience("all")])


LIMITS = {
    "cpu": (CheckLimits(cpu_seconds=1, memory_bytes=1024 * 1024 * 1024), "CPU time"),
    "memory": (CheckLimits(cpu_seconds=60, memory_bytes=64 * 1024 * 1024), "memory"),
    "wall": (CheckLimits(cpu_seconds=60, memory_bytes=1024 * 1024 * 1024, wall_seconds=1.0),
             "did not finish"),
}


@pytest.mark.slow
@pytest.mark.parametrize("limit", list(LIMITS), ids=list(LIMITS))
def test_bundle_over_the_check_limits_is_refused_and_the_previous_stays(
        setup: Setup, limit: str) -> None:
    limits, reason = LIMITS[limit]
    check = functools.partial(isolated_check, limits=limits)
    setup.publish(1)
    assert setup.updater().poll().kind == OutcomeKind.ACTIVATED
    _publish_heavy(setup, 2)
    updater = setup.updater(check_bundle=check)
    own_peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    started = time.monotonic()
    outcome = updater.poll()
    seconds = time.monotonic() - started

    assert outcome.kind == OutcomeKind.ROLLED_BACK and outcome.version == 2
    assert reason in outcome.reason, outcome.reason
    assert "Traceback" not in outcome.reason
    assert_unchanged(updater, 1)
    assert 2 in updater.status()["bad_versions"]
    assert updater.poll().kind == OutcomeKind.ROLLED_BACK  # not tried again
    # the kiosk process did not grow by the bundle's weight (the child did the work)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - own_peak_before
    assert grown_kib < 100 * 1024
    print(f"\n{limit}: refused in {seconds:.2f} s ({outcome.reason})")


def test_good_bundle_passes_the_isolated_check(tmp_path: Path) -> None:
    from kiosk.updates.bundle import MANIFEST_NAME, make_manifest

    folder = write_flows(tmp_path / "good", 1)
    (folder / MANIFEST_NAME).write_bytes(make_manifest(folder, 1, "0.1.0").to_json())
    assert isolated_check(folder) == []


def test_isolated_check_reports_problems_of_a_broken_bundle(tmp_path: Path) -> None:
    from kiosk.updates.bundle import MANIFEST_NAME, make_manifest

    folder = write_flows(tmp_path / "broken", 1, broken=True)
    (folder / MANIFEST_NAME).write_bytes(make_manifest(folder, 1, "0.1.0").to_json())
    problems = isolated_check(folder)
    assert problems and "steps" in problems[0]
