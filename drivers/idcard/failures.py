"""Why a card read failed: the payload of a ``read_failed`` event.

Expiry is not here on purpose: an expired card is read normally (``identity_read``) and the flow
decides, with its own clock, what an expired card may still do.
"""

from __future__ import annotations

from enum import StrEnum


class ReadFailure(StrEnum):
    """Closed set of read failure reasons (a StrEnum, so it also compares equal to its text)."""

    UNREADABLE = "unreadable"  # the card did not give its data after every retry
    PULLED_MID_READ = "pulled_mid_read"  # the card left the field before the read completed
    NOT_AUTHENTIC = "not_authentic"  # card and SAM failed mutual authentication (SW3 31/32/33)
    UNKNOWN_CARD_TYPE = "unknown_card_type"  # not one of: resident ID, J, I, Y
    MALFORMED_DATA = "malformed_data"  # the text block did not decode (dates, encoding, number)
    BAD_CHECK_CHARACTER = "bad_check_character"  # the ID number fails its GB 11643 check

    @property
    def technician_text(self) -> str:
        """One English line for logs and the technician screen."""
        return _TEXT[self]


_TEXT = {
    ReadFailure.UNREADABLE: "card could not be read after retries",
    ReadFailure.PULLED_MID_READ: "card removed before the read completed",
    ReadFailure.NOT_AUTHENTIC: "card and SAM failed to authenticate each other",
    ReadFailure.UNKNOWN_CARD_TYPE: "card type not supported",
    ReadFailure.MALFORMED_DATA: "card data did not decode",
    ReadFailure.BAD_CHECK_CHARACTER: "ID number check character is wrong",
}
