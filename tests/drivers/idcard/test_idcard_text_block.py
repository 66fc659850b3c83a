"""The 256-byte text block of all four card kinds, built by hand at the spec's offsets."""

from __future__ import annotations

from datetime import date

import pytest

from drivers.idcard.failures import ReadFailure
from drivers.idcard.sim_cards import synthetic_cards
from drivers.idcard.tables import ETHNICITY, ethnicity_name, sex_name
from drivers.idcard.text import (
    TextBlockError,
    card_kind,
    check_identity,
    decode_fields,
    decode_text_block,
    encode_text_block,
)
from drivers.identity import DocumentKind
from identifiers.resident_id import id_check_character


def block(fields: dict[int, str], type_char: str = " ") -> bytes:
    """A space-padded UTF-16LE block with text at byte offsets (independent of the codec)."""
    raw = bytearray(" ".encode("utf-16-le") * 128)
    for offset, text in fields.items():
        data = text.encode("utf-16-le")
        raw[offset : offset + len(data)] = data
    raw[248:250] = type_char.encode("utf-16-le")
    return bytes(raw)


RESIDENT_NUMBER = "11010519491231002X"  # the spec's valid example


def test_resident_id_card() -> None:
    text = block({0: "测试名", 30: "1", 32: "05", 36: "19491231", 52: "北京市朝阳区虚构路1号",
                  122: RESIDENT_NUMBER, 158: "北京市公安局朝阳分局", 188: "20100101",
                  204: "20300101"})
    identity = decode_text_block(text, added_address="新地址1号")
    assert identity.kind is DocumentKind.RESIDENT_ID
    assert identity.name == "测试名"
    assert identity.sex == "男"
    assert identity.ethnicity == "维吾尔"
    assert identity.birth_date == date(1949, 12, 31)
    assert identity.address == "北京市朝阳区虚构路1号"
    assert identity.id_number == RESIDENT_NUMBER
    assert identity.issuer == "北京市公安局朝阳分局"
    assert (identity.valid_from, identity.valid_to) == (date(2010, 1, 1), date(2030, 1, 1))
    assert identity.long_term is False
    assert identity.added_address == "新地址1号"
    assert identity.photo is None
    assert check_identity(identity) is None


def test_long_term_validity() -> None:
    text = block({0: "某人", 30: "2", 32: "01", 36: "19600808", 122: "440524188001010014",
                  188: "20100101", 204: "长期"})
    identity = decode_text_block(text)
    assert identity.long_term is True and identity.valid_to is None
    assert not identity.expired(date(2100, 1, 1))


def test_hong_kong_macau_taiwan_residence_permit() -> None:
    number = "81000019881108002" + id_check_character("81000019881108002")
    text = block({0: "港澳人", 30: "2", 36: "19881108", 52: "广东省深圳市虚构道6号",
                  122: number, 158: "深圳市公安局福田分局", 188: "20190301", 204: "20290301",
                  220: "H01234567", 238: "02"}, "J")
    identity = decode_text_block(text)
    assert identity.kind is DocumentKind.HMT_RESIDENCE_PERMIT
    assert (identity.name, identity.sex, identity.ethnicity) == ("港澳人", "女", "")
    assert identity.card_number == "H01234567"
    assert identity.id_number == number
    assert check_identity(identity) is None


def test_foreigner_permanent_residence_card_2017() -> None:
    text = block({0: "MARTIN, JOHN WILLIAM", 120: "1", 122: "CAN310085061201", 152: "CAN",
                  158: "马丁约翰", 188: "20190101", 204: "20290101", 220: "19850612",
                  236: "01", 240: "1500"}, "I")
    identity = decode_text_block(text)
    assert identity.kind is DocumentKind.FOREIGNER_PR_2017
    assert identity.english_name == "MARTIN, JOHN WILLIAM"
    assert identity.name == "马丁约翰"
    assert identity.id_number == "CAN310085061201"
    assert identity.nationality == "CAN"
    assert identity.issuer == "1500"
    assert identity.birth_date == date(1985, 6, 12)
    assert identity.sex == "男"
    assert check_identity(identity) is None


