"""The card is pulled while it is answering a command (one byte of the answer reaches the
reader, then the contacts part): the read fails as card_removed, not malformed_response, and
the reader goes on to read the next card."""

from __future__ import annotations

import pytest

from drivers.smartcard.virtual_card import CardFault
from tests.drivers.smartcard.conftest import pulled_card_fails_then_reader_recovers


@pytest.mark.parametrize("after_apdus", [1, 3, 6])
def test_card_pulled_mid_command_is_card_removed(watched, after_apdus: int) -> None:
    pulled_card_fails_then_reader_recovers(watched, CardFault.REMOVE_MID_COMMAND, after_apdus)
