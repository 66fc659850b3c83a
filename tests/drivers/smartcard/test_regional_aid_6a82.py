"""A regional card answers 6A 82 to the AID: EF05 is selected directly and the read succeeds."""

from __future__ import annotations

from drivers.smartcard.virtual_card import CARDHOLDERS, CardFault


def test_regional_card_falls_back_to_direct_ef05(watched) -> None:
    sim, reader, events = watched
    sim.set_fault(CardFault.REGIONAL_AID)
    start = events.mark()
    sim.insert(CARDHOLDERS[0])
    identity = events.wait_kind("identity_read", start).payload
    assert identity.id_number == CARDHOLDERS[0].id_number
    assert reader.last_card is not None
    assert not reader.last_card.selected_by_aid


def test_other_card_is_refused_plainly(watched) -> None:
    sim, _reader, events = watched
    sim.set_fault(CardFault.WRONG_CARD)
    start = events.mark()
    sim.insert()
    assert events.wait_kind("read_failed", start).payload == "not_social_security_card"
