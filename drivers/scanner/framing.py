"""Suffix framing of scanner output (pure): bytes in, one item per code out.

Scanners end each code with a configured suffix: CR, LF, CRLF or TAB. Any of CR, LF and TAB
ends a frame; empty frames (the LF of a CRLF) are skipped. Input longer than ``max_bytes``
without a terminator is an overflow: it is reported once and everything up to the next
terminator is discarded, so a stuck or hostile device cannot grow memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Bytes that end a code.
TERMINATORS = b"\r\n\t"


@dataclass(frozen=True, slots=True)
class Overflow:
    """Marker: input exceeded the frame limit; that frame was discarded."""

    discarded_bytes: int


FrameItem = bytes | Overflow


@dataclass(slots=True)
class SuffixFramer:
    """Splits a byte stream into codes on CR, LF or TAB, bounded by ``max_bytes`` per code."""

    max_bytes: int = 4096
    terminators: bytes = TERMINATORS
    _buffer: bytearray = field(default_factory=bytearray)
    _overflowed: int = 0  # bytes discarded in the current oversized frame (0 = none)

    def feed(self, data: bytes) -> list[FrameItem]:
        """Consume bytes; return completed codes (and Overflow markers) in order."""
        out: list[FrameItem] = []
        for byte in data:
            if byte in self.terminators:
                if self._overflowed:
                    out.append(Overflow(self._overflowed))
                    self._overflowed = 0
                elif self._buffer:
                    out.append(bytes(self._buffer))
                self._buffer.clear()
                continue
            if self._overflowed:
                self._overflowed += 1
                continue
            self._buffer.append(byte)
            if len(self._buffer) > self.max_bytes:
                self._overflowed = len(self._buffer)
                self._buffer.clear()
        return out

    def flush(self) -> list[FrameItem]:
        """End the current frame without a terminator (idle timeout for suffix-less scanners)."""
        return self.feed(self.terminators[:1]) if (self._buffer or self._overflowed) else []

    @property
    def pending(self) -> int:
        """Bytes waiting for a terminator."""
        return len(self._buffer) + self._overflowed

    def reset(self) -> None:
        """Drop any partial frame (after a reconnect)."""
        self._buffer.clear()
        self._overflowed = 0
