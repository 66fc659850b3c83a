"""The social security card (社会保障卡): file layout, decoding into `Identity`, the read sequence.

Pure: `read_social_security_card` drives the card through a ``transmit`` callable. Sequence:
SELECT the application by AID (``sx1.sh.社会保障``); when the card answers 6A 82 (some regional
cards) select EF05 directly instead; then SELECT EF05 and READ RECORD each field by record number
(Le = 2 + field length), then SELECT EF06 and the same. Validation problems (ID check character,
expiry, birth date or sex disagreeing with the ID number) are values in `CardProblem`; only an
unreadable card raises `CardError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from drivers.identity import DocumentKind, Identity
from drivers.smartcard.apdu import (
    SW_FILE_NOT_FOUND,
    CardError,
    ReadFailure,
    Trace,
    Transmit,
    exchange,
    read_record,
    select_aid,
    select_ef,
)
from drivers.smartcard.fields import (
    ETHNICITIES,
    SEXES,
    ascii_text,
    bcd_date,
    bcd_digits,
    gbk_text,
    parse_record,
)
from identifiers.resident_id import id_number_valid

#: GBK bytes of ``sx1.sh.社会保障``.
SOCIAL_SECURITY_AID = "sx1.sh.社会保障".encode("gbk")
EF05 = 0xEF05
EF06 = 0xEF06

#: tag -> field length, per file (record number = tag).
EF05_FIELDS: dict[int, int] = {0x01: 16, 0x02: 1, 0x03: 4, 0x04: 12, 0x05: 4, 0x06: 4, 0x07: 9}
EF06_FIELDS: dict[int, int] = {0x08: 18, 0x09: 30, 0x0A: 1, 0x0B: 1, 0x0C: 3, 0x0D: 4}


class CardProblem(StrEnum):
    """Something wrong with a card that could still be read."""

    ID_CHECK_FAILED = "id_check_failed"  # GB 11643 check character wrong
    EXPIRED = "expired"
    BIRTH_DATE_MISMATCH = "birth_date_mismatch"  # EF06 birth date != ID number's
    SEX_MISMATCH = "sex_mismatch"  # EF06 sex != ID number's 17th digit parity


@dataclass(frozen=True, slots=True)
class SocialSecurityCard:
    """What the card says, decoded, with the problems found. ``repr`` carries no personal data."""

    identity: Identity
    region_code: str  # first 6 hex digits of the card identification code
    card_type: str
    spec_version: str
    issuer_code: str
    birthplace: str  # BCD region code
    problems: frozenset[CardProblem]
    selected_by_aid: bool  # False when the card answered 6A 82 and EF05 was selected directly

    def __repr__(self) -> str:
        return (f"SocialSecurityCard({self.identity!r}, region={self.region_code}, "
                f"problems={sorted(p.value for p in self.problems)})")

    __str__ = __repr__


def decode_ef05(records: dict[int, bytes]) -> dict[str, object]:
    """Decode EF05 record values (tag -> value bytes) into named fields."""
    card_id = _need(records, 0x01)
    return {
        "card_id_hex": card_id.hex().upper(),
        "region_code": card_id.hex().upper()[:6],
        "card_type": ascii_text(_need(records, 0x02), 0x02),
        "spec_version": ascii_text(_need(records, 0x03), 0x03),
        "issuer_code": ascii_text(_need(records, 0x04), 0x04),
        "issue_date": bcd_date(_need(records, 0x05), 0x05),
        "valid_until": bcd_date(_need(records, 0x06), 0x06),
        "card_number": ascii_text(_need(records, 0x07), 0x07),
    }


def decode_ef06(records: dict[int, bytes]) -> dict[str, object]:
    """Decode EF06 record values (tag -> value bytes) into named fields."""
    id_number = ascii_text(_need(records, 0x08), 0x08).upper()
    name = gbk_text(_need(records, 0x09), 0x09)
    if not name:
        raise CardError(ReadFailure.BAD_RECORD, "tag 09: empty name")
    sex_code = ascii_text(_need(records, 0x0A), 0x0A)
    ethnicity_code = _need(records, 0x0B)[0] if records.get(0x0B) else 0
    return {
        "id_number": id_number,
        "name": name,
        "sex": SEXES.get(sex_code, "未知"),
        "ethnicity": ETHNICITIES.get(ethnicity_code, ""),
        "birthplace": bcd_digits(_need(records, 0x0C), 0x0C),
        "birth_date": bcd_date(_need(records, 0x0D), 0x0D),
    }


def decode_card(ef05: dict[int, bytes], ef06: dict[int, bytes], today: date,
                selected_by_aid: bool = True) -> SocialSecurityCard:
    """Build the `Identity` and the list of problems from both files' record values."""
    f5 = decode_ef05(ef05)
    f6 = decode_ef06(ef06)
    identity = Identity(
        kind=DocumentKind.SOCIAL_SECURITY_CARD,
        name=str(f6["name"]),
        id_number=str(f6["id_number"]),
        sex=str(f6["sex"]),
        birth_date=_date_or_none(f6["birth_date"]),
        ethnicity=str(f6["ethnicity"]),
        issuer=str(f5["region_code"]),
        valid_from=_date_or_none(f5["issue_date"]),
        valid_to=_date_or_none(f5["valid_until"]),
        card_number=str(f5["card_number"]),
    )
    return SocialSecurityCard(
        identity=identity,
        region_code=str(f5["region_code"]),
        card_type=str(f5["card_type"]),
        spec_version=str(f5["spec_version"]),
        issuer_code=str(f5["issuer_code"]),
        birthplace=str(f6["birthplace"]),
        problems=validate(identity, today),
        selected_by_aid=selected_by_aid,
    )


