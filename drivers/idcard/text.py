"""The 256-byte text block (UTF-16LE, space padded) of the four card kinds, both ways. No I/O.

The card type is the character at byte offset 248: a space for the resident ID card, ``J`` for
the Hong Kong/Macau/Taiwan residence permit, ``I`` for the 2017 foreigner permanent residence
card, ``Y`` for the 2023 one. Each kind has its own field layout (offset and size in bytes).
The encoder exists for the simulator and the tests; the kiosk only decodes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from drivers.idcard.failures import ReadFailure
from drivers.idcard.protocol import IdCardProtocolError
from drivers.idcard.tables import ethnicity_name, sex_name
from drivers.identity import DocumentKind, Identity
from identifiers.resident_id import id_number_valid

TEXT_BLOCK_BYTES = 256
TYPE_OFFSET = 248
LONG_TERM = "长期"
_PAD = " \x00"


class TextBlockError(IdCardProtocolError):
    """A text block that cannot be decoded; ``reason`` says how the driver reports it."""

    def __init__(self, message: str, reason: ReadFailure = ReadFailure.MALFORMED_DATA) -> None:
        super().__init__(message)
        self.reason = reason


#: Type character -> document kind.
TYPE_CHARS: dict[str, DocumentKind] = {
    " ": DocumentKind.RESIDENT_ID,
    "J": DocumentKind.HMT_RESIDENCE_PERMIT,
    "I": DocumentKind.FOREIGNER_PR_2017,
    "Y": DocumentKind.FOREIGNER_PR_2023,
}
KIND_CHARS = {kind: char for char, kind in TYPE_CHARS.items()}

#: Field layouts: name -> (byte offset, byte size). The type character is written separately.
LAYOUTS: dict[DocumentKind, dict[str, tuple[int, int]]] = {
    DocumentKind.RESIDENT_ID: {
        "name": (0, 30), "sex": (30, 2), "ethnicity": (32, 4), "birth_date": (36, 16),
        "address": (52, 70), "id_number": (122, 36), "issuer": (158, 30),
        "valid_from": (188, 16), "valid_to": (204, 16),
    },
    DocumentKind.HMT_RESIDENCE_PERMIT: {
        "name": (0, 30), "sex": (30, 2), "birth_date": (36, 16), "address": (52, 70),
        "id_number": (122, 36), "issuer": (158, 30), "valid_from": (188, 16),
        "valid_to": (204, 16), "permit_number": (220, 18), "issue_count": (238, 4),
    },
    DocumentKind.FOREIGNER_PR_2017: {
        "english_name": (0, 120), "sex": (120, 2), "id_number": (122, 30),
        "nationality": (152, 6), "name": (158, 30), "valid_from": (188, 16),
        "valid_to": (204, 16), "birth_date": (220, 16), "card_version": (236, 4),
        "issuer": (240, 8),
    },
    DocumentKind.FOREIGNER_PR_2023: {
        "name": (0, 30), "sex": (30, 2), "renewal_count": (32, 4), "birth_date": (36, 16),
        "english_name_1": (52, 70), "id_number": (122, 36), "valid_from": (188, 16),
        "valid_to": (204, 16), "english_name_2": (220, 22), "nationality": (242, 6),
        "previous_card_link": (250, 6),
    },
}


def card_kind(text: bytes) -> DocumentKind:
    """The document kind named by the type character at offset 248."""
    if len(text) != TEXT_BLOCK_BYTES:
        raise TextBlockError(f"text block is {len(text)} bytes, expected {TEXT_BLOCK_BYTES}")
    char = _utf16(text[TYPE_OFFSET : TYPE_OFFSET + 2])
    kind = TYPE_CHARS.get(char if char != "\x00" else " ")
    if kind is None:
        raise TextBlockError("unknown card type character", ReadFailure.UNKNOWN_CARD_TYPE)
    return kind


def decode_fields(text: bytes) -> tuple[DocumentKind, dict[str, str]]:
    """Split a text block into its kind and raw (unpadded) field strings."""
    kind = card_kind(text)
    fields = {
        name: _utf16(text[offset : offset + size]).rstrip(_PAD)
        for name, (offset, size) in LAYOUTS[kind].items()
    }
    return kind, fields


def decode_text_block(text: bytes, *, added_address: str = "",
                      photo: bytes | None = None) -> Identity:
    """Decode a text block into an `Identity` (the check character is checked separately)."""
    kind, f = decode_fields(text)
    valid_to, long_term = _valid_to(f["valid_to"])
    base = Identity(
        kind=kind, name=f["name"].strip(_PAD), id_number=f["id_number"].strip(_PAD).upper(),
        sex=sex_name(f["sex"]), birth_date=_date(f["birth_date"], "birth date"),
        valid_from=_date(f["valid_from"], "valid-from date"), valid_to=valid_to,
        long_term=long_term, photo=photo)
    match kind:
        case DocumentKind.RESIDENT_ID:
            return replace(base, ethnicity=ethnicity_name(f["ethnicity"]), address=f["address"],
                           issuer=f["issuer"], added_address=added_address)
        case DocumentKind.HMT_RESIDENCE_PERMIT:
            return replace(base, address=f["address"], issuer=f["issuer"],
                           card_number=f["permit_number"].strip(_PAD),
                           added_address=added_address)
        case DocumentKind.FOREIGNER_PR_2017:
            english = f["english_name"].strip(_PAD)
            return replace(base, name=base.name or english, english_name=english,
                           nationality=f["nationality"].strip(_PAD),
                           issuer=f["issuer"].strip(_PAD))
        case DocumentKind.FOREIGNER_PR_2023:
            english = (_raw(text, kind, "english_name_1")
                       + _raw(text, kind, "english_name_2")).strip(_PAD)
            return replace(base, name=base.name or english, english_name=english,
                           nationality=f["nationality"].strip(_PAD))
        case _:  # pragma: no cover - TYPE_CHARS only yields the kinds above
            raise TextBlockError("unsupported document kind", ReadFailure.UNKNOWN_CARD_TYPE)


def check_identity(identity: Identity) -> ReadFailure | None:
    """The reason to refuse a decoded identity, or None when it is consistent."""
    number = identity.id_number
    if not number or identity.birth_date is None:
        return ReadFailure.MALFORMED_DATA
    if identity.kind is DocumentKind.FOREIGNER_PR_2017:
        ok = len(number) == 15 and number.isascii() and number.isalnum()
        return None if ok else ReadFailure.MALFORMED_DATA
    if len(number) != 18 or not (number[:17].isascii() and number[:17].isdigit()):
        return ReadFailure.MALFORMED_DATA
    if not id_number_valid(number):
        return ReadFailure.BAD_CHECK_CHARACTER
    return None


def encode_text_block(kind: DocumentKind, fields: Mapping[str, str]) -> bytes:
    """Build a 256-byte block from raw field strings (for the simulator and tests)."""
    layout = LAYOUTS.get(kind)
    if layout is None:
        raise TextBlockError(f"no text layout for {kind.value}", ReadFailure.UNKNOWN_CARD_TYPE)
    block = bytearray(" ".encode("utf-16-le") * (TEXT_BLOCK_BYTES // 2))
    for name, value in fields.items():
        if name not in layout:
            raise TextBlockError(f"{kind.value} has no field {name!r}")
        offset, size = layout[name]
        raw = value.encode("utf-16-le")
        if len(raw) > size:
            raise TextBlockError(f"field {name!r} longer than {size // 2} characters")
        block[offset : offset + size] = raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)
    block[TYPE_OFFSET : TYPE_OFFSET + 2] = KIND_CHARS[kind].encode("utf-16-le")
    return bytes(block)


def decode_ucs2(data: bytes) -> str:
    """A space/NUL padded UTF-16LE string (the added address, 70 bytes)."""
    if len(data) % 2:
        raise TextBlockError("odd UTF-16 byte count")
    return _utf16(data).strip(_PAD)


def _raw(text: bytes, kind: DocumentKind, name: str) -> str:
    offset, size = LAYOUTS[kind][name]
    return _utf16(text[offset : offset + size])


def _utf16(data: bytes) -> str:
    try:
        return data.decode("utf-16-le")
    except UnicodeDecodeError:
        raise TextBlockError("text is not valid UTF-16LE") from None


def _date(raw: str, what: str) -> date | None:
    value = raw.strip(_PAD)
    if not value:
        return None
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise TextBlockError(f"{what} is not YYYYMMDD")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise TextBlockError(f"{what} is not a calendar date") from None


def _valid_to(raw: str) -> tuple[date | None, bool]:
    value = raw.strip(_PAD)
    if value.startswith(LONG_TERM):
        return None, True
    return _date(value, "valid-to date"), False
