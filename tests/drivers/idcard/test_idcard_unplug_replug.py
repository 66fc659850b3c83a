"""Fault: the USB reader is unplugged and plugged back (the pty vanishes and comes back)."""

from __future__ import annotations

from collections.abc import Callable

from drivers.idcard import Command, Fault
from drivers.status import DeviceState
from tests.drivers.idcard.conftest import SimReader


def test_unplug_is_no_device_and_replug_reconnects(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader()
    mark = reader.log.mark()
    reader.sim.unplug()
    lost = reader.log.wait_status(DeviceState.NO_DEVICE, after=mark).payload
    assert lost.reason.startswith("port lost")
    assert not reader.sim.port_path.exists()
    back = reader.log.mark()
    reader.sim.replug()
    reader.log.wait_status(DeviceState.READY, after=back)
    assert reader.read("resident").kind == "identity_read"
    assert reader.reader.stats.connects == 2


def test_unplug_with_a_card_on_reports_it_removed_and_reads_it_again(
        sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader()
    assert reader.read("hmt_permit").kind == "identity_read"
    mark = reader.log.mark()
    reader.sim.unplug()
    reader.log.wait_status(DeviceState.NO_DEVICE, after=mark)
    assert reader.log.kinds(mark)[0] == "card_removed"
    reader.sim.replug()
    event = reader.log.wait_for("identity_read", after=mark)  # the card is still on it
    assert event.payload.card_number == "H01234567"


def test_unplug_mid_read(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader(url="sim://idcard?wire_time=1")
    reader.sim.inject(Fault.SLOW_CARD, times=1, command=Command.READ_TEXT_PHOTO, delay_s=0.2)
    mark = reader.log.mark()
    reader.sim.insert("resident")
    reader.log.wait_for("card_presented", after=mark)
    reader.sim.unplug()
    reader.log.wait_status(DeviceState.NO_DEVICE, after=mark)
    reader.sim.replug()
    reader.log.wait_status(DeviceState.READY, after=mark)
    assert reader.log.wait_for("identity_read", after=mark).payload.name == "林晓梅"
    assert "read_failed" not in reader.log.kinds(mark)
