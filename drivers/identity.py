"""Identity records read from cards, shared by every identity-reading driver.

An `Identity` holds personal data: its ``repr`` is masked so an accidental log line or
exception text never carries a name or a full ID number. The photo stays opaque bytes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from identifiers.masking import mask_id_number


class DocumentKind(StrEnum):
    """Which card the identity came from."""

    RESIDENT_ID = "resident_id"  # 居民身份证
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit"  # 港澳台居民居住证 (J)
    FOREIGNER_PR_2017 = "foreigner_pr_2017"  # 外国人永久居留身份证 (I)
    FOREIGNER_PR_2023 = "foreigner_pr_2023"  # 外国人永久居留身份证 2023 (Y)
    SOCIAL_SECURITY_CARD = "social_security_card"  # 社会保障卡


@dataclass(frozen=True, slots=True)
class Identity:
    """A card holder's identity. ``valid_to`` None with ``long_term`` True means 长期."""

    kind: DocumentKind
    name: str
    id_number: str
    sex: str = ""  # 男 / 女 / 未知 / 未说明
    birth_date: date | None = None
    ethnicity: str = ""
    address: str = ""
    issuer: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    long_term: bool = False
    english_name: str = ""
    nationality: str = ""
    card_number: str = ""  # social security card number, travel permit number, ...
    added_address: str = ""  # newest address added to an ID card after issue (30 03)
    photo: bytes | None = dataclasses.field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return (f"Identity(kind={self.kind.value}, id={mask_id_number(self.id_number)}, "
                f"valid_to={self.valid_to}, long_term={self.long_term})")

    __str__ = __repr__

    def expired(self, today: date) -> bool:
        """True when the card's validity ended before ``today``."""
        return not self.long_term and self.valid_to is not None and self.valid_to < today
