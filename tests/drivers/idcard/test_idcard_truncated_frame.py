"""Fault: replies cut off half way (the rest never comes)."""

from __future__ import annotations

from collections.abc import Callable

from drivers.idcard import Command, Fault, ReadFailure
from tests.drivers.idcard.conftest import SimReader


def test_a_truncated_read_reply_is_retried(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader()
    reader.sim.inject(Fault.TRUNCATED, times=1, command=Command.READ_TEXT_PHOTO)
    event = reader.read("foreigner_2017")
    assert event.kind == "identity_read"
    assert event.payload.english_name == "MARTIN, JOHN WILLIAM"
    assert reader.reader.stats.timeouts >= 1
    assert reader.reader.stats.retries >= 1


def test_truncated_select_and_find_replies(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader()
    reader.sim.inject(Fault.TRUNCATED, times=1, command=Command.FIND_CARD)
    reader.sim.inject(Fault.TRUNCATED, times=1, command=Command.SELECT_CARD)
    assert reader.read("resident_long_term").kind == "identity_read"


def test_always_truncated_reads_end_as_unreadable(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader(read_attempts=2)
    reader.sim.inject(Fault.TRUNCATED, command=Command.READ_TEXT_PHOTO)
    event = reader.read("resident")
    assert event.payload is ReadFailure.UNREADABLE
    reader.remove()
