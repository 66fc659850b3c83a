"""The admin's TUF repository for flow bundles, written with python-tuf's Metadata API.

Two folders, never mixed (docs/adr/0161):

- the *published* folder, served as-is by any web server, object store or CDN::

      metadata/1.root.json  metadata/root.json  metadata/N.targets.json
      metadata/N.snapshot.json  metadata/timestamp.json
      targets/bundles/<sha256>.flows-<version>.tar.gz
      targets/channels/all/<sha256>.current.json
      targets/channels/groups/<group>/<sha256>.current.json
      targets/channels/terminals/<terminal-id>/<sha256>.current.json

- the *key* folder (``<keyid>.pem``, PKCS#8 Ed25519, mode 0600, encrypted with the admin's
  passphrase; `kiosk admin` refuses to write keys without one), which stays with the admin and is
  refused inside the published folder.

Consistent snapshots are on, so a CDN may cache every file but ``timestamp.json`` forever.
Targeting (docs/adr/0162): a bundle is the target ``bundles/flows-<version>.tar.gz``; an audience
is a small *channel* target (``channels/all/current.json``, ``channels/groups/<g>/current.json``,
``channels/terminals/<id>/current.json``) whose signed ``custom`` data names the bundle and its
version. A terminal follows the highest version among the channels that apply to it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.signer import CryptoSigner, Signer, SSlibKey
from tuf.api.exceptions import UnsignedMetadataError
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from kiosk.updates.bundle import (
    BundleError,
    Manifest,
    build_archive,
    read_manifest,
    unpack_archive,
)

ROLES = ("root", "targets", "snapshot", "timestamp")
#: How often `kiosk admin refresh-timestamp` must run (cron ``0 */6 * * *``, docs/updates.md).
TIMESTAMP_REFRESH = timedelta(hours=6)
#: How long each role's signature stays valid. The timestamp is short so a frozen mirror is
#: noticed within two days, yet outlives eight refreshes: a failed cron run or two never lets
#: it lapse on the fleet (docs/adr/0161, 0730).
DEFAULT_EXPIRY = {
    "root": timedelta(days=365),
    "targets": timedelta(days=120),
    "snapshot": timedelta(days=30),
    "timestamp": timedelta(days=2),
}
#: Default (number of keys, threshold) per role; root needs two of three signatures.
DEFAULT_KEYS = {"root": (3, 2), "targets": (1, 1), "snapshot": (1, 1), "timestamp": (1, 1)}
PASSPHRASE_ENV = "KIOSK_ADMIN_KEY_PASSPHRASE"
BUNDLE_PREFIX = "bundles/"
CHANNEL_FILE = "current.json"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SERIALIZER = JSONSerializer(compact=False)


class AdminError(Exception):
    """An admin operation that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Audience:
    """Who a channel reaches: every terminal, a named group, or one terminal."""

    kind: str  # "all" | "group" | "terminal"
    name: str = ""

    @classmethod
    def parse(cls, text: str) -> Audience:
        """``all``, ``group:<name>`` or ``terminal:<id>``."""
        if text == "all":
            return cls("all")
        kind, _, name = text.partition(":")
        if kind in ("group", "terminal") and _NAME.match(name):
            return cls(kind, name)
        raise AdminError(f"bad audience {text!r}: use all, group:<name> or terminal:<id> "
                         "(letters, digits, . _ -)")

    @property
    def target_path(self) -> str:
        """The channel's TUF target path."""
        if self.kind == "all":
            return f"channels/all/{CHANNEL_FILE}"
        return f"channels/{self.kind}s/{self.name}/{CHANNEL_FILE}"

    def __str__(self) -> str:
        return "all" if self.kind == "all" else f"{self.kind}:{self.name}"


def channel_paths(terminal_id: str, groups: Iterable[str]) -> list[str]:
    """The channel target paths a terminal follows: its own, its groups', everyone's."""
    paths = []
    if _NAME.match(terminal_id):
        paths.append(Audience("terminal", terminal_id).target_path)
    paths.extend(Audience("group", g).target_path for g in groups if _NAME.match(g))
    paths.append(Audience("all").target_path)
    return paths


