"""Another application holds the card exclusively: read_failed reader_busy, no hang."""

from __future__ import annotations

from smartcard import scard

from drivers.smartcard.virtual_card import CARDHOLDERS
from tests.drivers.smartcard.conftest import start_reader


def _hold_card(reader_name: str) -> tuple[int, int]:
    rc, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    assert rc == scard.SCARD_S_SUCCESS
    state = scard.SCARD_STATE_UNAWARE
    for _ in range(40):
        rc, states = scard.SCardGetStatusChange(context, 500, [(reader_name, state)])
        if rc == scard.SCARD_S_SUCCESS:
            state = states[0][1] & ~scard.SCARD_STATE_CHANGED
            if state & scard.SCARD_STATE_PRESENT:
                break
    rc, card, _protocol = scard.SCardConnect(context, reader_name, scard.SCARD_SHARE_EXCLUSIVE,
                                             scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
    assert rc == scard.SCARD_S_SUCCESS
    return context, card


def test_card_held_exclusively_elsewhere(sim) -> None:
    sim.insert(CARDHOLDERS[0])
    context, card = _hold_card(sim.reader_name())
    reader, events = start_reader(sim)
    try:
        try:
            assert events.wait_kind("read_failed").payload == "reader_busy"
        finally:
            scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
            scard.SCardReleaseContext(context)
        # once the other application lets go, the next card reads normally
        start = events.mark()
        sim.insert(CARDHOLDERS[1])
        identity = events.wait_kind("identity_read", start).payload
        assert identity.id_number == CARDHOLDERS[1].id_number
    finally:
        reader.stop()

