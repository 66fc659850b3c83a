"""Fault: a slow card (it answers late, within or beyond the driver's timeout)."""

from __future__ import annotations

from collections.abc import Callable

from drivers.idcard import Command, Fault
from tests.drivers.idcard.conftest import SimReader


def test_a_slow_card_within_the_timeout_is_waited_for(
        sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader(read_timeout_s=1.0)
    reader.sim.inject(Fault.SLOW_CARD, command=Command.READ_TEXT_PHOTO, delay_s=0.15)
    event = reader.read("resident")
    assert event.kind == "identity_read"
    reads = [r for r in reader.sim.exchanges if r.command is Command.READ_TEXT_PHOTO]
    assert len(reads) == 1  # waited for, not retried
    assert reads[0].card_s >= 0.15


def test_a_late_reply_is_not_taken_for_the_next_one(
        sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader(read_timeout_s=0.3)
    reader.sim.inject(Fault.SLOW_CARD, times=1, command=Command.READ_TEXT_PHOTO, delay_s=0.6)
    event = reader.read("foreigner_2023")
    assert event.kind == "identity_read"
    assert event.payload.nationality == "ESP"
    stats = reader.reader.stats
    assert stats.timeouts >= 1 and stats.retries >= 1
    reader.remove()
