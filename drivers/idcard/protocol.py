"""GA/T 467 SAM serial frames: build, parse, checksum, status words, stream parsing. No I/O.

A frame is ``AA AA AA 96 69``, a big-endian length (bytes after the length field), a body and
an XOR checksum over the length and body. Host frames carry ``CMD PARA data``; reader frames
carry ``SW1 SW2 SW3 data``, and only SW3 decides (SW1/SW2 pass through from the card).

`FrameParser` turns a byte stream into frames and never raises: garbage is skipped up to the
next preamble, an impossible length or a wrong checksum drops one byte and re-scans, so a frame
hidden inside a truncated one is still found. Every other parse error is an `IdCardProtocolError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum

PREAMBLE = bytes((0xAA, 0xAA, 0xAA, 0x96, 0x69))
HEADER_LENGTH = len(PREAMBLE) + 2  # preamble + length field
MIN_BODY_LENGTH = 3  # CMD PARA checksum (a reply needs at least SW1 SW2 SW3 checksum = 4)
#: The largest known frame is the 30 10 reply (2314 after the length); anything longer is noise.
MAX_BODY_LENGTH = 2560
BITS_PER_BYTE_8N1 = 10


class IdCardProtocolError(ValueError):
    """The only error the ID card codec raises: bytes that are not a valid frame or payload."""


class Command(Enum):
    """Fixed host commands as (CMD, PARA)."""

    RESET_SAM = (0x10, 0xFF)
    SAM_STATUS = (0x11, 0xFF)
    READ_SAM_ID = (0x12, 0xFF)
    FIND_CARD = (0x20, 0x01)
    SELECT_CARD = (0x20, 0x02)
    READ_TEXT_PHOTO = (0x30, 0x01)
    READ_ADDED_ADDRESS = (0x30, 0x03)
    READ_TEXT_PHOTO_FINGERPRINT = (0x30, 0x10)
    SET_RF_FRAME_SIZE = (0x61, 0xFF)  # one data byte (one source)
    SET_BAUD = (0x60, None)  # PARA selects the rate, see BAUD_CODES

    @property
    def cmd(self) -> int:
        """The CMD byte."""
        return int(self.value[0])

    @classmethod
    def lookup(cls, cmd: int, para: int) -> Command | None:
        """The command for a (CMD, PARA) pair, or None when unknown."""
        for command in cls:
            code, fixed_para = command.value
            if code == cmd and (fixed_para is None or fixed_para == para):
                return command
        return None


#: Baud rate -> PARA of the 60 xx command.
BAUD_CODES = {115200: 0x00, 57600: 0x01, 38400: 0x02, 19200: 0x03, 9600: 0x04}


class Sw3(IntEnum):
    """The reader's status byte SW3."""

    SUCCESS = 0x90
    FIND_OK = 0x9F
    NO_CONTENT = 0x91
    HOST_CHECKSUM_ERROR = 0x10
    HOST_LENGTH_ERROR = 0x11
    BAD_COMMAND = 0x21
    NOT_AUTHORISED = 0x23
    UNRECOGNISED_ERROR = 0x24
    CARD_AUTH_SAM_FAILED = 0x31
    SAM_AUTH_CARD_FAILED = 0x32
    INFO_VERIFICATION_ERROR = 0x33
    FINGERPRINT_VERIFICATION_ERROR = 0x37
    INFO_LENGTH_ERROR = 0x3F
    UNKNOWN_CARD_TYPE = 0x40
    READ_FAILED = 0x41
    RANDOM_NUMBER_FAILED = 0x47
    SAM_SELF_TEST_FAILED = 0x60
    SAM_NOT_AUTHORISED = 0x66
    FIND_FAILED = 0x80
    SELECT_FAILED = 0x81

    @property
    def meaning(self) -> str:
        """A technician-facing English description."""
        return _SW3_MEANINGS[self]

    @property
    def ok(self) -> bool:
        """True for the success codes (90, 9F)."""
        return self in (Sw3.SUCCESS, Sw3.FIND_OK)


