"""Metadata signed by keys the terminal does not trust (an attacker's own repository, with or
without a forged new root): rejected; v1 keeps running and nothing of the attacker's is unpacked.
"""

from __future__ import annotations

import shutil

import pytest

from kiosk.updates.repository import Audience, Repository
from kiosk.updates.state import OutcomeKind
from tests.updates.conftest import Setup, assert_unchanged


@pytest.mark.parametrize("forge_root", [False, True])
def test_untrusted_key_is_rejected(setup: Setup, update_log, forge_root: bool) -> None:
    setup.publish(1)
    updater = setup.updater()
    assert updater.poll().version == 1
    evil = Repository(setup.tmp / "evil-published", setup.tmp / "evil-keys")
    evil.init()
    evil.rotate_key("targets")  # so the attacker's repository also has a 2.root.json
    evil.publish(setup.build(7), [Audience("all")])
    live = setup.repo.metadata_dir
    for name in ("timestamp.json",):
        shutil.copyfile(evil.metadata_dir / name, live / name)
    for path in evil.metadata_dir.glob("*.*.json"):
        if path.name.endswith(".root.json") and not (forge_root and path.name == "2.root.json"):
            continue
        shutil.copyfile(path, live / path.name)
    shutil.copytree(evil.targets_dir, setup.repo.targets_dir, dirs_exist_ok=True)

    outcome = updater.poll()

    assert outcome.kind == OutcomeKind.REJECTED
    assert "UnsignedMetadataError" in outcome.reason
    assert_unchanged(updater, 1)
    assert not (updater.slots_dir / "v7").exists()
    assert update_log("update_rejected")
