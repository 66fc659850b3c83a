"""Two-person release signing: the targets role needs two signatures from two people's own keys.

Today `kiosk admin publish` signs targets with the one targets key in the admin's key folder, so
whoever holds that folder (or a console account that can use it) can push to the whole fleet.
Here (docs/adr/0620-two-person-release-signing.md):

- each person who may approve a release holds a *personal* Ed25519 key, stored only as PKCS#8
  PEM encrypted with their passphrase (``BestAvailableEncryption``); :func:`new_personal_key`
  makes one, :func:`unlock` opens it for one signature and raises on a wrong passphrase;
- :func:`use_personal_targets_keys` re-signs root (with the root keys) so the targets role lists
  those personal keys with a threshold of two, and retires the old single targets key;
- :func:`prepare_release` builds the next targets metadata for a bundle *unsigned* (nothing is
  written to the published folder); :func:`sign_release` adds one person's signature;
- :func:`publish_release` refuses unless root's threshold of distinct targets keys has signed the
  exact prepared bytes, then copies the bundle, writes the channel files and the signed targets,
  and signs snapshot and timestamp with the online keys (timestamp last, as always).

The published folder keeps the layout of :mod:`kiosk.updates.repository`; any static server can
serve it, and terminals (:mod:`kiosk.updates.terminal`) need nothing new: python-tuf's client
enforces the threshold itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.signer import CryptoSigner, Signature, SSlibKey
from tuf.api.exceptions import UnsignedMetadataError
from tuf.api.metadata import Metadata, TargetFile, Targets
from tuf.api.serialization import DeserializationError
from tuf.api.serialization.json import JSONSerializer

from kiosk.updates import rollout
from kiosk.updates.bundle import BundleError, Manifest, read_manifest
from kiosk.updates.repository import (
    AdminError,
    Audience,
    Repository,
    _hashed_name,
    _write_atomic,
    bundle_target_path,
)

#: Signatures a release needs (two people).
TARGETS_THRESHOLD = 2
#: Shortest passphrase accepted for a personal signing key.
MIN_PASSPHRASE_CHARS = 12
_SERIALIZER = JSONSerializer(compact=False)


@dataclass(frozen=True)
class PersonalKey:
    """One person's signing key: public part in clear, private part encrypted."""

    keyid: str
    public: dict[str, Any]
    encrypted_pem: bytes

    def public_key(self) -> SSlibKey:
        """The public key as TUF lists it in root."""
        return SSlibKey.from_dict(self.keyid, dict(self.public))


def new_personal_key(passphrase: str) -> PersonalKey:
    """A fresh Ed25519 key whose private part is encrypted with ``passphrase``."""
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise AdminError(f"the passphrase needs at least {MIN_PASSPHRASE_CHARS} characters")
    private = Ed25519PrivateKey.generate()
    signer = CryptoSigner(private)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")))
    return PersonalKey(signer.public_key.keyid, signer.public_key.to_dict(), pem)


def unlock(key: PersonalKey, passphrase: str) -> CryptoSigner:
    """The signer of ``key``; AdminError when the passphrase is wrong or the key is damaged."""
    try:
        private = serialization.load_pem_private_key(key.encrypted_pem,
                                                     passphrase.encode("utf-8"))
    except (ValueError, TypeError):
        raise AdminError("wrong passphrase for this signing key") from None
    public = key.public_key()
    signer = CryptoSigner(private, public)
    probe = b"kiosk-key-probe"
    try:
        public.verify_signature(signer.sign(probe), probe)
    except Exception:
        raise AdminError("the stored signing key does not match its public key") from None
    return signer


def use_personal_targets_keys(repo: Repository, keys: Iterable[SSlibKey],
                              threshold: int = TARGETS_THRESHOLD) -> int:
    """Make the targets role need ``threshold`` of ``keys``; return the new root version.

    Root is re-signed with the root keys in the key folder; old targets key files move to
    ``retired/``. Until the next release is signed by two people, terminals keep what they run.
    """
    publics = {k.keyid: k for k in keys}
    if len(publics) < threshold:
        raise AdminError(f"two-person signing needs at least {threshold} personal keys, "
                         f"got {len(publics)}")
    root_md = repo.root()
    root = root_md.signed
    root_signers = repo._signers(root, "root")
    old_ids = list(root.roles["targets"].keyids)
    for keyid in old_ids:
        root.revoke_key(keyid, "targets")
    for public in publics.values():
        root.add_key(public, "targets")
    root.roles["targets"].threshold = threshold
    root.version += 1
    root.expires = repo._expires("root")
    root_md.signatures.clear()
    for signer in root_signers:
        root_md.sign(signer, append=True)
    repo._write_root(root_md)
    retired = repo.keys_dir / "retired"
    retired.mkdir(exist_ok=True, mode=0o700)
    for keyid in old_ids:
        key_file = repo.keys_dir / f"{keyid}.pem"
        if key_file.exists() and keyid not in publics:
            os.replace(key_file, retired / key_file.name)
    return root.version


