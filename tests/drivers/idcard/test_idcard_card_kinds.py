"""Every synthetic card, read by the real driver through a pty from the simulator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from drivers.idcard import ReadFailure
from drivers.identity import DocumentKind, Identity
from tests.drivers.idcard.conftest import SimReader


@pytest.fixture
def reader(sim_reader: Callable[..., SimReader]) -> SimReader:
    return sim_reader()


def read_identity(reader: SimReader, card: str) -> Identity:
    event = reader.read(card)
    assert event.kind == "identity_read", event
    assert isinstance(event.payload, Identity)
    assert event.source == "idcard"
    reader.remove()
    return event.payload


def test_resident_id_card(reader: SimReader) -> None:
    identity = read_identity(reader, "resident")
    assert identity.kind is DocumentKind.RESIDENT_ID
    assert (identity.name, identity.sex, identity.ethnicity) == ("林晓梅", "女", "汉")
    assert identity.birth_date == date(1990, 3, 15)
    assert identity.address == "北京市东城区示例路88号院3号楼2单元501室"
    assert identity.issuer == "北京市公安局东城分局"
    assert identity.valid_to == date(2035, 6, 1)
    assert identity.added_address == ""  # SW3 91: no added address
    assert identity.photo is None  # no decoder configured: no photo kept


def test_resident_id_card_with_added_address(reader: SimReader) -> None:
    identity = read_identity(reader, "resident_added_address")
    assert identity.added_address == "上海市徐汇区示例街道100弄5号602室"
    assert identity.ethnicity == "满"


def test_long_term_card(reader: SimReader) -> None:
    identity = read_identity(reader, "resident_long_term")
    assert identity.long_term and identity.valid_to is None


def test_expired_card_is_read_the_flow_decides(reader: SimReader) -> None:
    identity = read_identity(reader, "resident_expired")
    assert identity.expired(date(2026, 1, 1))


def test_hmt_residence_permit(reader: SimReader) -> None:
    identity = read_identity(reader, "hmt_permit")
    assert identity.kind is DocumentKind.HMT_RESIDENCE_PERMIT
    assert identity.card_number == "H01234567"
    assert identity.id_number.startswith("810000")


def test_foreigner_permanent_residence_2017(reader: SimReader) -> None:
    identity = read_identity(reader, "foreigner_2017")
    assert identity.kind is DocumentKind.FOREIGNER_PR_2017
    assert (identity.english_name, identity.nationality) == ("MARTIN, JOHN WILLIAM", "CAN")
    assert identity.id_number == "CAN310085061201"


def test_foreigner_permanent_residence_2023(reader: SimReader) -> None:
    identity = read_identity(reader, "foreigner_2023")
    assert identity.kind is DocumentKind.FOREIGNER_PR_2023
    assert identity.english_name == "GARCIA FERNANDEZ, MARIA ISABEL DE LOS ANGELES"
    assert identity.nationality == "ESP"


def test_bad_check_character_is_refused(reader: SimReader) -> None:
    event = reader.read("resident_bad_check")
    assert event.kind == "read_failed"
    assert event.payload is ReadFailure.BAD_CHECK_CHARACTER
    assert event.payload == "bad_check_character"
    reader.remove()
    assert not reader.log.of_kind("identity_read")


def test_cards_in_a_row_each_give_one_presented_one_outcome_one_removed(
        reader: SimReader) -> None:
    mark = reader.log.mark()
    for card in ("resident", "foreigner_2017", "hmt_permit"):
        read_identity(reader, card)
    kinds = [k for k in reader.log.kinds(mark) if not k.startswith("status")]
    assert kinds == ["card_presented", "identity_read", "card_removed"] * 3
