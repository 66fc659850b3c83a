"""A card whose ID number fails the GB 11643 check: read_failed invalid_id_number, no identity."""

from __future__ import annotations

from drivers.smartcard.virtual_card import CARDHOLDERS, holder_with


def test_invalid_check_character_is_refused(watched) -> None:
    sim, reader, events = watched
    good = CARDHOLDERS[0]
    forged = holder_with(good, id_number=good.id_number[:17] + "X")
    start = events.mark()
    sim.insert(forged)
    assert events.wait_kind("read_failed", start).payload == "invalid_id_number"
    assert "identity_read" not in events.kinds()
    assert reader.last_card is not None
    assert [p.value for p in reader.last_card.problems] == ["id_check_failed"]