_SW3_MEANINGS = {
    Sw3.SUCCESS: "success",
    Sw3.FIND_OK: "find card succeeded",
    Sw3.NO_CONTENT: "item has no content",
    Sw3.HOST_CHECKSUM_ERROR: "checksum error in host frame",
    Sw3.HOST_LENGTH_ERROR: "length error in host frame",
    Sw3.BAD_COMMAND: "bad command",
    Sw3.NOT_AUTHORISED: "operation not authorised",
    Sw3.UNRECOGNISED_ERROR: "unrecognised error",
    Sw3.CARD_AUTH_SAM_FAILED: "card failed to authenticate SAM",
    Sw3.SAM_AUTH_CARD_FAILED: "SAM failed to authenticate card",
    Sw3.INFO_VERIFICATION_ERROR: "information verification error",
    Sw3.FINGERPRINT_VERIFICATION_ERROR: "fingerprint verification error",
    Sw3.INFO_LENGTH_ERROR: "information length error",
    Sw3.UNKNOWN_CARD_TYPE: "unknown card type",
    Sw3.READ_FAILED: "read failed",
    Sw3.RANDOM_NUMBER_FAILED: "random number failed",
    Sw3.SAM_SELF_TEST_FAILED: "SAM self-test failed",
    Sw3.SAM_NOT_AUTHORISED: "SAM not authorised",
    Sw3.FIND_FAILED: "find failed (no card)",
    Sw3.SELECT_FAILED: "select failed",
}


def describe_sw3(sw3: int) -> str:
    """``SW3 41 (read failed)``; unknown codes are named by their hex value only."""
    try:
        return f"SW3 {sw3:02X} ({Sw3(sw3).meaning})"
    except ValueError:
        return f"SW3 {sw3:02X} (unknown status)"


def xor_checksum(data: bytes | bytearray | memoryview) -> int:
    """XOR of all bytes (the frame checksum over length and body)."""
    value = 0
    for byte in bytes(data):
        value ^= byte
    return value


def wire_seconds(byte_count: int, baud: int) -> float:
    """Time ``byte_count`` bytes take on an 8N1 line at ``baud``."""
    return byte_count * BITS_PER_BYTE_8N1 / baud


def build_frame(body: bytes) -> bytes:
    """Wrap a body (CMD PARA data, or SW1 SW2 SW3 data) in preamble, length and checksum."""
    length = len(body) + 1
    if length > 0xFFFF:
        raise IdCardProtocolError("frame body too long")
    head = length.to_bytes(2, "big")
    return PREAMBLE + head + body + bytes((xor_checksum(head + body),))


def build_command(command: Command, data: bytes = b"", para: int | None = None) -> bytes:
    """A host frame for ``command``; ``para`` only for commands without a fixed PARA."""
    code, fixed_para = command.value
    if fixed_para is None:
        if para is None:
            raise IdCardProtocolError(f"{command.name} needs a PARA byte")
        fixed_para = para
    return build_frame(bytes((code, fixed_para)) + data)


def build_baud_command(baud: int) -> bytes:
    """The 60 xx frame switching the link to ``baud``."""
    if baud not in BAUD_CODES:
        raise IdCardProtocolError(f"unsupported baud rate {baud}")
    return build_command(Command.SET_BAUD, para=BAUD_CODES[baud])


