"""Staged rollout inside TUF: a delegated ``rollout`` role, signed by an online key, says which
two-person-approved bundle each audience takes (docs/adr/0720-staged-rollout-delegated-role.md).

The top-level targets role (threshold two, personal keys: :mod:`kiosk.updates.threshold`) signs
the bundles and *delegates* only the rollout pointer paths to the role ``rollout``::

    rollout/all/current.json                  every terminal
    rollout/buckets/<0-99>/current.json       terminals whose ID hashes to that bucket
    rollout/terminals/<terminal-id>/current.json   one terminal (pilot group members)

A pointer names a bundle target by version, exactly like the channel files of
:mod:`kiosk.updates.repository`; the terminal still downloads the bundle through the top-level
targets entry, so the rollout key can only choose *which approved bundle* reaches whom and when.
It cannot add a bundle, change one, or move a terminal back (terminals refuse lower versions).

Everything here writes into the published folder, which stays servable by any static server;
the rollout key sits in the key folder with the snapshot and timestamp keys.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

from securesystemslib.signer import CryptoSigner, Key, SSlibKey
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    Snapshot,
    TargetFile,
    Targets,
)
from tuf.api.serialization.json import JSONSerializer

from kiosk.updates.repository import (
    _NAME,
    CHANNEL_FILE,
    AdminError,
    Repository,
    _hashed_name,
    _pin,
    _write_atomic,
    bundle_target_path,
)

ROLE = "rollout"
#: Terminals are spread over this many stable buckets; a percentage stage opens the first N.
BUCKETS = 100
ALL_PATH = f"rollout/all/{CHANNEL_FILE}"
PATTERNS = [ALL_PATH, f"rollout/buckets/*/{CHANNEL_FILE}", f"rollout/terminals/*/{CHANNEL_FILE}"]
_PUBLIC_FILE = "rollout-key.json"
_SERIALIZER = JSONSerializer(compact=False)


def bucket_of(terminal_id: str) -> int:
    """The terminal's stable bucket (0-99): the first 8 bytes of SHA-256 of its ID, mod 100."""
    digest = hashlib.sha256(terminal_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def bucket_path(bucket: int) -> str:
    """The pointer path of one bucket."""
    return f"rollout/buckets/{bucket}/{CHANNEL_FILE}"


def terminal_path(terminal_id: str) -> str:
    """The pointer path of one terminal."""
    return f"rollout/terminals/{terminal_id}/{CHANNEL_FILE}"


def rollout_paths(terminal_id: str) -> list[str]:
    """The rollout pointer paths a terminal follows (besides its channels)."""
    own = [terminal_path(terminal_id)] if _NAME.match(terminal_id) else []
    return [*own, bucket_path(bucket_of(terminal_id)), ALL_PATH]


def rollout_public_key(repo: Repository) -> SSlibKey:
    """The rollout role's public key; the key pair is made (in the key folder) on first use."""
    public_file = repo.keys_dir / _PUBLIC_FILE
    if public_file.exists():
        data = json.loads(public_file.read_text(encoding="utf-8"))
        return SSlibKey.from_dict(data["keyid"], dict(data["key"]))
    signer = repo._new_key()
    public = signer.public_key
    assert isinstance(public, SSlibKey)
    _write_atomic(public_file, json.dumps({"keyid": public.keyid, "key": public.to_dict()})
                  .encode("utf-8"))
    return public


def delegate(targets: Targets, public: SSlibKey) -> None:
    """Make ``targets`` delegate the rollout paths to ``public`` (threshold 1, terminating)."""
    role = DelegatedRole(name=ROLE, keyids=[public.keyid], threshold=1, terminating=True,
                         paths=list(PATTERNS))
    if targets.delegations is None or targets.delegations.roles is None:
        targets.delegations = Delegations(keys={}, roles={})
    assert targets.delegations.roles is not None
    for old in list(targets.delegations.roles.get(ROLE, role).keyids):
        if old != public.keyid:
            targets.delegations.keys.pop(old, None)
    targets.delegations.keys[public.keyid] = public
    targets.delegations.roles[ROLE] = role


def ensure_published(repo: Repository, targets: Metadata[Targets],
                     snapshot: Metadata[Snapshot]) -> None:
    """Before a snapshot is signed: if ``targets`` delegates to the rollout role and the
    snapshot does not list it yet, write its first (empty) metadata and pin it."""
    delegations = targets.signed.delegations
    if delegations is None or not delegations.roles or ROLE not in delegations.roles:
        return
    if f"{ROLE}.json" in snapshot.signed.meta:
        return
    md = Metadata(Targets(version=1, expires=repo._expires("targets")))
    _sign_and_write(repo, targets, md)
    snapshot.signed.meta[f"{ROLE}.json"] = _pin(1, md.to_bytes(_SERIALIZER))


def current(repo: Repository) -> dict[str, int]:
    """Rollout pointer path -> bundle version, as published now ({} without the role)."""
    md = _current_md(repo)
    if md is None:
        return {}
    return {path: info.unrecognized_fields["custom"]["kiosk"]["version"]
            for path, info in md.signed.targets.items()}


def point(repo: Repository, pointers: Mapping[str, int], withdraw: Iterable[str] = ()) -> int:
    """Point rollout paths at published bundle versions (and drop the ``withdraw`` paths), sign
    the rollout role with its online key, and re-sign snapshot and timestamp (timestamp last).
    Returns the new role version.

    A pointer never moves back; a version that was never published is refused. Withdrawing a
    path only makes sense for terminals that have not seen its version (a terminal that has
    seen a higher version refuses to be offered a lower one)."""
    targets, snapshot, timestamp = repo.current_metadata()
    md = _current_md(repo, targets, snapshot)
    if md is None:
        raise AdminError("the repository has no rollout role yet: publish one release signed by "
                         "two people first")
    bundles = repo.bundles()
    for path in withdraw:
        md.signed.targets.pop(path, None)
    for path, version in pointers.items():
        if not any(_matches(path, pattern) for pattern in PATTERNS):
            raise AdminError(f"{path} is not a rollout path")
        bundle = bundles.get(version)
        if bundle is None:
            raise AdminError(f"bundle version {version} was never published")
        existing = md.signed.targets.get(path)
        if existing is not None:
            now_at = existing.unrecognized_fields["custom"]["kiosk"]["version"]
            if now_at > version:
                raise AdminError(f"{path} already points at version {now_at}; a pointer never "
                                 "moves back (publish a rollback as a new version)")
            if now_at == version:
                continue
        pointer = {"kind": "channel", "audience": path.rsplit("/", 1)[0],
                   "bundle": bundle_target_path(version), "version": version,
                   "min_app_version": bundle.unrecognized_fields["custom"]["kiosk"]
                   ["min_app_version"]}
        data = json.dumps(pointer, sort_keys=True).encode("utf-8") + b"\n"
        info = TargetFile.from_data(path, data, ["sha256"])
        info.unrecognized_fields["custom"] = {"kiosk": pointer}
        _write_atomic(repo.targets_dir / _hashed_name(path, info.hashes["sha256"]), data)
        md.signed.targets[path] = info
    md.signed.version += 1
    md.signed.expires = repo._expires("targets")
    _sign_and_write(repo, targets, md)
    snapshot.signed.meta[f"{ROLE}.json"] = _pin(md.signed.version, md.to_bytes(_SERIALIZER))
    repo._resign_chain(targets, snapshot, timestamp, bump_targets=False)
    return md.signed.version


def _matches(path: str, pattern: str) -> bool:
    parts, want = path.split("/"), pattern.split("/")
    return len(parts) == len(want) and all(
        (w == "*" and bool(_NAME.match(p))) or w == p for p, w in zip(parts, want, strict=True))


def _current_md(repo: Repository, targets: Metadata[Targets] | None = None,
                snapshot: Metadata[Snapshot] | None = None) -> Metadata[Targets] | None:
    if targets is None or snapshot is None:
        try:
            targets, snapshot, _ = repo.current_metadata()
        except AdminError:
            return None
    meta = snapshot.signed.meta.get(f"{ROLE}.json")
    if meta is None:
        return None
    return Metadata[Targets].from_file(str(repo.metadata_dir / f"{meta.version}.{ROLE}.json"))


def _sign_and_write(repo: Repository, targets: Metadata[Targets],
                    md: Metadata[Targets]) -> None:
    delegations = targets.signed.delegations
    assert delegations is not None and delegations.roles is not None
    keyids = delegations.roles[ROLE].keyids
    signers = [_signer(repo, keyid, delegations.keys[keyid]) for keyid in keyids
               if (repo.keys_dir / f"{keyid}.pem").exists()]
    if not signers:
        raise AdminError(f"the rollout key is not in {repo.keys_dir}")
    md.signatures.clear()
    for signer in signers:
        md.sign(signer, append=True)
    targets.signed.verify_delegate(ROLE, md.signed_bytes, md.signatures)
    _write_atomic(repo.metadata_dir / f"{md.signed.version}.{ROLE}.json",
                  md.to_bytes(_SERIALIZER))


def _signer(repo: Repository, keyid: str, public: Key) -> CryptoSigner:
    from cryptography.hazmat.primitives import serialization

    from kiosk.updates.repository import _passphrase

    assert isinstance(public, SSlibKey)
    private = serialization.load_pem_private_key(
        (repo.keys_dir / f"{keyid}.pem").read_bytes(), _passphrase())
    return CryptoSigner(private, public)


def pointers_for(version: int, paths: Iterable[str]) -> dict[str, int]:
    """``{path: version}`` for every path (a small helper for stage writers)."""
    return dict.fromkeys(paths, version)


__all__ = ["ALL_PATH", "BUCKETS", "ROLE", "bucket_of", "bucket_path", "current", "delegate",
           "ensure_published", "point", "pointers_for", "rollout_paths", "rollout_public_key",
           "terminal_path"]
