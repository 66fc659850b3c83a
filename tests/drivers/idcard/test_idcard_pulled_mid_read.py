"""Fault: the resident pulls the card away while its data is being sent."""

from __future__ import annotations

from collections.abc import Callable

from drivers.idcard import CardState, Fault, ReadFailure
from tests.drivers.idcard.conftest import SimReader


def test_pulled_mid_read_is_reported_and_the_card_is_gone(
        sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader()
    reader.sim.inject(Fault.PULLED_MID_READ, times=1)
    mark = reader.log.mark()
    event = reader.read("resident")
    assert event.kind == "read_failed"
    assert event.payload is ReadFailure.PULLED_MID_READ
    reader.log.wait_for("card_removed", after=mark)
    assert reader.log.kinds(mark) == ["card_presented", "read_failed", "card_removed"]
    assert reader.reader.card_state is CardState.ABSENT
    assert reader.sim.card is None


def test_putting_it_back_reads_it(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader(url="sim://idcard?wire_time=1")
    reader.sim.inject(Fault.PULLED_MID_READ, times=1)
    assert reader.read("resident_added_address").payload is ReadFailure.PULLED_MID_READ
    event = reader.read("resident_added_address")
    assert event.kind == "identity_read"
    assert event.payload.added_address.startswith("上海市")
