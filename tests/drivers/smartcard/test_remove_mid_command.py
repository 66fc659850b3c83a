"""The card is pulled while it is answering a command (one byte of the answer reaches the
reader, then the contacts part): the read fails as card_removed, not malformed_response, and
the reader goes on to read the next card."""

from __future__ import annotations

import pytest

from drivers.smartcard.virtual_card import CardFault
from drivers.status import DeviceState


@pytest.mark.parametrize("after_apdus", [1, 3, 6])
def test_card_pulled_mid_command_is_card_removed(watched, after_apdus: int) -> None:
    sim, reader, events = watched
    sim.set_fault(CardFault.REMOVE_MID_COMMAND, after_apdus=after_apdus)
    start = events.mark()
    sim.insert()
    failed = events.wait_kind("read_failed", start)
    assert failed.payload == "card_removed"
    events.wait_kind("card_removed", start)
    assert "identity_read" not in events.kinds()

    sim.set_fault(CardFault.NONE)
    start = events.mark()
    sim.insert()
    events.wait_kind("identity_read", start)
    assert reader.status().state is DeviceState.READY
