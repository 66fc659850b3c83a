"""T=0 cards answering 61 xx (GET RESPONSE) and 6C xx (resend with Le), through pcscd."""

from __future__ import annotations

import logging

import pytest

from drivers.smartcard.virtual_card import CARDHOLDERS, CardFault


@pytest.mark.parametrize("fault", [CardFault.T0_GET_RESPONSE, CardFault.T0_RESEND_LE])
def test_t0_card_reads(watched, fault: CardFault, caplog: pytest.LogCaptureFixture) -> None:
    sim, _reader, events = watched
    caplog.set_level(logging.DEBUG, logger="drivers.smartcard")
    sim.set_fault(fault)
    start = events.mark()
    sim.insert(CARDHOLDERS[2])
    identity = events.wait_kind("identity_read", start).payload
    assert identity.name == CARDHOLDERS[2].name
    text = "\n".join(r.getMessage() for r in caplog.records)
    if fault is CardFault.T0_GET_RESPONSE:
        assert "00 C0 00 00 -> 90 00" in text
    else:
        assert "00 B2 09 04 -> 6C 20" in text


def test_mute_card_fails_plainly(watched) -> None:
    sim, _reader, events = watched
    sim.set_fault(CardFault.MUTE)
    start = events.mark()
    sim.insert()
    assert events.wait_kind("read_failed", start).payload == "not_social_security_card"
