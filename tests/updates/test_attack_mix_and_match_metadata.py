"""Mix-and-match: a mirror combines metadata files from different repository versions (new
timestamp with an old snapshot, or a new snapshot with old targets). Rejected; v1 keeps running.
"""

from __future__ import annotations

import json

import pytest

from kiosk.updates.state import OutcomeKind
from tests.updates.conftest import Setup, assert_unchanged


@pytest.mark.parametrize("role", ["snapshot", "targets"])
def test_mixed_metadata_versions_are_rejected(setup: Setup, update_log, role: str) -> None:
    setup.publish(1)
    updater = setup.updater()
    assert updater.poll().version == 1
    old = setup.snapshot_repo("v1")
    setup.publish(2)
    # Serve the old role file under the name the new timestamp/snapshot asks for.
    metadata = setup.repo.metadata_dir
    timestamp = json.loads((metadata / "timestamp.json").read_text())
    if role == "snapshot":
        new_version = timestamp["signed"]["meta"]["snapshot.json"]["version"]
    else:
        snap = timestamp["signed"]["meta"]["snapshot.json"]["version"]
        snapshot = json.loads((metadata / f"{snap}.snapshot.json").read_text())
        new_version = snapshot["signed"]["meta"]["targets.json"]["version"]
    old_file = old / "metadata" / f"{new_version - 1}.{role}.json"
    (metadata / f"{new_version}.{role}.json").write_bytes(old_file.read_bytes())

    outcome = updater.poll()

    assert outcome.kind == OutcomeKind.REJECTED
    # Pinned by length and sha256 (and version): the swapped file cannot pass.
    assert "LengthOrHashMismatchError" in outcome.reason
    assert_unchanged(updater, 1)
    assert not (updater.slots_dir / "v2").exists()
    assert update_log("update_rejected")
