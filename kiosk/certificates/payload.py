"""The signed verification payload carried by a certificate's QR code (pure, no I/O).

Compact, and all in the QR alphanumeric alphabet (5.5 bits per character, so a smaller code that
phone photos and OpenCV decode reliably)::

    ZWC1:<base32 without padding of: n | text[n] | digest[32] | signature[64]>

``text`` is UTF-8, fields joined by ``|``: key id, serial, kind, issue date (YYYYMMDD), masked
holder id. ``digest`` is the SHA-256 of the printed content; the Ed25519 signature covers
``n | text | digest``. No name and no full ID number: the code must not disclose more than the
paper does at a glance. The digest lets the platform (which keeps the printed fields) confirm the
content as well.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from flows.documents import CertificateDocument
from identifiers.masking import mask_id_number

PREFIX = "ZWC1:"
SEPARATOR = "|"
KEY_ID_BYTES = 4
DIGEST_BYTES = 32
SIGNATURE_BYTES = 64


def _b32(data: bytes) -> str:
    return base64.b32encode(data).rstrip(b"=").decode("ascii")


def _unb32(text: str) -> bytes:
    return base64.b32decode(text + "=" * (-len(text) % 8))


def key_id(public_key: Ed25519PublicKey) -> str:
    """Short id of a public key (hex of the first bytes of its SHA-256), printed in payloads."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[: KEY_ID_BYTES * 2]


def certificate_digest(doc: CertificateDocument) -> bytes:
    """SHA-256 over a canonical JSON of everything printed on the certificate."""
    canonical = {
        "kind": doc.kind,
        "title": doc.title,
        "serial": doc.serial,
        "holder_name": doc.holder_name,
        "holder_id_number": doc.holder_id_number,
        "issuer": doc.issuer,
        "issue_date": doc.issue_date.isoformat(),
        "fields": [list(pair) for pair in doc.fields],
        "table": None if doc.table is None else {
            "columns": list(doc.table.columns), "rows": [list(r) for r in doc.table.rows]},
        "notes": list(doc.notes),
        "seal_text": doc.seal_text,
    }
    if doc.usage:  # a licence copy: the usage line is part of what the QR vouches for
        canonical["usage"] = doc.usage
    text = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).digest()


@dataclass(frozen=True, slots=True)
class CertificateClaim:
    """What a genuine QR code certifies."""

    key_id: str
    serial: str
    kind: str
    issue_date: date
    masked_holder_id: str
    digest: bytes  # SHA-256 of the printed content

    @property
    def digest_hex(self) -> str:
        """The content digest in hex."""
        return self.digest.hex()

    @classmethod
    def for_document(cls, doc: CertificateDocument, signing_key_id: str) -> CertificateClaim:
        """The claim for ``doc`` as issued under ``signing_key_id``."""
        return cls(signing_key_id, doc.serial, doc.kind, doc.issue_date,
                   mask_id_number(doc.holder_id_number), certificate_digest(doc))

    def signed_bytes(self) -> bytes:
        """``n | text | digest``: what the signature covers."""
        parts = (self.key_id, self.serial, self.kind, self.issue_date.strftime("%Y%m%d"),
                 self.masked_holder_id)
        for part in parts:
            if SEPARATOR in part:
                raise ValueError("a payload field contains the separator")
        text = SEPARATOR.join(parts).encode("utf-8")
        if len(text) > 255 or len(self.digest) != DIGEST_BYTES:
            raise ValueError("payload fields too long or digest of the wrong size")
        return bytes([len(text)]) + text + self.digest


def sign_claim(claim: CertificateClaim, private_key: Ed25519PrivateKey) -> str:
    """Encode and sign ``claim`` into the QR text."""
    signed = claim.signed_bytes()
    return PREFIX + _b32(signed + private_key.sign(signed))


class VerifyStatus(StrEnum):
    """Why a payload is, or is not, genuine."""

    GENUINE = "genuine"
    NOT_A_CERTIFICATE_CODE = "not_a_certificate_code"
    MALFORMED = "malformed"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"


@dataclass(frozen=True, slots=True)
class VerifyOutcome:
    """Result of checking one payload; ``claim`` is set when it could be parsed."""

    status: VerifyStatus
    claim: CertificateClaim | None = None

    @property
    def genuine(self) -> bool:
        """True only for a well-formed payload with a valid signature from a known key."""
        return self.status is VerifyStatus.GENUINE


def _parse(raw: bytes) -> tuple[CertificateClaim, bytes, bytes] | None:
    if not raw:
        return None
    n = raw[0]
    if len(raw) != 1 + n + DIGEST_BYTES + SIGNATURE_BYTES:
        return None
    signed, signature = raw[: 1 + n + DIGEST_BYTES], raw[1 + n + DIGEST_BYTES:]
    parts = raw[1: 1 + n].decode("utf-8").split(SEPARATOR)
    if len(parts) != 5:
        return None
    kid, serial, kind, day, masked = parts
    try:
        issued = datetime.strptime(day, "%Y%m%d").date()
    except ValueError:
        return None
    claim = CertificateClaim(kid, serial, kind, issued, masked, raw[1 + n: 1 + n + DIGEST_BYTES])
    return claim, signed, signature


def verify_payload(text: str, public_keys: list[Ed25519PublicKey]) -> VerifyOutcome:
    """Check a scanned QR text against the published public keys."""
    text = text.strip()
    if not text.startswith(PREFIX):
        return VerifyOutcome(VerifyStatus.NOT_A_CERTIFICATE_CODE)
    try:
        parsed = _parse(_unb32(text[len(PREFIX):]))
    except (ValueError, UnicodeDecodeError):
        return VerifyOutcome(VerifyStatus.MALFORMED)
    if parsed is None:
        return VerifyOutcome(VerifyStatus.MALFORMED)
    claim, signed, signature = parsed
    keys = [k for k in public_keys if key_id(k) == claim.key_id]
    if not keys:
        return VerifyOutcome(VerifyStatus.UNKNOWN_KEY, claim)
    for key in keys:
        try:
            key.verify(signature, signed)
        except InvalidSignature:
            continue
        return VerifyOutcome(VerifyStatus.GENUINE, claim)
    return VerifyOutcome(VerifyStatus.BAD_SIGNATURE, claim)
