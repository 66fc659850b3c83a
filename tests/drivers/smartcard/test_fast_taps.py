"""Cards tapped in and out faster than pcscd polls: the driver never wedges and reads the last."""

from __future__ import annotations

import time

from drivers.smartcard.virtual_card import CARDHOLDERS
from drivers.status import DeviceState

TAP_S = 0.05


def test_fast_taps_then_a_card_that_stays(watched) -> None:
    sim, reader, events = watched
    start = events.mark()
    for i in range(8):
        sim.insert(CARDHOLDERS[i % 3])
        time.sleep(TAP_S * (i % 3))
        sim.remove()
    last = CARDHOLDERS[3]  # never used for a tap, so its identity marks the end
    sim.insert(last)
    events.wait_for(lambda e: e.kind == "identity_read" and e.payload.id_number == last.id_number,
                    start)
    seen = [e for e in events.events[start:] if e.kind != "status"]
    # every presented card ends in exactly one outcome; removals never outnumber presentations
    presented = sum(e.kind == "card_presented" for e in seen)
    outcomes = sum(e.kind in ("identity_read", "read_failed") for e in seen)
    removed = sum(e.kind == "card_removed" for e in seen)
    assert presented == outcomes
    assert removed == presented - 1, [(e.kind, e.payload) for e in seen]
    assert all(e.payload == "card_removed" for e in seen if e.kind == "read_failed")
    assert reader.status().state is DeviceState.READY


def test_card_swapped_between_polls_is_read_again(watched) -> None:
    sim, _reader, events = watched
    start = events.mark()
    sim.insert(CARDHOLDERS[0])
    events.wait_kind("identity_read", start)
    start = events.mark()
    sim.insert(CARDHOLDERS[2])  # remove + insert at once: the event counter moves
    identity = events.wait_for(lambda e: e.kind == "identity_read", start).payload
    assert identity.id_number == CARDHOLDERS[2].id_number
