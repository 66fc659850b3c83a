"""A signed bundle whose archive holds a path-traversal or absolute entry: the unpacker refuses
it, nothing is written outside the slot, v1 keeps running.
"""

from __future__ import annotations

import pytest

from kiosk.updates.repository import Audience
from kiosk.updates.state import OutcomeKind
from tests.updates.conftest import Setup, assert_unchanged, craft_archive, evil_member


@pytest.mark.parametrize("name", ["../evil.yaml", "../../../../tmp/evil.yaml",
                                  "social-insurance-payments/../../evil.yaml", "/tmp/evil.yaml"])
def test_path_traversal_entry_is_rejected(setup: Setup, update_log, name: str) -> None:
    setup.publish(1)
    updater = setup.updater()
    assert updater.poll().version == 1
    archive = craft_archive(setup, 2, [evil_member(name)])
    setup.repo.publish(archive, [Audience("all")])

    outcome = updater.poll()

    assert outcome.kind == OutcomeKind.REJECTED and outcome.version == 2
    assert "path" in outcome.reason
    assert_unchanged(updater, 1)
    assert not (updater.slots_dir / "v2").exists()
    assert not list(updater.slots_dir.glob(".incoming-*"))
    assert not (updater.slots_dir / "evil.yaml").exists()
    assert not (updater.base_dir / "evil.yaml").exists()
    assert any("path" in r.fields["reason"] for r in update_log("update_rejected"))
