"""Endless data: a mirror streams a bundle (or the timestamp) forever, larger than its signed
length. ngclient stops at the limit; rejected; v1 keeps running.
"""

from __future__ import annotations

from kiosk.updates.httpserve import send_endless
from kiosk.updates.state import OutcomeKind
from tests.updates.conftest import Setup, assert_unchanged


def test_endless_bundle_is_rejected(setup: Setup, update_log) -> None:
    setup.publish(1)
    updater = setup.updater()
    assert updater.poll().version == 1
    setup.publish(2)
    url_path = "/" + setup.repo.bundle_file(2).relative_to(setup.repo.repo_dir).as_posix()
    setup.server.overrides[url_path] = send_endless

    outcome = updater.poll()

    assert outcome.kind == OutcomeKind.REJECTED and outcome.version == 2
    assert "DownloadLengthMismatchError" in outcome.reason
    assert url_path in setup.server.requests
    assert_unchanged(updater, 1)
    assert not list(updater.downloads_dir.glob("*"))
    assert update_log("update_rejected")


def test_endless_timestamp_is_rejected(setup: Setup, update_log) -> None:
    setup.publish(1)
    updater = setup.updater()
    assert updater.poll().version == 1
    setup.server.overrides["/metadata/timestamp.json"] = send_endless

    outcome = updater.poll()

    assert outcome.kind == OutcomeKind.REJECTED
    assert "DownloadLengthMismatchError" in outcome.reason
    assert_unchanged(updater, 1)
