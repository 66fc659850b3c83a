"""A record shorter than its declared length: read_failed truncated_record, no identity."""

from __future__ import annotations

from drivers.smartcard.virtual_card import CardFault


def test_truncated_record(watched) -> None:
    sim, _reader, events = watched
    sim.set_fault(CardFault.TRUNCATED_RECORD)
    start = events.mark()
    sim.insert()
    assert events.wait_kind("read_failed", start).payload == "truncated_record"
    assert "identity_read" not in events.kinds()
    sim.remove()
    events.wait_kind("card_removed", start)
