"""Fault: line noise (random bytes, partial and false preambles) before every reply."""

from __future__ import annotations

from collections.abc import Callable

from drivers.idcard import Fault
from drivers.identity import Identity
from drivers.status import DeviceState
from tests.drivers.idcard.conftest import SimReader


def test_reads_through_noise_before_every_reply(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader()
    reader.sim.inject(Fault.GARBAGE)
    event = reader.read("resident_added_address")
    assert event.kind == "identity_read"
    identity: Identity = event.payload
    assert identity.added_address == "上海市徐汇区示例街道100弄5号602室"
    assert identity.id_number.endswith("0312")
    assert reader.reader.stats.discarded_bytes > 0  # the noise was skipped, not parsed
    assert reader.reader.stats.corrupt_frames > 0  # the false frame inside the noise
    reader.remove()
    assert reader.reader.status().state is DeviceState.READY
    assert not reader.log.of_kind("read_failed")


def test_noise_from_the_first_command_on(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader(before_start=lambda sim: sim.inject(Fault.GARBAGE))
    assert reader.reader.sam_id == "05.01-20231115-0123456789-0987654321"
    assert reader.read("foreigner_2023").kind == "identity_read"
