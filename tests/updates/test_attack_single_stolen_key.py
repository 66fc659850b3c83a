"""One stolen key is not enough: with only the targets key, or only one of the root keys (threshold
2 of 3), an attacker cannot make a terminal accept anything. Rejected; nothing unpacked.
"""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata, Root, TargetFile, Targets

from kiosk.updates.state import OutcomeKind
from tests.updates.conftest import Setup, assert_unchanged


def _stolen(setup: Setup, role: str, index: int = 0) -> CryptoSigner:
    root = setup.repo.root().signed
    keyid = root.roles[role].keyids[index]
    pem = (setup.repo.keys_dir / f"{keyid}.pem").read_bytes()
    return CryptoSigner(serialization.load_pem_private_key(pem, None), root.keys[keyid])


def test_targets_key_alone_cannot_inject_a_bundle(setup: Setup, tmp_path: Path,
                                                  update_log) -> None:
    setup.publish(1)
    targets, snapshot, _ = setup.repo.current_metadata()
    pinned = snapshot.signed.meta["targets.json"].version
    # The attacker re-signs targets at the pinned version with an evil channel entry (they hold
    # the targets key but neither snapshot nor timestamp key, so they cannot announce a new one).
    evil = Metadata[Targets].from_bytes(targets.to_bytes())
    evil_data = b'{"evil": true}\n'
    info = TargetFile.from_data("channels/all/current.json", evil_data)
    info.unrecognized_fields["custom"] = {"kiosk": {
        "kind": "channel", "version": 9, "bundle": "bundles/flows-9.tar.gz",
        "min_app_version": "0.1.0"}}
    evil.signed.targets["channels/all/current.json"] = info
    evil.signatures.clear()
    evil.sign(_stolen(setup, "targets"))
    (setup.repo.metadata_dir / f"{pinned}.targets.json").write_bytes(evil.to_bytes())

    fresh = setup.updater(data_dir=tmp_path / "fresh-terminal")  # nothing cached: worst case
    outcome = fresh.poll()

    assert outcome.kind == OutcomeKind.REJECTED
    assert "LengthOrHashMismatchError" in outcome.reason
    assert fresh.active_bundle() is None
    assert update_log("update_rejected")


def test_one_root_key_cannot_replace_the_keys(setup: Setup, update_log) -> None:
    setup.publish(1)
    updater = setup.updater()
    assert updater.poll().version == 1
    root_md = setup.repo.root()
    forged = Metadata[Root].from_bytes(root_md.to_bytes())
    attacker = CryptoSigner.generate_ed25519()
    for role in ("root", "targets", "snapshot", "timestamp"):
        for keyid in list(forged.signed.roles[role].keyids):
            forged.signed.revoke_key(keyid, role)
        forged.signed.add_key(attacker.public_key, role)
        forged.signed.roles[role].threshold = 1
    forged.signed.version += 1
    forged.signatures.clear()
    forged.sign(_stolen(setup, "root", 0), append=True)  # one of the two required old keys
    forged.sign(attacker, append=True)
    name = f"{forged.signed.version}.root.json"
    (setup.repo.metadata_dir / name).write_bytes(forged.to_bytes())

    outcome = updater.poll()

    assert outcome.kind == OutcomeKind.REJECTED
    assert "UnsignedMetadataError" in outcome.reason
    assert_unchanged(updater, 1)
    trusted = json.loads((updater.metadata_dir / "root.json").read_text())
    assert trusted["signed"]["version"] == 1
