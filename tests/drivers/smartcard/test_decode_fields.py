"""Field decoding and validation of the social security card (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from drivers.smartcard.apdu import CardError, ReadFailure
from drivers.smartcard.fields import (
    ascii_text,
    bcd_date,
    bcd_digits,
    gbk_text,
    parse_record,
    parse_tlv,
)
from drivers.smartcard.sscard import CardProblem, decode_card, read_social_security_card
from drivers.smartcard.virtual_card import (
    CARDHOLDERS,
    SocialSecurityApplet,
    card_records,
    holder_with,
    synthetic_id_number,
)
from identifiers.resident_id import id_check_character

TODAY = date(2026, 1, 1)


def test_bcd_dates_with_f_padding() -> None:
    assert bcd_date(bytes.fromhex("20290531"), 6) == date(2029, 5, 31)
    assert bcd_date(bytes.fromhex("FFFFFFFF"), 6) is None
    assert bcd_digits(bytes.fromhex("310104"), 0x0C) == "310104"
    assert bcd_digits(bytes.fromhex("3101FF"), 0x0C) == "3101"
    for bad in ("2029053F", "20291341", "2A290531", "202905"):
        with pytest.raises(CardError) as info:
            bcd_date(bytes.fromhex(bad), 6)
        assert info.value.reason is ReadFailure.BAD_RECORD


def test_gbk_names_with_zero_padding() -> None:
    raw = "欧阳虚卡".encode("gbk").ljust(30, b"\x00")
    assert gbk_text(raw, 9) == "欧阳虚卡"
    assert gbk_text("阿依·测试".encode("gbk") + b" " * 4 + b"\x00" * 4, 9) == "阿依·测试"
    with pytest.raises(CardError):
        gbk_text(b"\xff\xff\x00", 9)


def test_ascii_text() -> None:
    assert ascii_text(b"S31000001", 7) == "S31000001"
    assert ascii_text(b"3.00", 3) == "3.00"
    with pytest.raises(CardError):
        ascii_text(b"\x01bad", 7)


def test_records_check_tag_and_length() -> None:
    assert parse_record(b"\x07\x03abc", 7, 3) == b"abc"
    with pytest.raises(CardError) as info:
        parse_record(b"\x07\x09abc", 7, 9)
    assert info.value.reason is ReadFailure.TRUNCATED_RECORD
    with pytest.raises(CardError) as info:
        parse_record(b"\x08\x03abc", 7, 3)
    assert info.value.reason is ReadFailure.BAD_RECORD
    assert parse_tlv(b"\x01\x02ab\x02\x00") == {1: b"ab", 2: b""}
    with pytest.raises(CardError):
        parse_tlv(b"\x01\x05ab")


def _decode(holder, today=TODAY):
    records = card_records(holder)
    ef05 = {t: v for t, v in records.items() if t <= 7}
    ef06 = {t: v for t, v in records.items() if t >= 8}
    return decode_card(ef05, ef06, today)


def test_decode_every_invented_cardholder() -> None:
    for holder in CARDHOLDERS:
        card = _decode(holder)
        identity = card.identity
        assert identity.name == holder.name
        assert identity.id_number == holder.id_number
        assert identity.birth_date == holder.birth_date
        assert identity.card_number == holder.card_number
        assert card.region_code == holder.region_code
        assert card.birthplace == holder.birthplace
        assert CardProblem.ID_CHECK_FAILED not in card.problems


def test_validation_problems_are_values() -> None:
    good = CARDHOLDERS[0]
    wrong_check = good.id_number[:17] + ("0" if good.id_number[17] != "0" else "1")
    bad = _decode(holder_with(good, id_number=wrong_check))
    assert CardProblem.ID_CHECK_FAILED in bad.problems
    assert _decode(good, today=date(2030, 1, 1)).problems == {CardProblem.EXPIRED}
    female_number = synthetic_id_number("310104", date(1956, 3, 8), 28)
    assert _decode(holder_with(good, id_number=female_number)).problems == {
        CardProblem.SEX_MISMATCH}
    records = card_records(good)
    records[0x0D] = bytes.fromhex("19570308")
    card = decode_card({t: v for t, v in records.items() if t <= 7},
                       {t: v for t, v in records.items() if t >= 8}, TODAY)
    assert card.problems == {CardProblem.BIRTH_DATE_MISMATCH}


def test_repr_hides_personal_data() -> None:
    card = _decode(CARDHOLDERS[0])
    text = repr(card) + str(card.identity)
    assert CARDHOLDERS[0].name not in text and CARDHOLDERS[0].id_number not in text


def test_synthetic_id_numbers_are_valid() -> None:
    for holder in CARDHOLDERS:
        assert id_check_character(holder.id_number[:17]) == holder.id_number[17]


def test_read_over_the_applet_reads_by_sfi_and_tag_too() -> None:
    applet = SocialSecurityApplet(CARDHOLDERS[1])
    card = read_social_security_card(applet.process, TODAY)
    assert card.identity.id_number == CARDHOLDERS[1].id_number
    # the card also answers the other READ RECORD forms of the spec
    assert applet.process(bytes.fromhex("00B2072C0B"))[-2:] == b"\x90\x00"
    assert applet.process(bytes.fromhex("00A4020002EF06")) == b"\x90\x00"
    assert applet.process(bytes.fromhex("00B2090020"))[:2] == b"\x09\x1e"
