"""Rollback attacks: a mirror replays older signed metadata, or a (compromised) signer points a
channel at an older bundle. Both refused; the newer active bundle keeps running.
"""

from __future__ import annotations

from tuf.api.metadata import TargetFile

from kiosk.updates.state import CheckKind, OutcomeKind
from tests.updates.conftest import Setup, assert_unchanged


def test_replayed_old_metadata_is_rejected(setup: Setup, update_log) -> None:
    setup.publish(1)
    old_repo = setup.snapshot_repo("v1")
    setup.publish(2)
    updater = setup.updater()
    assert updater.poll().version == 2
    setup.serve_copy(old_repo)  # the mirror now serves the repository as it was at v1

    outcome = updater.poll()

    assert outcome.kind == OutcomeKind.REJECTED
    assert "BadVersionNumberError" in outcome.reason
    assert updater.last_check().kind == CheckKind.REJECTED
    assert_unchanged(updater, 2)
    assert update_log("update_rejected")


def test_channel_pointing_at_an_older_bundle_is_refused(setup: Setup, update_log) -> None:
    setup.publish(1)
    setup.publish(2)
    updater = setup.updater()
    assert updater.poll().version == 2
    # Someone holding the targets key re-points the channel at bundle 1 (the admin tool refuses
    # this, so it is done with the Metadata API directly).
    targets, snapshot, timestamp = setup.repo.current_metadata()
    path = "channels/all/current.json"
    old = targets.signed.targets[path]
    pointer = {**old.custom["kiosk"], "version": 1, "bundle": "bundles/flows-1.tar.gz"}
    info = TargetFile(old.length, old.hashes, path, {"custom": {"kiosk": pointer}})
    targets.signed.targets[path] = info
    setup.repo._resign_chain(targets, snapshot, timestamp)

    outcome = updater.poll()

    assert outcome.kind == OutcomeKind.REJECTED
    assert "older than version 2" in outcome.reason
    assert_unchanged(updater, 2)
    assert any("rollback refused" in r.fields["reason"] for r in update_log("update_rejected"))
