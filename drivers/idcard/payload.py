"""Data parts of successful replies: the read payload, the added address, the SAM id. No I/O."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from drivers.idcard.protocol import IdCardProtocolError
from drivers.idcard.text import TEXT_BLOCK_BYTES, decode_ucs2

PHOTO_BYTES = 1024
FINGERPRINT_BYTES = 1024
ADDED_ADDRESS_BYTES = 70
SAM_ID_BYTES = 16
FIND_DATA_BYTES = 4
SELECT_DATA_BYTES = 8
#: Data bytes of a 30 01 reply: two lengths, text, photo.
READ_DATA_BYTES = 4 + TEXT_BLOCK_BYTES + PHOTO_BYTES


@dataclass(frozen=True, slots=True)
class CardData:
    """The blocks of a read reply. The photo (WLT) and fingerprints stay opaque."""

    text: bytes
    photo: bytes
    fingerprint: bytes = b""

    def __repr__(self) -> str:  # never print personal data
        return (f"CardData(text={len(self.text)} bytes, photo={len(self.photo)} bytes, "
                f"fingerprint={len(self.fingerprint)} bytes)")


def parse_read_data(data: bytes, with_fingerprint: bool = False) -> CardData:
    """Split the data of a 30 01 (or, with ``with_fingerprint``, 30 10) reply."""
    heads = 3 if with_fingerprint else 2
    if len(data) < 2 * heads:
        raise IdCardProtocolError("read reply too short for its length fields")
    lengths = [int.from_bytes(data[2 * i : 2 * i + 2], "big") for i in range(heads)]
    if lengths[0] != TEXT_BLOCK_BYTES:
        raise IdCardProtocolError(f"text length {lengths[0]}, expected {TEXT_BLOCK_BYTES}")
    if lengths[1] not in (0, PHOTO_BYTES):
        raise IdCardProtocolError(f"photo length {lengths[1]}, expected {PHOTO_BYTES}")
    if with_fingerprint and lengths[2] not in (0, FINGERPRINT_BYTES):
        raise IdCardProtocolError(f"fingerprint length {lengths[2]}, expected 0 or 1024")
    if len(data) != 2 * heads + sum(lengths):
        raise IdCardProtocolError("read reply size does not match its length fields")
    pos = 2 * heads
    text = bytes(data[pos : pos + lengths[0]])
    pos += lengths[0]
    photo = bytes(data[pos : pos + lengths[1]])
    pos += lengths[1]
    fingerprint = bytes(data[pos:]) if with_fingerprint else b""
    return CardData(text, photo, fingerprint)


def build_read_data(text: bytes, photo: bytes, fingerprint: bytes | None = None) -> bytes:
    """The data of a read reply (30 01 when ``fingerprint`` is None, else 30 10)."""
    heads = len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big")
    if fingerprint is None:
        return heads + text + photo
    return heads + len(fingerprint).to_bytes(2, "big") + text + photo + fingerprint


def parse_added_address(data: bytes) -> str:
    """The newest added address (70 bytes, 35 UCS-2 characters)."""
    if len(data) != ADDED_ADDRESS_BYTES:
        raise IdCardProtocolError(f"added address is {len(data)} bytes, expected 70")
    return decode_ucs2(data)


def build_added_address(address: str) -> bytes:
    """Encode an added address (for the simulator)."""
    raw = address.encode("utf-16-le")
    if len(raw) > ADDED_ADDRESS_BYTES:
        raise IdCardProtocolError("added address longer than 35 characters")
    return raw + b" \x00" * ((ADDED_ADDRESS_BYTES - len(raw)) // 2)


def format_sam_id(data: bytes) -> str:
    """The 16-byte SAM id as printed on the reader: ``05.01-20231115-0123456789-0987654321``."""
    if len(data) != SAM_ID_BYTES:
        raise IdCardProtocolError(f"SAM id is {len(data)} bytes, expected {SAM_ID_BYTES}")
    a, b, c, d, e = struct.unpack("<HHIII", data)
    return f"{a:02d}.{b:02d}-{c:08d}-{d:010d}-{e:010d}"


def build_sam_id(a: int, b: int, c: int, d: int, e: int) -> bytes:
    """Encode a SAM id (for the simulator)."""
    return struct.pack("<HHIII", a, b, c, d, e)
