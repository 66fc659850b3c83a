"""The card leaves in the middle of the read: read_failed card_removed, then card_removed."""

from __future__ import annotations

from drivers.smartcard.virtual_card import CardFault
from tests.drivers.smartcard.conftest import pulled_card_fails_then_reader_recovers


def test_card_removed_mid_read(watched) -> None:
    pulled_card_fails_then_reader_recovers(watched, CardFault.REMOVE_MID_READ, after_apdus=6)