def prepare_release(repo: Repository, archive: Path, audiences: Iterable[Audience]) -> bytes:
    """The next targets metadata adding bundle ``archive`` for ``audiences``, unsigned (bytes).

    Nothing is written to the published folder."""
    try:
        manifest = read_manifest(archive)
    except BundleError as exc:
        raise AdminError(f"{archive.name}: {exc}") from None
    latest = repo.latest_version()
    if manifest.version <= latest:
        raise AdminError(f"bundle version {manifest.version} is not newer than the latest "
                         f"published version {latest}; build it again with "
                         f"--version {latest + 1} (versions are never reused)")
    targets, _, _ = repo.current_metadata()
    info = _bundle_target(archive, manifest)
    targets.signed.targets[info.path] = info
    chosen = list(audiences)
    if chosen:  # none: the staged rollout (kiosk/updates/rollout.py) points audiences later
        repo._point_channels(targets.signed, chosen, manifest.version, info, write=False)
    rollout.delegate(targets.signed, rollout.rollout_public_key(repo))
    targets.signed.version += 1
    targets.signed.expires = repo._expires("targets")
    targets.signatures.clear()
    return targets.to_bytes(_SERIALIZER)


def sign_release(prepared: bytes, signer: CryptoSigner) -> Signature:
    """One person's signature over the prepared targets metadata."""
    md = _load(prepared)
    return md.sign(signer, append=True)


def publish_release(repo: Repository, archive: Path, prepared: bytes,
                    signatures: Iterable[Signature]) -> Manifest:
    """Publish a prepared release once root's targets threshold of distinct keys has signed it."""
    md = _load(prepared)
    md.signatures.clear()
    for signature in signatures:
        md.signatures[signature.keyid] = signature
    root = repo.root().signed
    if root.roles["targets"].threshold < TARGETS_THRESHOLD:
        raise AdminError(f"the targets role needs only {root.roles['targets'].threshold} "
                         "signature; switch the repository to two-person signing first")
    try:
        root.verify_delegate("targets", md.signed_bytes, md.signatures)
    except UnsignedMetadataError:
        raise AdminError(f"the release needs {root.roles['targets'].threshold} valid signatures "
                         "from different people's registered keys before it is published"
                         ) from None
    current, snapshot, timestamp = repo.current_metadata()
    if md.signed.version != current.signed.version + 1:
        raise AdminError("the repository changed since this release was prepared (another "
                         "release was published); upload it again and collect new signatures")
    try:
        manifest = read_manifest(archive)
    except BundleError as exc:
        raise AdminError(f"{archive.name}: {exc}") from None
    bundle_path = bundle_target_path(manifest.version)
    info = md.signed.targets.get(bundle_path)
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    added = {p for p in md.signed.targets if p.startswith("bundles/")} - {
        p for p in current.signed.targets if p.startswith("bundles/")}
    if info is None or info.hashes.get("sha256") != digest or added != {bundle_path}:
        raise AdminError("the bundle file is not the one the approvers signed")
    dest = repo.targets_dir / _hashed_name(bundle_path, digest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(archive, dest)
    for path, target in md.signed.targets.items():
        pointer = (target.unrecognized_fields.get("custom") or {}).get("kiosk") or {}
        if path.startswith("channels/") and pointer.get("version") == manifest.version:
            data = json.dumps(pointer, sort_keys=True).encode("utf-8") + b"\n"
            if hashlib.sha256(data).hexdigest() != target.hashes["sha256"]:
                raise AdminError(f"channel {path} does not match its signed entry")
            _write_atomic(repo.targets_dir / _hashed_name(path, target.hashes["sha256"]), data)
    _write_atomic(repo.metadata_dir / f"{md.signed.version}.targets.json",
                  md.to_bytes(_SERIALIZER))
    rollout.ensure_published(repo, md, snapshot)
    repo._resign_chain(md, snapshot, timestamp, bump_targets=False)
    return manifest


def _bundle_target(archive: Path, manifest: Manifest) -> TargetFile:
    info = TargetFile.from_file(bundle_target_path(manifest.version), str(archive), ["sha256"])
    info.unrecognized_fields["custom"] = {"kiosk": {
        "kind": "bundle", "version": manifest.version,
        "min_app_version": manifest.min_app_version, "created": manifest.created,
        "services": list(manifest.services), "digest": manifest.digest}}
    return info


def _load(prepared: bytes) -> Metadata[Targets]:
    try:
        return Metadata[Targets].from_bytes(prepared)
    except DeserializationError:
        raise AdminError("the prepared release metadata is damaged") from None
