"""Fault: replies whose checksum byte is wrong."""

from __future__ import annotations

from collections.abc import Callable

from drivers.idcard import Command, Fault, ReadFailure
from drivers.status import DeviceState
from tests.drivers.idcard.conftest import SimReader


def test_one_corrupt_read_reply_is_retried(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader()
    reader.sim.inject(Fault.BAD_CHECKSUM, times=1, command=Command.READ_TEXT_PHOTO)
    event = reader.read("resident")
    assert event.kind == "identity_read"
    assert event.payload.name == "林晓梅"
    assert reader.reader.stats.corrupt_frames >= 1
    assert reader.reader.stats.retries >= 1
    assert not reader.log.of_kind("read_failed")


def test_corrupt_reads_every_time_end_as_unreadable(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader(read_attempts=2)
    reader.sim.inject(Fault.BAD_CHECKSUM, command=Command.READ_TEXT_PHOTO)
    event = reader.read("resident")
    assert event.kind == "read_failed"
    assert event.payload is ReadFailure.UNREADABLE
    reader.remove()  # the card is watched until it leaves, not read again
    assert len(reader.log.of_kind("card_presented")) == 1
    assert reader.reader.status().state is DeviceState.READY


def test_corrupt_poll_replies_do_not_change_status(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader()
    mark = reader.log.mark()
    reader.sim.inject(Fault.BAD_CHECKSUM, times=5, command=Command.FIND_CARD)
    assert reader.read("hmt_permit").kind == "identity_read"
    assert reader.log.of_kind("status", mark) == []
