"""The card leaves in the middle of the read: read_failed card_removed, then card_removed."""

from __future__ import annotations

from drivers.smartcard.virtual_card import CardFault
from drivers.status import DeviceState


def test_card_removed_mid_read(watched) -> None:
    sim, reader, events = watched
    sim.set_fault(CardFault.REMOVE_MID_READ, after_apdus=6)
    start = events.mark()
    sim.insert()
    failed = events.wait_kind("read_failed", start)
    assert failed.payload == "card_removed"
    events.wait_kind("card_removed", start)
    assert "identity_read" not in events.kinds()

    # the reader recovers: a good card reads afterwards
    sim.set_fault(CardFault.NONE)
    start = events.mark()
    sim.insert()
    events.wait_kind("identity_read", start)
    assert reader.status().state is DeviceState.READY
