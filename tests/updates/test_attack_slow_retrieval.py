"""Slow retrieval: a mirror trickles the right bytes just fast enough to dodge the gap timeout.
The whole-download deadline cuts it off; rejected; v1 keeps running.
"""

from __future__ import annotations

from kiosk.updates.httpserve import send_trickle
from kiosk.updates.state import OutcomeKind
from tests.updates.conftest import Setup, assert_unchanged


def test_trickled_bundle_is_cut_off(setup: Setup, update_log) -> None:
    setup.publish(1)
    updater = setup.updater(download_deadline_seconds=0.3)
    assert updater.poll().version == 1
    setup.publish(2)
    served = setup.repo.bundle_file(2)
    url_path = "/" + served.relative_to(setup.repo.repo_dir).as_posix()
    setup.server.overrides[url_path] = send_trickle(served.read_bytes(), pause_seconds=0.05)

    outcome = updater.poll()

    assert outcome.kind == OutcomeKind.REJECTED and outcome.version == 2
    assert "DownloadDeadlineError" in outcome.reason
    assert_unchanged(updater, 1)
    assert update_log("update_rejected")
