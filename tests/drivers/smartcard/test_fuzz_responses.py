"""Random and mutated card answers never raise anything but CardError."""

from __future__ import annotations

import contextlib
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.smartcard.apdu import CardError, exchange, read_record
from drivers.smartcard.fields import bcd_date, gbk_text, parse_record, parse_tlv
from drivers.smartcard.sscard import (
    EF05_FIELDS,
    EF06_FIELDS,
    decode_ef05,
    decode_ef06,
    read_social_security_card,
)
from drivers.smartcard.virtual_card import CARDHOLDERS, SocialSecurityApplet, card_records

TODAY = date(2026, 1, 1)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=64), st.integers(0, 255), st.integers(0, 40))
def test_parse_record_only_raises_card_error(raw: bytes, tag: int, length: int) -> None:
    try:
        value = parse_record(raw, tag, length)
    except CardError:
        return
    assert len(value) == length


@FUZZ
@given(st.binary(max_size=128))
def test_parse_tlv_only_raises_card_error(raw: bytes) -> None:
    with contextlib.suppress(CardError):
        parse_tlv(raw)


@FUZZ
@given(st.binary(min_size=0, max_size=8), st.binary(max_size=40))
def test_field_decoders_only_raise_card_error(date_raw: bytes, text_raw: bytes) -> None:
    for call in (lambda: bcd_date(date_raw, 5), lambda: gbk_text(text_raw, 9)):
        with contextlib.suppress(CardError):
            call()


def _records_strategy(fields: dict[int, int]) -> st.SearchStrategy[dict[int, bytes]]:
    base = card_records(CARDHOLDERS[0])
    per_field = {
        tag: st.one_of(st.just(base[tag]), st.binary(min_size=0, max_size=length + 2))
        for tag, length in fields.items()
    }
    return st.fixed_dictionaries(per_field)


@FUZZ
@given(_records_strategy(EF05_FIELDS), _records_strategy(EF06_FIELDS))
def test_mutated_files_decode_or_raise_card_error(ef05: dict[int, bytes],
                                                  ef06: dict[int, bytes]) -> None:
    try:
        decode_ef05(ef05)
        decode_ef06(ef06)
    except CardError:
        pass


@FUZZ
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=40))
def test_random_card_answers_only_raise_card_error(answers: list[bytes]) -> None:
    queue = list(answers)

    def transmit(apdu: bytes) -> bytes:
        return queue.pop(0) if queue else b"\x6f\x00"

    with contextlib.suppress(CardError):
        read_social_security_card(transmit, TODAY)


@FUZZ
@given(st.integers(0, 200), st.integers(0, 255), st.binary(max_size=4))
def test_mutated_real_answers_only_raise_card_error(index: int, position: int,
                                                    garbage: bytes) -> None:
    applet = SocialSecurityApplet(CARDHOLDERS[2])
    count = 0

    def transmit(apdu: bytes) -> bytes:
        nonlocal count
        answer = applet.process(apdu)
        count += 1
        if count == index % 20 + 1:
            cut = position % (len(answer) + 1)
            answer = answer[:cut] + garbage + answer[cut + len(garbage):]
        return answer

    try:
        card = read_social_security_card(transmit, TODAY)
    except CardError:
        return
    assert card.identity.kind.value == "social_security_card"


def test_exchange_survives_an_empty_answer() -> None:
    try:
        exchange(lambda apdu: b"", read_record(1, 18))
    except CardError as exc:
        assert exc.reason.value == "malformed_response"
