"""Two-person release signing (kiosk/updates/threshold.py): with the targets role at a threshold
of two personal keys, a release signed by two people reaches a real terminal over HTTP; one
signature (or the same person twice) is refused by the admin side, and a targets file forged
with one personal key is refused by the terminal's TUF client.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tuf.api.metadata import Metadata, Targets
from tuf.api.serialization.json import JSONSerializer

from kiosk.updates.repository import AdminError, Audience, _hashed_name, _write_atomic
from kiosk.updates.state import OutcomeKind
from kiosk.updates.threshold import (
    new_personal_key,
    prepare_release,
    publish_release,
    sign_release,
    unlock,
    use_personal_targets_keys,
)
from tests.updates.conftest import Setup

ALICE, BOB = "alice-passphrase-1", "bob-passphrase-22"


def _two_person(setup: Setup):  # type: ignore[no-untyped-def]
    alice, bob = new_personal_key(ALICE), new_personal_key(BOB)
    use_personal_targets_keys(setup.repo, [alice.public_key(), bob.public_key()])
    return alice, bob


def test_release_signed_by_two_people_reaches_the_terminal(setup: Setup) -> None:
    setup.publish(1)
    updater = setup.updater()
    assert updater.poll().version == 1
    alice, bob = _two_person(setup)
    archive = setup.build(2)
    prepared = prepare_release(setup.repo, archive, [Audience("all")])
    signatures = [sign_release(prepared, unlock(alice, ALICE)),
                  sign_release(prepared, unlock(bob, BOB))]
    publish_release(setup.repo, archive, prepared, signatures)

    outcome = updater.poll()
    assert outcome.kind == OutcomeKind.ACTIVATED, outcome
    assert updater.active_bundle().version == 2  # type: ignore[union-attr]
    assert setup.repo.root().signed.roles["targets"].threshold == 2


def test_one_signature_is_refused_and_nothing_is_published(setup: Setup) -> None:
    setup.publish(1)
    alice, _ = _two_person(setup)
    archive = setup.build(2)
    prepared = prepare_release(setup.repo, archive, [Audience("all")])
    alone = sign_release(prepared, unlock(alice, ALICE))
    with pytest.raises(AdminError, match="valid signatures"):
        publish_release(setup.repo, archive, prepared, [alone])
    with pytest.raises(AdminError, match="valid signatures"):  # same person twice
        publish_release(setup.repo, archive, prepared, [alone, alone])
    assert setup.repo.latest_version() == 1
    assert not list(setup.repo.targets_dir.glob("bundles/*flows-2.tar.gz"))


def test_terminal_refuses_targets_signed_by_one_person(setup: Setup, tmp_path: Path) -> None:
    """An attacker with one person's key (and the online snapshot/timestamp keys) writes the
    targets file with a single signature: the real TUF client refuses it."""
    setup.publish(1)
    alice, _ = _two_person(setup)
    archive = setup.build(2)
    prepared = prepare_release(setup.repo, archive, [Audience("all")])
    md = Metadata[Targets].from_bytes(prepared)
    md.sign(unlock(alice, ALICE))
    # Publish by hand, bypassing the admin-side check, as a stolen console would.
    info = md.signed.targets["bundles/flows-2.tar.gz"]
    dest = setup.repo.targets_dir / _hashed_name(info.path, info.hashes["sha256"])
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(archive, dest)
    data = md.to_bytes(JSONSerializer(compact=False))
    _write_atomic(setup.repo.metadata_dir / f"{md.signed.version}.targets.json", data)
    _, snapshot, timestamp = setup.repo.current_metadata()
    setup.repo._resign_chain(md, snapshot, timestamp, bump_targets=False)

    fresh = setup.updater(data_dir=tmp_path / "fresh-terminal")
    outcome = fresh.poll()
    assert outcome.kind == OutcomeKind.REJECTED, outcome
    assert "targets" in outcome.reason
    assert fresh.active_bundle() is None


def test_wrong_passphrase_does_not_unlock(setup: Setup) -> None:
    key = new_personal_key(ALICE)
    with pytest.raises(AdminError, match="wrong passphrase"):
        unlock(key, BOB)
    assert b"ENCRYPTED PRIVATE KEY" in key.encrypted_pem
    with pytest.raises(AdminError, match="at least"):
        new_personal_key("short")


def test_single_key_tools_refuse_after_the_switch(setup: Setup) -> None:
    """`kiosk admin publish` (one folder of keys) can no longer sign targets at all."""
    setup.publish(1)
    _two_person(setup)
    with pytest.raises(AdminError, match="required keys"):
        setup.publish(2)
    assert setup.repo.latest_version() == 1
    assert setup.repo.refresh_timestamp() > 0  # the online keys still keep the mirror fresh


def test_release_prepared_before_another_is_stale(setup: Setup) -> None:
    setup.publish(1)
    alice, bob = _two_person(setup)
    first, second = setup.build(2), setup.build(3)
    prepared_2 = prepare_release(setup.repo, first, [Audience("all")])
    prepared_3 = prepare_release(setup.repo, second, [Audience("all")])
    for prepared, archive in ((prepared_2, first),):
        publish_release(setup.repo, archive, prepared,
                        [sign_release(prepared, unlock(alice, ALICE)),
                         sign_release(prepared, unlock(bob, BOB))])
    signatures = [sign_release(prepared_3, unlock(alice, ALICE)),
                  sign_release(prepared_3, unlock(bob, BOB))]
    with pytest.raises(AdminError, match="changed since"):
        publish_release(setup.repo, second, prepared_3, signatures)
    with pytest.raises(AdminError, match="not the one the approvers signed"):
        fresh = prepare_release(setup.repo, second, [Audience("all")])
        publish_release(setup.repo, first, fresh,
                        [sign_release(fresh, unlock(alice, ALICE)),
                         sign_release(fresh, unlock(bob, BOB))])
    assert setup.repo.latest_version() == 2


def test_terminal_keeps_its_bundle_between_the_switch_and_the_first_release(
        setup: Setup) -> None:
    """After the switch the old single-signed targets no longer satisfies root: the terminal
    refuses the refresh and keeps running what it has (ADR 0620: publish a release soon)."""
    setup.publish(1)
    updater = setup.updater()
    assert updater.poll().version == 1
    _two_person(setup)
    outcome = updater.poll()
    assert outcome.kind != OutcomeKind.ACTIVATED, outcome
    assert updater.active_bundle().version == 1  # type: ignore[union-attr]
