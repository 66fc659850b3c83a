"""Demo cards: ID cards for the sandbox's synthetic residents, so a simulated card presented
in the demo (or a test) belongs to someone the sandbox platform knows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from drivers.idcard.sim_cards import SimCard, fake_photo
from drivers.idcard.text import encode_text_block
from drivers.identity import DocumentKind
from kiosk.sandbox.seed import RESIDENTS, SeedResident, by_key

#: The resident the demo's "插入身份证" button presents (社保, 公积金, 证明...).
DEMO_RESIDENT = "worker"
#: Max characters of the address field on the card (35 UCS-2 characters).
ADDRESS_CHARS = 35


def id_card_for(resident: SeedResident, *, expired: bool = False) -> SimCard:
    """A resident ID card carrying ``resident``'s name, number and address."""
    born = resident.birth_date.strftime("%Y%m%d")
    valid_from, valid_to = ("20080101", "20180101") if expired else ("20200101", "20400101")
    fields = {
        "name": resident.name, "sex": "1" if resident.sex == "男" else "2", "ethnicity": "01",
        "birth_date": born, "address": resident.address[:ADDRESS_CHARS],
        "id_number": resident.id_number, "issuer": "演示区公安分局",
        "valid_from": valid_from, "valid_to": valid_to,
    }
    key = f"sandbox-{resident.key}{'-expired' if expired else ''}"
    return SimCard(key, DocumentKind.RESIDENT_ID,
                   encode_text_block(DocumentKind.RESIDENT_ID, fields), fake_photo(key),
                   label=f"居民身份证（{resident.key}）")


def demo_id_card(key: str = DEMO_RESIDENT, expired: bool = False) -> SimCard:
    """The ID card of the sandbox resident ``key``."""
    return id_card_for(by_key(key), expired=expired)


def all_demo_keys() -> list[str]:
    """Keys of every sandbox resident (for the demo panel and tests)."""
    return [r.key for r in RESIDENTS]


def social_security_card_for(resident: SeedResident) -> Any:
    """A virtual social security card for ``resident`` (drivers.smartcard virtual card)."""
    from drivers.smartcard.virtual_card import Cardholder

    return Cardholder(name=resident.name, id_number=resident.id_number,
                      sex_code="1" if resident.sex == "男" else "2", ethnicity_code=1,
                      birthplace=resident.id_number[:6], card_number="D" + resident.id17[-8:],
                      region_code=resident.id_number[:6], issue_date=date(2020, 1, 1),
                      valid_until=date(2030, 1, 1))


def demo_social_security_card(key: str = "elder") -> Any:
    """The social security card of the sandbox resident ``key``."""
    return social_security_card_for(by_key(key))
