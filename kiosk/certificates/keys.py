"""The terminal's certificate signing key and its published public key.

In the demo profile a key is generated on first use in ``<data_dir>/certificates/``; on site the
key is provisioned (and its public key published with the flow bundle), so a missing key is an
error there rather than a silent new identity.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from kiosk.certificates.payload import key_id

KEY_DIR_NAME = "certificates"
PRIVATE_KEY_FILE = "signing-key.pem"
PUBLIC_KEY_FILE = "public-key.pem"


class SigningKeyMissing(Exception):
    """No signing key is provisioned and this profile may not generate one."""


@dataclass(frozen=True)
class CertificateSigner:
    """An Ed25519 private key and its short id."""

    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The matching public key."""
        return self.private_key.public_key()

    @property
    def key_id(self) -> str:
        """Short id printed in every payload."""
        return key_id(self.public_key)

    def __repr__(self) -> str:
        return f"CertificateSigner(key_id={self.key_id})"


def key_dir(data_dir: Path) -> Path:
    """Where the signing key and the published public key live."""
    return data_dir / KEY_DIR_NAME


def public_key_path(data_dir: Path) -> Path:
    """The published public key file (PEM)."""
    return key_dir(data_dir) / PUBLIC_KEY_FILE


def load_signer(data_dir: Path, *, create: bool = True) -> CertificateSigner:
    """Load the signing key, generating it (and publishing its public key) when ``create``."""
    folder = key_dir(data_dir)
    private_path = folder / PRIVATE_KEY_FILE
    if private_path.exists():
        key = load_pem_private_key(private_path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyMissing(f"{private_path}: not an Ed25519 private key")
        signer = CertificateSigner(key)
    elif create:
        folder.mkdir(parents=True, exist_ok=True)
        signer = CertificateSigner(Ed25519PrivateKey.generate())
        pem = signer.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        tmp = private_path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        os.replace(tmp, private_path)
    else:
        raise SigningKeyMissing(f"{private_path}: no certificate signing key provisioned")
    publish_public_key(signer.public_key, folder / PUBLIC_KEY_FILE)
    return signer


def publish_public_key(public_key: Ed25519PublicKey, path: Path) -> None:
    """Write the public key as PEM (only when it changed)."""
    pem = public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    if path.exists() and path.read_bytes() == pem:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pem)


def load_public_keys(path: Path) -> list[Ed25519PublicKey]:
    """Read one or more PEM public keys from a file (a bundle may publish several)."""
    keys: list[Ed25519PublicKey] = []
    text = path.read_bytes()
    marker = b"-----END PUBLIC KEY-----"
    for chunk in text.split(marker):
        if b"-----BEGIN PUBLIC KEY-----" not in chunk:
            continue
        key = load_pem_public_key(chunk.strip() + b"\n" + marker + b"\n")
        if isinstance(key, Ed25519PublicKey):
            keys.append(key)
    return keys