def build_response(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    """A reader frame (what the simulator sends)."""
    return build_frame(bytes((sw1, sw2, sw3)) + data)


@dataclass(frozen=True, slots=True)
class CommandFrame:
    """A parsed host frame."""

    cmd: int
    para: int
    data: bytes = b""

    @property
    def command(self) -> Command | None:
        """The known command, or None."""
        return Command.lookup(self.cmd, self.para)


@dataclass(frozen=True, slots=True)
class Response:
    """A parsed reader frame. ``sw3`` stays an int: unknown codes must not crash a read."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""

    @property
    def status(self) -> Sw3 | None:
        """SW3 as a known status, or None."""
        try:
            return Sw3(self.sw3)
        except ValueError:
            return None

    def describe(self) -> str:
        """Technician-facing text such as ``SW3 41 (read failed)``."""
        return describe_sw3(self.sw3)


def split_frame(frame: bytes) -> bytes:
    """Check preamble, length and checksum of one whole frame and return its body."""
    if len(frame) < HEADER_LENGTH + MIN_BODY_LENGTH:
        raise IdCardProtocolError("frame too short")
    if frame[: len(PREAMBLE)] != PREAMBLE:
        raise IdCardProtocolError("bad preamble")
    length = int.from_bytes(frame[5:7], "big")
    if length != len(frame) - HEADER_LENGTH:
        raise IdCardProtocolError("length field does not match frame size")
    if xor_checksum(frame[5:-1]) != frame[-1]:
        raise IdCardProtocolError("checksum mismatch")
    return bytes(frame[7:-1])


def command_from_body(body: bytes) -> CommandFrame:
    """Interpret a frame body as a host command."""
    if len(body) < 2:
        raise IdCardProtocolError("command body too short")
    return CommandFrame(body[0], body[1], bytes(body[2:]))


def response_from_body(body: bytes) -> Response:
    """Interpret a frame body as a reader response."""
    if len(body) < 3:
        raise IdCardProtocolError("response body too short")
    return Response(body[0], body[1], body[2], bytes(body[3:]))


def parse_command(frame: bytes) -> CommandFrame:
    """Parse one whole host frame."""
    return command_from_body(split_frame(frame))


def parse_response(frame: bytes) -> Response:
    """Parse one whole reader frame."""
    return response_from_body(split_frame(frame))


@dataclass(frozen=True, slots=True)
class Frame:
    """A complete frame found in the stream: its body and its size on the wire."""

    body: bytes
    size: int


@dataclass(frozen=True, slots=True)
class CorruptFrame:
    """A preamble and length were seen but the checksum did not match."""

    size: int


class FrameParser:
    """Incremental frame splitter with resynchronisation on the preamble. Never raises."""

    def __init__(self, max_body_length: int = MAX_BODY_LENGTH) -> None:
        self._buffer = bytearray()
        self._max = max_body_length
        self.discarded_bytes = 0
        self.corrupt_frames = 0

    @property
    def pending(self) -> int:
        """Bytes held while waiting for the rest of a frame."""
        return len(self._buffer)

    def reset(self) -> None:
        """Forget a partial frame (after a timeout, before a new command)."""
        self.discarded_bytes += len(self._buffer)
        self._buffer.clear()

    def feed(self, data: bytes | bytearray) -> list[Frame | CorruptFrame]:
        """Add bytes; return the frames (and corrupt frames) completed by them, in order."""
        buf = self._buffer
        buf.extend(data)
        out: list[Frame | CorruptFrame] = []
        while True:
            start = buf.find(PREAMBLE)
            if start < 0:
                self._drop(len(buf) - self._kept_tail(buf))
                return out
            self._drop(start)
            if len(buf) < HEADER_LENGTH:
                return out
            length = int.from_bytes(buf[5:7], "big")
            if length < MIN_BODY_LENGTH or length > self._max:
                self._drop(1)
                continue
            size = HEADER_LENGTH + length
            if len(buf) < size:
                return out
            if xor_checksum(buf[5 : size - 1]) == buf[size - 1]:
                out.append(Frame(bytes(buf[7 : size - 1]), size))
                del buf[:size]
            else:
                self.corrupt_frames += 1
                out.append(CorruptFrame(size))
                self._drop(1)

    @staticmethod
    def _kept_tail(buf: bytearray) -> int:
        """How many trailing bytes could be the start of a preamble."""
        for keep in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
            if buf[-keep:] == PREAMBLE[:keep]:
                return keep
        return 0

    def _drop(self, count: int) -> None:
        if count > 0:
            del self._buffer[:count]
            self.discarded_bytes += count
