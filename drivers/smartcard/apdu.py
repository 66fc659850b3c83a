"""ISO 7816-4 command APDUs and the T=0 exchange, pure (no I/O).

The exchange takes a ``transmit`` callable (bytes out, bytes back) so the same code runs over
pyscard, over the virtual card in-process, or over a test double. ``61 xx`` answers are followed
by GET RESPONSE and ``6C xx`` answers by a resend with Le = xx. Traces carry the command header
and the status word only: never command data (it may hold an AID only, but keep the rule simple)
and never response data (it holds personal data).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

#: Bytes to the card -> bytes from the card (data + SW1 SW2).
Transmit = Callable[[bytes], bytes]
#: Receives one line per APDU exchanged: header and status word, e.g. ``00 B2 01 04 -> 90 00``.
Trace = Callable[[str], None]

#: A card that keeps answering 61xx/6Cxx is broken; stop after this many follow-ups.
MAX_FOLLOW_UPS = 16


class ReadFailure(StrEnum):
    """Plain reason codes for a failed card read (the ``read_failed`` payload)."""

    CARD_REMOVED = "card_removed"
    NOT_SOCIAL_SECURITY_CARD = "not_social_security_card"
    TRUNCATED_RECORD = "truncated_record"
    BAD_RECORD = "bad_record"
    INVALID_ID_NUMBER = "invalid_id_number"
    CARD_ERROR = "card_error"  # an unexpected status word
    MALFORMED_RESPONSE = "malformed_response"
    READER_BUSY = "reader_busy"  # another application holds the card
    UNRESPONSIVE_CARD = "unresponsive_card"
    READER_GONE = "reader_gone"
    SERVICE_UNAVAILABLE = "service_unavailable"  # pcscd stopped mid-read
    COMMUNICATION_ERROR = "communication_error"


class CardError(Exception):
    """The one error type of the card code: a failed read with a plain reason code.

    The message never carries card data, only the reason and at most a status word.
    """

    def __init__(self, reason: ReadFailure, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Command:
    """One command APDU. ``le`` None means no Le byte; 0 means Le = 00 (256)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None

    def to_bytes(self) -> bytes:
        """Short-form encoding (Lc and Le one byte each)."""
        out = bytes((self.cla, self.ins, self.p1, self.p2))
        if self.data:
            if len(self.data) > 255:
                raise ValueError("command data longer than 255 bytes")
            out += bytes((len(self.data),)) + self.data
        if self.le is not None:
            out += bytes((self.le & 0xFF,))
        return out

    def header(self) -> str:
        """``CLA INS P1 P2`` in hex, for traces."""
        return f"{self.cla:02X} {self.ins:02X} {self.p1:02X} {self.p2:02X}"

    def with_le(self, le: int) -> Command:
        """The same command with another Le."""
        return Command(self.cla, self.ins, self.p1, self.p2, self.data, le)


@dataclass(frozen=True, slots=True)
class Response:
    """A response APDU: data and status word."""

    data: bytes
    sw1: int
    sw2: int

    @property
    def sw(self) -> int:
        """SW1 SW2 as one integer, e.g. 0x9000."""
        return (self.sw1 << 8) | self.sw2

    @property
    def ok(self) -> bool:
        """True for 90 00."""
        return self.sw == 0x9000

    def sw_text(self) -> str:
        """``90 00`` style, for traces."""
        return f"{self.sw1:02X} {self.sw2:02X}"


SW_OK = 0x9000
SW_FILE_NOT_FOUND = 0x6A82
SW_RECORD_NOT_FOUND = 0x6A83


def parse_response(raw: bytes) -> Response:
    """Split raw card bytes into data and status word."""
    if len(raw) < 2:
        raise CardError(ReadFailure.MALFORMED_RESPONSE, f"{len(raw)} bytes")
    return Response(bytes(raw[:-2]), raw[-2], raw[-1])


def select_aid(aid: bytes) -> Command:
    """SELECT by DF name (AID): ``00 A4 04 00 Lc AID``."""
    return Command(0x00, 0xA4, 0x04, 0x00, bytes(aid))


def select_ef(file_id: int) -> Command:
    """SELECT an elementary file by identifier under the current DF: ``00 A4 02 00 02 FID``."""
    return Command(0x00, 0xA4, 0x02, 0x00, file_id.to_bytes(2, "big"))


def read_record(number: int, le: int) -> Command:
    """READ RECORD by record number in the current EF: ``00 B2 nn 04 Le``."""
    return Command(0x00, 0xB2, number, 0x04, b"", le)


def read_record_by_tag(tag: int, le: int) -> Command:
    """READ RECORD by tag (the social security card's P2 = 00 form): ``00 B2 tag 00 Le``."""
    return Command(0x00, 0xB2, tag, 0x00, b"", le)


def read_record_sfi(sfi: int, number: int, le: int) -> Command:
    """READ RECORD with a short file identifier, no prior select: P2 = (SFI << 3) | 4."""
    if not 1 <= sfi <= 30:
        raise ValueError("SFI must be 1..30")
    return Command(0x00, 0xB2, number, (sfi << 3) | 0x04, b"", le)


def get_response(le: int) -> Command:
    """GET RESPONSE: ``00 C0 00 00 Le``."""
    return Command(0x00, 0xC0, 0x00, 0x00, b"", le)


def exchange(transmit: Transmit, command: Command, trace: Trace | None = None) -> Response:
    """Send ``command`` and follow T=0 procedure answers to the final response.

    ``6C xx``: resend the same command with Le = xx. ``61 xx``: GET RESPONSE with Le = xx,
    concatenating data until a final status word. Transport errors from ``transmit`` propagate.
    """
    response = _send(transmit, command, trace)
    follow_ups = 0
    while response.sw1 == 0x6C:
        follow_ups = _count(follow_ups)
        response = _send(transmit, command.with_le(response.sw2), trace)
    collected = b""
    while response.sw1 == 0x61:
        follow_ups = _count(follow_ups)
        collected += response.data
        response = _send(transmit, get_response(response.sw2), trace)
    if collected:
        return Response(collected + response.data, response.sw1, response.sw2)
    return response


def _count(follow_ups: int) -> int:
    if follow_ups >= MAX_FOLLOW_UPS:
        raise CardError(ReadFailure.CARD_ERROR, "too many T=0 procedure answers")
    return follow_ups + 1


def _send(transmit: Transmit, command: Command, trace: Trace | None) -> Response:
    response = parse_response(transmit(command.to_bytes()))
    if trace is not None:
        trace(f"{command.header()} -> {response.sw_text()}")
    return response