def test_foreigner_permanent_residence_card_2023_joins_the_english_name() -> None:
    number = "93110119921130002" + id_check_character("93110119921130002")
    text = block({0: "玛丽亚", 30: "2", 32: "00", 36: "19921130",
                  52: "GARCIA FERNANDEZ, MARIA ISABEL DE L", 122: number, 188: "20231201",
                  204: "20331201", 220: "OS ANGELES", 242: "ESP"}, "Y")
    identity = decode_text_block(text)
    assert identity.kind is DocumentKind.FOREIGNER_PR_2023
    assert identity.english_name == "GARCIA FERNANDEZ, MARIA ISABEL DE LOS ANGELES"
    assert (identity.name, identity.nationality) == ("玛丽亚", "ESP")
    assert identity.valid_to == date(2033, 12, 1)
    assert check_identity(identity) is None


def test_bad_check_character_is_flagged() -> None:
    text = block({0: "某人", 30: "1", 36: "19491231", 122: "110105194912310021",
                  188: "20100101", 204: "20300101"})
    assert check_identity(decode_text_block(text)) is ReadFailure.BAD_CHECK_CHARACTER


def test_unknown_card_type() -> None:
    with pytest.raises(TextBlockError) as info:
        card_kind(block({}, "Q"))
    assert info.value.reason is ReadFailure.UNKNOWN_CARD_TYPE


@pytest.mark.parametrize("fields", [{36: "19491331"}, {36: "1949123X"}, {188: "2010"}])
def test_malformed_dates(fields: dict[int, str]) -> None:
    with pytest.raises(TextBlockError) as info:
        decode_text_block(block({122: RESIDENT_NUMBER, 204: "长期", **fields}))
    assert info.value.reason is ReadFailure.MALFORMED_DATA


def test_wrong_size_and_bad_utf16_are_protocol_errors() -> None:
    with pytest.raises(TextBlockError):
        decode_text_block(bytes(255))
    bad = bytearray(block({}))
    bad[0:2] = b"\x00\xd8"  # a lone high surrogate
    with pytest.raises(TextBlockError):
        decode_text_block(bytes(bad))


def test_missing_id_number_is_malformed() -> None:
    identity = decode_text_block(block({36: "19491231"}))
    assert check_identity(identity) is ReadFailure.MALFORMED_DATA


@pytest.mark.parametrize("key", list(synthetic_cards()))
def test_encoder_and_decoder_agree_on_every_synthetic_card(key: str) -> None:
    card = synthetic_cards()[key]
    kind, fields = decode_fields(card.text)
    assert kind is card.kind
    assert encode_text_block(kind, fields) == card.text


def test_synthetic_set_covers_the_required_cases() -> None:
    cards = {key: decode_text_block(card.text) for key, card in synthetic_cards().items()}
    assert {i.kind for i in cards.values()} >= set(DocumentKind) - {
        DocumentKind.SOCIAL_SECURITY_CARD}
    assert cards["resident_expired"].expired(date(2026, 1, 1))
    assert cards["resident_long_term"].long_term
    assert check_identity(cards["resident_bad_check"]) is ReadFailure.BAD_CHECK_CHARACTER
    good = [k for k in cards if k != "resident_bad_check"]
    assert all(check_identity(cards[k]) is None for k in good)


def test_encoder_refuses_unknown_fields_and_overlong_values() -> None:
    with pytest.raises(TextBlockError):
        encode_text_block(DocumentKind.RESIDENT_ID, {"nationality": "CAN"})
    with pytest.raises(TextBlockError):
        encode_text_block(DocumentKind.RESIDENT_ID, {"name": "长" * 16})


def test_code_tables() -> None:
    assert [sex_name(c) for c in "0129"] == ["未知", "男", "女", "未说明"]
    assert sex_name("7") == "未知"
    assert len(ETHNICITY) == 58
    assert ethnicity_name("01") == "汉" and ethnicity_name("98") == "外国血统中国籍人士"
    assert ethnicity_name("77") == ""


def test_identity_repr_masks_personal_data() -> None:
    identity = decode_text_block(synthetic_cards()["resident"].text)
    text = repr(identity)
    assert identity.name not in text and identity.id_number not in text
    assert "********" in text
