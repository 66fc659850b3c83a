"""Rows sealed at rest with the terminal's own key (AES-256-GCM, an AEAD from ``cryptography``).

The outbox keeps what it must deliver (a resident's token, answers, document photos) while the
platform is down, possibly for hours; on disk those bytes are sealed. Workflow:

- :func:`load_or_create_key` reads ``outbox.key`` from the data folder, or creates it at first
  start: 32 random bytes, mode 0600, written to a temporary file and linked into place so two
  processes starting together end up with the same key. A damaged key file is moved aside
  (``outbox.key.damaged-<time>``) and a new key made, so the kiosk keeps serving; rows sealed
  with the old key then fail to open and are reported, not sent half-read.
- :class:`RowSealer` seals a row's bytes with a fresh 96-bit nonce; the associated data binds the
  row to its kind and idempotency key, so a sealed payload copied into another row does not open.

Sealed text looks like ``aead1:<base64(nonce + ciphertext + tag)>``; anything else is taken as a
row written before sealing existed (docs/adr/0426-outbox-sealed-at-rest.md).
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import time
from pathlib import Path
from typing import Any

KEY_BYTES = 32
NONCE_BYTES = 12
PREFIX = "aead1:"
_KEY_MODE = 0o600


class SealError(Exception):
    """A sealed row that does not open (other key, damaged, or moved to another row)."""


def load_or_create_key(path: Path) -> tuple[bytes, bool]:
    """The key at ``path`` (made at first start); also True when a damaged one was replaced."""
    replaced = False
    try:
        key = _read_key(path)
    except FileNotFoundError:
        key = None
    if key is not None and len(key) != KEY_BYTES:
        path.rename(path.with_name(f"{path.name}.damaged-{int(time.time())}"))
        key, replaced = None, True
    if key is None:
        key = _create_key(path)
    return key, replaced


def _read_key(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, _KEY_MODE)  # an older or copied file: close it to others
        return os.read(fd, KEY_BYTES + 1)
    finally:
        os.close(fd)


def _create_key(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, _KEY_MODE)
    try:
        os.write(fd, secrets.token_bytes(KEY_BYTES))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # fails if another process made the key first: use theirs
    except FileExistsError:
        pass
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return _read_key(path)


class RowSealer:
    """Seals and opens row payloads with one key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("a row key is 32 bytes")
        self._key = key
        self._cipher: Any = None

    @property
    def _aead(self) -> Any:
        """AES-256-GCM over the key; ``cryptography`` loads at the first row sealed or opened,
        not while the kiosk starts (docs/adr/0815)."""
        if self._cipher is None:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            self._cipher = AESGCM(self._key)
        return self._cipher

    @classmethod
    def from_key_file(cls, path: Path) -> tuple[RowSealer, bool]:
        """A sealer over the key file (created at first start); True when it was replaced."""
        key, replaced = load_or_create_key(path)
        return cls(key), replaced

    def seal(self, plain: bytes, context: str) -> str:
        """Sealed text for ``plain``, bound to ``context`` (kind and key of the row)."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plain, context.encode("utf-8"))
        return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, text: str, context: str) -> bytes:
        """The plain bytes of sealed ``text``; SealError when it does not open."""
        if not is_sealed(text):
            raise SealError("not a sealed row")
        from cryptography.exceptions import InvalidTag

        try:
            raw = base64.b64decode(text[len(PREFIX):], validate=True)
            return self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:],
                                      context.encode("utf-8"))
        except (ValueError, InvalidTag) as exc:
            raise SealError("sealed row does not open with this terminal's key") from exc


def is_sealed(text: str | None) -> bool:
    """True for text written by :meth:`RowSealer.seal`."""
    return isinstance(text, str) and text.startswith(PREFIX)
