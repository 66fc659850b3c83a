"""Fault: the reader stops answering (commands are swallowed)."""

from __future__ import annotations

from collections.abc import Callable

from drivers.idcard import Fault
from drivers.status import DeviceState
from tests.drivers.idcard.conftest import SimReader


def test_silent_reader_is_offline_then_ready_again(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader()
    mark = reader.log.mark()
    reader.sim.inject(Fault.NO_ANSWER)
    offline = reader.log.wait_status(DeviceState.OFFLINE, after=mark).payload
    assert offline.reason == "reader not answering"
    back = reader.log.mark()
    reader.sim.clear_faults()
    reader.log.wait_status(DeviceState.READY, after=back)
    assert reader.read("resident").kind == "identity_read"


def test_silent_from_the_start(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader(wait_ready=False,
                        before_start=lambda sim: sim.inject(Fault.NO_ANSWER))
    reader.log.wait_status(DeviceState.OFFLINE)
    assert reader.reader.sam_id == ""
    reader.sim.clear_faults()
    reader.log.wait_status(DeviceState.READY)
    assert reader.reader.sam_id.startswith("05.01-")


def test_one_lost_reply_is_not_offline(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader()
    mark = reader.log.mark()
    reader.sim.inject(Fault.NO_ANSWER, times=1)
    assert reader.read("hmt_permit").kind == "identity_read"
    assert reader.log.of_kind("status", mark) == []
