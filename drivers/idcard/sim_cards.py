"""Synthetic cards for the simulator: all four kinds, invented people and places.

ID numbers use real region-code shapes and correct GB 11643 check characters (computed, never
typed), except the one card made to fail its check. Photos are opaque pseudo-random bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from drivers.idcard.payload import PHOTO_BYTES
from drivers.idcard.text import encode_text_block
from drivers.identity import DocumentKind
from identifiers.resident_id import id_check_character


@dataclass(frozen=True, slots=True)
class SimCard:
    """A card the simulator can put in its field."""

    key: str
    kind: DocumentKind
    text: bytes
    photo: bytes
    added_address: str | None = None  # None: the card answers 30 03 with SW3 91
    fingerprint: bytes | None = None
    label: str = ""  # what the card is for, for the demo control panel

    def __repr__(self) -> str:
        return f"SimCard({self.key}, {self.kind.value})"


def id_number(first17: str) -> str:
    """An ID number with its correct check character."""
    return first17 + id_check_character(first17)


def wrong_check(first17: str) -> str:
    """An ID number whose check character is deliberately wrong."""
    right = id_check_character(first17)
    return first17 + ("1" if right != "1" else "2")


def fake_photo(seed: str) -> bytes:
    """1024 opaque bytes standing in for a WLT photo."""
    out = bytearray()
    counter = 0
    while len(out) < PHOTO_BYTES:
        out += hashlib.sha256(f"{seed}/{counter}".encode()).digest()
        counter += 1
    return bytes(out[:PHOTO_BYTES])


def _card(key: str, kind: DocumentKind, label: str, added: str | None = None,
          **fields: str) -> SimCard:
    return SimCard(key, kind, encode_text_block(kind, fields), fake_photo(key), added,
                   label=label)


def synthetic_cards() -> dict[str, SimCard]:
    """The standard set, keyed by a short name."""
    cards = [
        _card("resident", DocumentKind.RESIDENT_ID, "居民身份证", None,
              name="林晓梅", sex="2", ethnicity="01", birth_date="19900315",
              address="北京市东城区示例路88号院3号楼2单元501室",
              id_number=id_number("11010119900315024"), issuer="北京市公安局东城分局",
              valid_from="20150601", valid_to="20350601"),
        _card("resident_added_address", DocumentKind.RESIDENT_ID, "居民身份证（有新增住址）",
              "上海市徐汇区示例街道100弄5号602室",
              name="周文博", sex="1", ethnicity="11", birth_date="19851122",
              address="江苏省南京市玄武区样板大街12号",
              id_number=id_number("32010219851122031"), issuer="南京市公安局玄武分局",
              valid_from="20120315", valid_to="20320315"),
        _card("resident_long_term", DocumentKind.RESIDENT_ID, "居民身份证（长期）", None,
              name="王建国", sex="1", ethnicity="03", birth_date="19600808",
              address="上海市徐汇区虚构路18弄7号",
              id_number=id_number("31010419600808005"), issuer="上海市公安局徐汇分局",
              valid_from="20100101", valid_to="长期"),
        _card("resident_expired", DocumentKind.RESIDENT_ID, "居民身份证（已过期）", None,
              name="赵小红", sex="2", ethnicity="08", birth_date="19780520",
              address="广西壮族自治区南宁市兴宁区范例街5号",
              id_number=id_number("45010219780520006"), issuer="南宁市公安局兴宁分局",
              valid_from="20080520", valid_to="20180520"),
        _card("resident_bad_check", DocumentKind.RESIDENT_ID, "居民身份证（校验码错误）", None,
              name="陈一鸣", sex="1", ethnicity="01", birth_date="19950101",
              address="广东省广州市越秀区测试路1号",
              id_number=wrong_check("44010419950101001"), issuer="广州市公安局越秀分局",
              valid_from="20200101", valid_to="20300101"),
        _card("hmt_permit", DocumentKind.HMT_RESIDENCE_PERMIT, "港澳台居民居住证", None,
              name="李嘉欣", sex="2", birth_date="19881108",
              address="广东省深圳市福田区演示道66号", id_number=id_number("81000019881108002"),
              issuer="深圳市公安局福田分局", valid_from="20190301", valid_to="20290301",
              permit_number="H01234567", issue_count="02"),
        _card("foreigner_2017", DocumentKind.FOREIGNER_PR_2017, "外国人永久居留身份证（2017）",
              None, english_name="MARTIN, JOHN WILLIAM", sex="1", id_number="CAN310085061201",
              nationality="CAN", name="马丁约翰", valid_from="20190101", valid_to="20290101",
              birth_date="19850612", card_version="01", issuer="1500"),
        _card("foreigner_2023", DocumentKind.FOREIGNER_PR_2023, "外国人永久居留身份证（2023）",
              None, name="玛丽亚", sex="2", renewal_count="00", birth_date="19921130",
              english_name_1="GARCIA FERNANDEZ, MARIA ISABEL DE L",
              english_name_2="OS ANGELES", id_number=id_number("93110119921130002"),
              valid_from="20231201", valid_to="20331201", nationality="ESP"),
    ]
    return {card.key: card for card in cards}
