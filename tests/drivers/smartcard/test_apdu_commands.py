"""Command builders and the T=0 exchange helper (pure, no pcscd)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from drivers.smartcard.apdu import (
    CardError,
    Command,
    ReadFailure,
    exchange,
    get_response,
    parse_response,
    read_record,
    read_record_by_tag,
    read_record_sfi,
    select_aid,
    select_ef,
)
from drivers.smartcard.sscard import SOCIAL_SECURITY_AID


def test_select_social_security_aid_matches_spec() -> None:
    assert select_aid(SOCIAL_SECURITY_AID).to_bytes().hex().upper() == (
        "00A404000F7378312E73682EC9E7BBE1B1A3D5CF")


def test_file_and_record_commands_match_spec() -> None:
    assert select_ef(0xEF05).to_bytes() == bytes.fromhex("00A4020002EF05")
    assert select_ef(0xEF06).to_bytes() == bytes.fromhex("00A4020002EF06")
    assert read_record(7, 11).to_bytes() == bytes.fromhex("00B207040B")
    assert read_record_by_tag(0x09, 32).to_bytes() == bytes.fromhex("00B2090020")
    assert read_record_sfi(5, 7, 11).to_bytes() == bytes.fromhex("00B2072C0B")
    assert get_response(0x20).to_bytes() == bytes.fromhex("00C0000020")
    assert Command(0, 0xB2, 1, 4, le=0).to_bytes() == bytes.fromhex("00B2010400")


def test_header_for_traces_has_no_data() -> None:
    assert select_aid(SOCIAL_SECURITY_AID).header() == "00 A4 04 00"


def test_bad_builders_refuse() -> None:
    with pytest.raises(ValueError):
        read_record_sfi(0, 1, 2)
    with pytest.raises(ValueError):
        Command(0, 0xA4, 4, 0, bytes(256)).to_bytes()


def test_short_response_is_a_card_error() -> None:
    with pytest.raises(CardError) as info:
        parse_response(b"\x90")
    assert info.value.reason is ReadFailure.MALFORMED_RESPONSE


def _script(*answers: bytes) -> tuple[list[bytes], Callable[[bytes], bytes]]:
    sent: list[bytes] = []
    queue = list(answers)

    def transmit(apdu: bytes) -> bytes:
        sent.append(apdu)
        return queue.pop(0)

    return sent, transmit


def test_61xx_is_followed_by_get_response_and_chained() -> None:
    sent, transmit = _script(b"\x61\x04", b"\x01\x02\x61\x02", b"\x03\x04\x90\x00")
    response = exchange(transmit, read_record(1, 4))
    assert response.data == b"\x01\x02\x03\x04" and response.ok
    assert sent[1:] == [get_response(4).to_bytes(), get_response(2).to_bytes()]


def test_6cxx_resends_with_the_given_le() -> None:
    sent, transmit = _script(b"\x6c\x12", b"\x08\x10" + b"1" * 16 + b"\x90\x00")
    trace: list[str] = []
    response = exchange(transmit, read_record(8, 0x20), trace.append)
    assert response.ok and len(response.data) == 18
    assert sent[1] == read_record(8, 0x12).to_bytes()
    assert trace == ["00 B2 08 04 -> 6C 12", "00 B2 08 04 -> 90 00"]


def test_endless_procedure_bytes_stop_with_a_card_error() -> None:
    def transmit(apdu: bytes) -> bytes:
        return b"\x6c\x05"

    with pytest.raises(CardError) as info:
        exchange(transmit, read_record(1, 3))
    assert info.value.reason is ReadFailure.CARD_ERROR


def test_error_status_passes_through() -> None:
    _, transmit = _script(b"\x6a\x82")
    response = exchange(transmit, select_aid(SOCIAL_SECURITY_AID))
    assert response.sw == 0x6A82 and not response.ok
