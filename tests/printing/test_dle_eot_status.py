"""Pure DLE EOT status parsing (n = 1..4) to the common status model."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.receipt.status import parse, request, summarize, supplies, valid_reply
from drivers.status import DeviceState, SupplyState

OK = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}


def test_requests() -> None:
    assert request(1) == b"\x10\x04\x01" and request(4) == b"\x10\x04\x04"
    with pytest.raises(ValueError):
        request(5)


@pytest.mark.parametrize(("byte", "valid"), [(0x12, True), (0x1E, True), (0x72, True),
                                             (0x7E, True), (0x00, False), (0xFF, False),
                                             (0x13, False), (None, False)])
def test_reply_validity(byte: int | None, valid: bool) -> None:
    assert valid_reply(byte) is valid


@pytest.mark.parametrize(("paper_byte", "expected"), [
    (0x12, SupplyState.OK), (0x1E, SupplyState.LOW), (0x72, SupplyState.OUT),
    (0x7E, SupplyState.OUT)])
def test_paper_sensor(paper_byte: int, expected: SupplyState) -> None:
    status = summarize(parse({**OK, 4: paper_byte}))
    assert status.supplies is expected
    assert status.usable is (expected in (SupplyState.OK, SupplyState.LOW))


def test_cover_open_and_paper_end_stop() -> None:
    assert summarize(parse({**OK, 1: 0x1A, 2: 0x16})).supplies is SupplyState.COVER_OPEN
    status = summarize(parse({**OK, 1: 0x1A, 2: 0x32}))
    assert status.supplies is SupplyState.OUT and not status.usable


def test_cutter_error() -> None:
    status = summarize(parse({**OK, 3: 0x1A}))
    assert status.state is DeviceState.ERROR and "cutter" in status.reason


def test_offline_without_cause() -> None:
    assert summarize(parse({**OK, 1: 0x1A})).state is DeviceState.OFFLINE


def test_no_near_end_sensor_is_unknown_not_ok() -> None:
    assert summarize(parse(OK), near_end_sensor=False).supplies is SupplyState.UNKNOWN
    assert supplies(parse({1: 0x12, 2: 0x12, 3: 0x12})) is SupplyState.UNKNOWN  # n=4 silent


def test_silent_printer_is_ready_with_unknown_paper() -> None:
    status = summarize(parse({1: None}))
    assert status.state is DeviceState.READY and status.supplies is SupplyState.UNKNOWN


def test_invalid_bytes_are_ignored() -> None:
    raw = parse({1: 0xFF, 2: 0x00, 3: 0x12, 4: 0x12})
    assert raw.offline is None and raw.cover_open is None and raw.cutter_error is False


@given(st.dictionaries(st.integers(1, 4), st.one_of(st.none(), st.integers(0, 255))),
       st.booleans())
def test_any_reply_bytes_map_to_a_status(replies: dict[int, int | None], sensor: bool) -> None:
    status = summarize(parse(replies), near_end_sensor=sensor)
    assert isinstance(status.state, DeviceState)
    assert isinstance(status.supplies, SupplyState)
    if status.supplies in (SupplyState.OUT, SupplyState.COVER_OPEN):
        assert not status.usable