def validate(identity: Identity, today: date) -> frozenset[CardProblem]:
    """Checks a kiosk can make without a PSAM: ID check character, expiry, consistency."""
    problems: set[CardProblem] = set()
    number = identity.id_number
    if not id_number_valid(number):
        problems.add(CardProblem.ID_CHECK_FAILED)
    else:
        birth = identity.birth_date
        if birth is not None and number[6:14] != birth.strftime("%Y%m%d"):
            problems.add(CardProblem.BIRTH_DATE_MISMATCH)
        expected_sex = "男" if int(number[16]) % 2 else "女"
        if identity.sex in ("男", "女") and identity.sex != expected_sex:
            problems.add(CardProblem.SEX_MISMATCH)
    if identity.expired(today):
        problems.add(CardProblem.EXPIRED)
    return frozenset(problems)


def read_social_security_card(transmit: Transmit, today: date,
                              trace: Trace | None = None) -> SocialSecurityCard:
    """Run the whole read over ``transmit``; raises only `CardError` for card-level failures."""
    answer = exchange(transmit, select_aid(SOCIAL_SECURITY_AID), trace)
    selected_by_aid = answer.ok
    if not answer.ok and answer.sw != SW_FILE_NOT_FOUND:
        raise CardError(ReadFailure.NOT_SOCIAL_SECURITY_CARD, f"SELECT AID {answer.sw_text()}")
    ef05 = _read_file(transmit, EF05, EF05_FIELDS, trace)
    ef06 = _read_file(transmit, EF06, EF06_FIELDS, trace)
    return decode_card(ef05, ef06, today, selected_by_aid)


def _read_file(transmit: Transmit, file_id: int, fields: dict[int, int],
               trace: Trace | None) -> dict[int, bytes]:
    answer = exchange(transmit, select_ef(file_id), trace)
    if not answer.ok:
        raise CardError(ReadFailure.NOT_SOCIAL_SECURITY_CARD,
                        f"SELECT {file_id:04X} {answer.sw_text()}")
    values: dict[int, bytes] = {}
    for tag, length in fields.items():
        answer = exchange(transmit, read_record(tag, 2 + length), trace)
        if not answer.ok:
            raise CardError(ReadFailure.CARD_ERROR, f"READ RECORD {tag:02X} {answer.sw_text()}")
        values[tag] = parse_record(answer.data, tag, length)
    return values


def _need(records: dict[int, bytes], tag: int) -> bytes:
    value = records.get(tag)
    if value is None:
        raise CardError(ReadFailure.TRUNCATED_RECORD, f"tag {tag:02X} missing")
    if not value:
        raise CardError(ReadFailure.BAD_RECORD, f"tag {tag:02X} empty")
    return value


def _date_or_none(value: object) -> date | None:
    return value if isinstance(value, date) else None