def bundle_target_path(version: int) -> str:
    """The TUF target path of bundle ``version``."""
    return f"{BUNDLE_PREFIX}flows-{version}.tar.gz"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _hashed_name(target_path: str, sha256: str) -> str:
    dirname, sep, basename = target_path.rpartition("/")
    return f"{dirname}{sep}{sha256}.{basename}"


class Repository:
    """One published repository folder plus the admin's key folder."""

    def __init__(self, repo_dir: Path, keys_dir: Path,
                 now: Callable[[], datetime] = _utcnow,
                 expiry: dict[str, timedelta] | None = None,
                 passphrase: bytes | None = None) -> None:
        self.repo_dir = Path(repo_dir)
        #: Encrypts new keys and unlocks existing ones (default: ``KIOSK_ADMIN_KEY_PASSPHRASE``).
        self.passphrase = passphrase if passphrase is not None else _passphrase()
        self.keys_dir = Path(keys_dir)
        self.metadata_dir = self.repo_dir / "metadata"
        self.targets_dir = self.repo_dir / "targets"
        self._now = now
        self.expiry = {**DEFAULT_EXPIRY, **(expiry or {})}
        _refuse_nested(self.repo_dir, self.keys_dir)

    # ----- creation -------------------------------------------------------------------------

    def init(self, keys: dict[str, tuple[int, int]] | None = None) -> Metadata[Root]:
        """Create keys and version 1 of every role; refuse to overwrite an existing repository."""
        plan = {**DEFAULT_KEYS, **(keys or {})}
        for role, (count, threshold) in plan.items():
            if role not in ROLES or not 1 <= threshold <= count <= 16:
                raise AdminError(f"{role}: need 1 <= threshold <= keys <= 16, "
                                 f"got {threshold} of {count}")
        if self.metadata_dir.exists() and any(self.metadata_dir.iterdir()):
            raise AdminError(f"{self.metadata_dir} already holds a repository; refusing to "
                             "overwrite it (use rotate-key to change keys)")
        self.keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        root = Root(expires=self._expires("root"), consistent_snapshot=True)
        signers: dict[str, list[Signer]] = {}
        for role, (count, threshold) in plan.items():
            signers[role] = []
            for _ in range(count):
                signer = self._new_key()
                root.add_key(signer.public_key, role)
                signers[role].append(signer)
            root.roles[role].threshold = threshold
        root_md = Metadata(root)
        for root_signer in signers["root"]:
            root_md.sign(root_signer, append=True)
        self._write_root(root_md)
        # Placeholders set to version 0: the chain bumps, signs and writes version 1 of each.
        chain: tuple[Metadata[Targets], Metadata[Snapshot], Metadata[Timestamp]] = (
            Metadata(Targets()), Metadata(Snapshot()), Metadata(Timestamp()))
        for md in chain:
            md.signed.version = 0
        self._resign_chain(*chain)
        return root_md

    # ----- reading ----------------------------------------------------------------------------

    def root(self) -> Metadata[Root]:
        """The newest root."""
        versions = sorted(int(p.name.split(".")[0]) for p in self.metadata_dir.glob("*.root.json"))
        if not versions:
            raise AdminError(f"{self.metadata_dir}: no repository here (run `kiosk admin init`)")
        return Metadata[Root].from_file(str(self.metadata_dir / f"{versions[-1]}.root.json"))

    def current_metadata(
        self,
    ) -> tuple[Metadata[Targets], Metadata[Snapshot], Metadata[Timestamp]]:
        """The current targets, snapshot and timestamp metadata."""
        try:
            timestamp = Metadata[Timestamp].from_file(str(self.metadata_dir / "timestamp.json"))
            snap_version = timestamp.signed.snapshot_meta.version
            snapshot = Metadata[Snapshot].from_file(
                str(self.metadata_dir / f"{snap_version}.snapshot.json"))
            targets_version = snapshot.signed.meta["targets.json"].version
            targets = Metadata[Targets].from_file(
                str(self.metadata_dir / f"{targets_version}.targets.json"))
        except FileNotFoundError as exc:
            raise AdminError(f"{self.repo_dir}: incomplete repository ({exc.filename} missing); "
                             "run `kiosk admin init` first") from None
        return targets, snapshot, timestamp

    def bundles(self) -> dict[int, TargetFile]:
        """Published bundles by version."""
        targets, _, _ = self.current_metadata()
        found: dict[int, TargetFile] = {}
        for path, info in targets.signed.targets.items():
            if path.startswith(BUNDLE_PREFIX):
                version = (info.unrecognized_fields.get("custom") or {}).get("kiosk", {}).get(
                    "version")
                if isinstance(version, int):
                    found[version] = info
        return found

    def channels(self) -> dict[str, int]:
        """Channel target path -> bundle version it points at."""
        targets, _, _ = self.current_metadata()
        return {path: info.unrecognized_fields["custom"]["kiosk"]["version"]
                for path, info in targets.signed.targets.items()
                if path.startswith("channels/")}

    def latest_version(self) -> int:
        """The highest bundle version ever published (0 when none)."""
        return max(self.bundles(), default=0)

    def bundle_file(self, version: int) -> Path:
        """The published archive of bundle ``version``."""
        info = self.bundles().get(version)
        if info is None:
            raise AdminError(f"bundle version {version} was never published "
                             f"(published: {sorted(self.bundles()) or 'none'})")
        return self.targets_dir / _hashed_name(info.path, info.hashes["sha256"])

    # ----- publishing -------------------------------------------------------------------------

    def publish(self, archive: Path, audiences: Iterable[Audience]) -> Manifest:
        """Add a built bundle as a target and point the given audiences' channels at it."""
        try:
            manifest = read_manifest(archive)
        except BundleError as exc:
            raise AdminError(f"{archive}: {exc}") from None
        latest = self.latest_version()
        if manifest.version <= latest:
            raise AdminError(f"bundle version {manifest.version} is not newer than the latest "
                             f"published version {latest}; build it again with "
                             f"--version {latest + 1} (versions are never reused)")
        targets, snapshot, timestamp = self.current_metadata()
        path = bundle_target_path(manifest.version)
        info = TargetFile.from_file(path, str(archive), ["sha256"])
        info.unrecognized_fields["custom"] = {"kiosk": {
            "kind": "bundle", "version": manifest.version,
            "min_app_version": manifest.min_app_version, "created": manifest.created,
            "services": list(manifest.services), "digest": manifest.digest}}
        dest = self.targets_dir / _hashed_name(path, info.hashes["sha256"])
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(archive, dest)
        targets.signed.targets[path] = info
        self._point_channels(targets.signed, list(audiences), manifest.version, info)
        self._resign_chain(targets, snapshot, timestamp)
        return manifest

    def promote(self, version: int, audiences: Iterable[Audience]) -> None:
        """Point more audiences at an already published bundle (staged rollout)."""
        targets, snapshot, timestamp = self.current_metadata()
        info = self.bundles().get(version)
        if info is None:
            raise AdminError(f"bundle version {version} was never published")
        self._point_channels(targets.signed, list(audiences), version, info)
        self._resign_chain(targets, snapshot, timestamp)

    def rollback(self, to_version: int, audiences: Iterable[Audience] | None = None) -> Manifest:
        """Publish bundle ``to_version``'s content again as a NEW, higher version.

        Old versions are never re-signed: terminals refuse versions lower than what they run.
        Without audiences, every channel that points at the latest version is moved.
        """
        source = self.bundle_file(to_version)
        new_version = self.latest_version() + 1
        if audiences is None:
            latest = self.latest_version()
            chosen = [_audience_of(path) for path, v in self.channels().items() if v == latest]
            audiences = chosen or [Audience("all")]
        with tempfile.TemporaryDirectory(prefix="kiosk-rollback-") as tmp:
            content = Path(tmp) / "content"
            try:
                old = unpack_archive(source, content)
            except BundleError as exc:
                raise AdminError(f"bundle {to_version} cannot be unpacked: {exc}") from None
            archive = Path(tmp) / f"flows-{new_version}.tar.gz"
            build_archive(content, archive, new_version, old.min_app_version)
            return self.publish(archive, audiences)

    def refresh_timestamp(self) -> int:
        """Sign a new timestamp (and snapshot, if it expires first); return its version."""
        targets, snapshot, timestamp = self.current_metadata()
        renew_snapshot = snapshot.signed.expires <= self._now() + 2 * self.expiry["timestamp"]
        self._resign_chain(targets, snapshot, timestamp, bump_targets=False,
                           bump_snapshot=renew_snapshot)
        return timestamp.signed.version

    def rotate_key(self, role: str) -> list[str]:
        """Replace every key of ``role`` with new ones; return the new key ids.

        A new root is signed by the old root keys and (for root) the new ones, so terminals walk
        the chain; the rotated role's metadata is re-signed with the new keys.
        """
        if role not in ROLES:
            raise AdminError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        root_md = self.root()
        root = root_md.signed
        old_signers = {r: self._signers(root, r) for r in ROLES}
        old_ids = list(root.roles[role].keyids)
        new_signers = [self._new_key() for _ in old_ids]
        for keyid in old_ids:
            root.revoke_key(keyid, role)
        for signer in new_signers:
            root.add_key(signer.public_key, role)
        root.version += 1
        root.expires = self._expires("root")
        root_md.signatures.clear()
        root_signers: list[Signer] = [*old_signers["root"], *(new_signers if role == "root"
                                                               else [])]
        for root_signer in root_signers:
            root_md.sign(root_signer, append=True)
        self._write_root(root_md)
        retired = self.keys_dir / "retired"
        retired.mkdir(exist_ok=True, mode=0o700)
        for keyid in old_ids:
            key_file = self.keys_dir / f"{keyid}.pem"
            if key_file.exists():
                os.replace(key_file, retired / key_file.name)
        if role != "root":
            targets, snapshot, timestamp = self.current_metadata()
            self._resign_chain(targets, snapshot, timestamp)
        return [s.public_key.keyid for s in new_signers]

    # ----- internals --------------------------------------------------------------------------

    def _expires(self, role: str) -> datetime:
        return (self._now() + self.expiry[role]).replace(microsecond=0)

    def _point_channels(self, targets: Targets, audiences: list[Audience], version: int,
                        bundle: TargetFile, write: bool = True) -> None:
        if not audiences:
            raise AdminError("name at least one audience: --to all, --to group:<name> or "
                             "--to terminal:<id>")
        for audience in audiences:
            path = audience.target_path
            existing = targets.targets.get(path)
            if existing is not None:
                current = existing.unrecognized_fields["custom"]["kiosk"]["version"]
                if current >= version:
                    raise AdminError(f"channel {audience} already points at version {current}; "
                                     f"a channel never moves back (publish a rollback instead)")
            pointer = {"kind": "channel", "audience": str(audience), "bundle": bundle.path,
                       "version": version, "min_app_version":
                       bundle.unrecognized_fields["custom"]["kiosk"]["min_app_version"]}
            data = json.dumps(pointer, sort_keys=True).encode("utf-8") + b"\n"
            info = TargetFile.from_data(path, data, ["sha256"])
            info.unrecognized_fields["custom"] = {"kiosk": pointer}
            if write:
                _write_atomic(self.targets_dir / _hashed_name(path, info.hashes["sha256"]), data)
            targets.targets[path] = info

    def _resign_chain(self, targets: Metadata[Targets], snapshot: Metadata[Snapshot],
                      timestamp: Metadata[Timestamp], bump_targets: bool = True,
                      bump_snapshot: bool = True) -> None:
        """Sign new versions down the chain and write them, timestamp last.

        Snapshot pins targets.json and the timestamp pins snapshot.json by version, length AND
        sha256, so a stolen targets (or snapshot) key alone cannot get new content accepted.
        """
        if bump_targets:
            targets.signed.version += 1
            targets.signed.expires = self._expires("targets")
            self._sign(targets, "targets")
        targets_bytes = targets.to_bytes(_SERIALIZER)
        if bump_snapshot:
            snapshot.signed.meta["targets.json"] = _pin(targets.signed.version, targets_bytes)
            snapshot.signed.version += 1
            snapshot.signed.expires = self._expires("snapshot")
            self._sign(snapshot, "snapshot")
        snapshot_bytes = snapshot.to_bytes(_SERIALIZER)
        timestamp.signed.snapshot_meta = _pin(snapshot.signed.version, snapshot_bytes)
        timestamp.signed.version += 1
        timestamp.signed.expires = self._expires("timestamp")
        self._sign(timestamp, "timestamp")
        # Order matters for a live mirror: everything a new timestamp refers to exists first.
        if bump_targets:
            _write_atomic(self.metadata_dir / f"{targets.signed.version}.targets.json",
                          targets_bytes)
        if bump_snapshot:
            _write_atomic(self.metadata_dir / f"{snapshot.signed.version}.snapshot.json",
                          snapshot_bytes)
        _write_atomic(self.metadata_dir / "timestamp.json", timestamp.to_bytes(_SERIALIZER))

    def _write_root(self, root_md: Metadata[Root]) -> None:
        try:
            root_md.signed.verify_delegate("root", root_md.signed_bytes, root_md.signatures)
        except UnsignedMetadataError as exc:
            raise AdminError(f"root is not signed by its threshold: {exc}") from None
        data = root_md.to_bytes(_SERIALIZER)
        _write_atomic(self.metadata_dir / f"{root_md.signed.version}.root.json", data)
        _write_atomic(self.metadata_dir / "root.json", data)

    def _sign(self, md: Metadata[Any], role: str) -> None:
        root = self.root().signed
        signers = self._signers(root, role)
        if len(signers) < root.roles[role].threshold:
            raise AdminError(f"{role}: only {len(signers)} of the {root.roles[role].threshold} "
                             f"required keys are in {self.keys_dir}")
        md.signatures.clear()
        for signer in signers:
            md.sign(signer, append=True)
        root.verify_delegate(role, md.signed_bytes, md.signatures)

    def _signers(self, root: Root, role: str) -> list[Signer]:
        signers: list[Signer] = []
        for keyid in root.roles[role].keyids:
            key_file = self.keys_dir / f"{keyid}.pem"
            if not key_file.exists():
                continue
            public = root.keys[keyid]
            assert isinstance(public, SSlibKey)
            private = self._load_private(key_file)
            signers.append(CryptoSigner(private, public))
        return signers

    def _load_private(self, key_file: Path) -> Any:
        """One private key, unlocked with the passphrase (a key written in clear by an older
        version still loads)."""
        data = key_file.read_bytes()
        try:
            return serialization.load_pem_private_key(data, self.passphrase)
        except TypeError:
            if self.passphrase:  # "password was given but the key is not encrypted"
                return serialization.load_pem_private_key(data, None)
            raise AdminError(f"{key_file} is encrypted: give its passphrase (the prompt, "
                             f"{PASSPHRASE_ENV} or --passphrase-file)") from None
        except ValueError:
            raise AdminError(f"{key_file}: wrong passphrase, or not a key file") from None

    def _new_key(self) -> CryptoSigner:
        private = Ed25519PrivateKey.generate()
        signer = CryptoSigner(private)
        passphrase = self.passphrase
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase) if passphrase
            else serialization.NoEncryption())
        pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    encryption)
        path = self.keys_dir / f"{signer.public_key.keyid}.pem"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        return signer


def _pin(version: int, data: bytes) -> MetaFile:
    return MetaFile(version=version, length=len(data),
                    hashes={"sha256": hashlib.sha256(data).hexdigest()})


def _passphrase() -> bytes | None:
    value = os.environ.get(PASSPHRASE_ENV)
    return value.encode("utf-8") if value else None


def _audience_of(channel_path: str) -> Audience:
    parts = channel_path.split("/")
    if parts[1] == "all":
        return Audience("all")
    return Audience(parts[1].rstrip("s"), parts[2])


def _refuse_nested(repo_dir: Path, keys_dir: Path) -> None:
    repo = repo_dir.resolve()
    keys = keys_dir.resolve()
    if keys == repo or keys.is_relative_to(repo):
        raise AdminError(f"the key folder {keys_dir} is inside the published folder {repo_dir}; "
                         "keys must never be published")
