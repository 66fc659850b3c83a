"""Staged rollout (kiosk/updates/rollout.py): a two-person release is published to nobody; the
online rollout role then points one pilot terminal, a bucket of terminals, and everyone at it,
and real terminal updaters over HTTP take it only when pointed. A stolen rollout key (the online
key the console holds) cannot get an unapproved bundle onto a terminal, cannot move a pointer
back, and a rollout role that claims a bundle path is ignored by the TUF client.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tuf.api.metadata import Metadata, TargetFile, Targets
from tuf.api.serialization.json import JSONSerializer

from kiosk.updates import rollout
from kiosk.updates.bundle import build_archive
from kiosk.updates.repository import AdminError, _hashed_name, _pin, _write_atomic
from kiosk.updates.state import OutcomeKind
from kiosk.updates.threshold import (
    new_personal_key,
    prepare_release,
    publish_release,
    sign_release,
    unlock,
    use_personal_targets_keys,
)
from tests.updates.conftest import CREATED, Setup, write_flows

ALICE, BOB = "alice-passphrase-1", "bob-passphrase-22"


def _release(setup: Setup, version: int, keys):  # type: ignore[no-untyped-def]
    archive = setup.build(version)
    prepared = prepare_release(setup.repo, archive, [])
    publish_release(setup.repo, archive, prepared,
                    [sign_release(prepared, unlock(keys[0], ALICE)),
                     sign_release(prepared, unlock(keys[1], BOB))])


def _two_person(setup: Setup):  # type: ignore[no-untyped-def]
    keys = new_personal_key(ALICE), new_personal_key(BOB)
    use_personal_targets_keys(setup.repo, [k.public_key() for k in keys])
    return keys


def _other_bucket_id(bucket: int) -> str:
    return next(f"T-{n:04d}" for n in range(10_000) if rollout.bucket_of(f"T-{n:04d}") != bucket)


def test_a_release_reaches_only_the_audiences_the_rollout_role_points_at(setup: Setup) -> None:
    keys = _two_person(setup)
    _release(setup, 1, keys)
    pilot = setup.updater(terminal_id="T-PILOT", groups=(), data_dir=setup.tmp / "pilot")
    bucket = rollout.bucket_of("T-BUCKET")
    in_bucket = setup.updater(terminal_id="T-BUCKET", groups=(), data_dir=setup.tmp / "bucket")
    other_id = _other_bucket_id(bucket)
    other = setup.updater(terminal_id=other_id, groups=(), data_dir=setup.tmp / "other")

    for terminal in (pilot, in_bucket, other):  # published, pointed at nobody
        terminal.poll()
        assert terminal.active_bundle() is None

    rollout.point(setup.repo, {rollout.terminal_path("T-PILOT"): 1})
    assert pilot.poll().kind == OutcomeKind.ACTIVATED
    in_bucket.poll()
    assert in_bucket.active_bundle() is None

    rollout.point(setup.repo, {rollout.bucket_path(bucket): 1})
    assert in_bucket.poll().kind == OutcomeKind.ACTIVATED
    other.poll()
    assert other.active_bundle() is None

    rollout.point(setup.repo, {rollout.ALL_PATH: 1})
    assert other.poll().kind == OutcomeKind.ACTIVATED
    assert rollout.current(setup.repo)[rollout.ALL_PATH] == 1


def test_stolen_rollout_key_cannot_push_an_unapproved_bundle(setup: Setup) -> None:
    keys = _two_person(setup)
    _release(setup, 1, keys)
    rollout.point(setup.repo, {rollout.ALL_PATH: 1})
    terminal = setup.updater()
    assert terminal.poll().version == 1

    # The console's rollout writer refuses a version the two people never published ...
    with pytest.raises(AdminError, match="never published"):
        rollout.point(setup.repo, {rollout.ALL_PATH: 2})
    # ... and a pointer never moves back.
    _release(setup, 2, keys)
    rollout.point(setup.repo, {rollout.ALL_PATH: 2})
    with pytest.raises(AdminError, match="never moves back"):
        rollout.point(setup.repo, {rollout.ALL_PATH: 1})
    assert terminal.poll().version == 2

    # An attacker holding the rollout key (and the online snapshot/timestamp keys) signs a
    # rollout role that lists its own bundle 3 and points everyone at it.
    evil = write_flows(setup.tmp / "evil-flows", 3)
    archive = setup.tmp / "evil-3.tar.gz"
    build_archive(evil, archive, 3, "0.1.0", created=CREATED)
    targets, snapshot, timestamp = setup.repo.current_metadata()
    meta = snapshot.signed.meta["rollout.json"]
    md = Metadata[Targets].from_file(
        str(setup.repo.metadata_dir / f"{meta.version}.rollout.json"))
    bundle = TargetFile.from_file("bundles/flows-3.tar.gz", str(archive), ["sha256"])
    bundle.unrecognized_fields["custom"] = {"kiosk": {"kind": "bundle", "version": 3}}
    md.signed.targets[bundle.path] = bundle
    dest = setup.repo.targets_dir / _hashed_name(bundle.path, bundle.hashes["sha256"])
    dest.write_bytes(archive.read_bytes())
    pointer = {"kind": "channel", "audience": "rollout/all", "bundle": "bundles/flows-3.tar.gz",
               "version": 3, "min_app_version": "0.1.0"}
    data = json.dumps(pointer, sort_keys=True).encode("utf-8") + b"\n"
    info = TargetFile.from_data(rollout.ALL_PATH, data, ["sha256"])
    info.unrecognized_fields["custom"] = {"kiosk": pointer}
    _write_atomic(setup.repo.targets_dir / _hashed_name(info.path, info.hashes["sha256"]), data)
    md.signed.targets[info.path] = info
    md.signed.version += 1
    rollout._sign_and_write(setup.repo, targets, md)
    snapshot.signed.meta["rollout.json"] = _pin(
        md.signed.version, md.to_bytes(JSONSerializer(compact=False)))
    setup.repo._resign_chain(targets, snapshot, timestamp, bump_targets=False)

    outcome = terminal.poll()
    assert outcome.kind == OutcomeKind.REJECTED, outcome
    assert "not a signed target" in outcome.reason
    assert terminal.active_bundle().version == 2  # type: ignore[union-attr]


def test_rollout_paths_are_stable_and_spread(tmp_path: Path) -> None:
    ids = [f"T-{n:04d}" for n in range(1000)]
    buckets = [rollout.bucket_of(i) for i in ids]
    assert buckets == [rollout.bucket_of(i) for i in ids]  # stable
    assert len(set(buckets)) == rollout.BUCKETS  # every bucket used by 1,000 terminals
    assert sum(b < 10 for b in buckets) in range(60, 141)  # about 10 %
    assert rollout.rollout_paths("../etc") == [rollout.bucket_path(rollout.bucket_of("../etc")),
                                               rollout.ALL_PATH]
