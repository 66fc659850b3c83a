"""A signed bundle whose archive holds a symlink or hard link (e.g. flow.yaml -> /etc/passwd) or
a device: refused, v1 keeps running.
"""

from __future__ import annotations

import tarfile

import pytest

from kiosk.updates.repository import Audience
from kiosk.updates.state import OutcomeKind
from tests.updates.conftest import Setup, assert_unchanged, craft_archive, evil_member

CASES = {
    "symlink": evil_member("extra/link.yaml", tarfile.SYMTYPE, linkname="/etc/passwd"),
    "symlink-dir": evil_member("escape", tarfile.SYMTYPE, linkname="../../.."),
    "hardlink": evil_member("extra/hard.yaml", tarfile.LNKTYPE, linkname="/etc/passwd"),
    "device": evil_member("extra/dev", tarfile.CHRTYPE),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_link_or_device_entry_is_rejected(setup: Setup, update_log, case: str) -> None:
    setup.publish(1)
    updater = setup.updater()
    assert updater.poll().version == 1
    setup.repo.publish(craft_archive(setup, 2, [CASES[case]]), [Audience("all")])

    outcome = updater.poll()

    assert outcome.kind == OutcomeKind.REJECTED and outcome.version == 2
    assert ("links are not allowed" in outcome.reason
            or "devices" in outcome.reason)
    assert_unchanged(updater, 1)
    assert not (updater.slots_dir / "v2").exists()
    assert update_log("update_rejected")
