"""A receipt as data: lines with alignment, bold and size, QR codes, feeds and a cut.

Pure and printer-independent; `drivers.receipt.escpos.build_receipt` turns it into ESC/POS bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Align(IntEnum):
    """ESC a n values."""

    LEFT = 0
    CENTER = 1
    RIGHT = 2


class QrErrorLevel(IntEnum):
    """GS ( k function 169 values."""

    L = 48
    M = 49
    Q = 50
    H = 51


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of text (Chinese allowed); width/height multipliers 1..8."""

    text: str
    align: Align = Align.LEFT
    bold: bool = False
    width: int = 1
    height: int = 1

    def __post_init__(self) -> None:
        if not (1 <= self.width <= 8 and 1 <= self.height <= 8):
            raise ValueError("character size multipliers must be 1..8")


@dataclass(frozen=True, slots=True)
class QrCode:
    """A QR code printed by the printer itself (GS ( k), model 2."""

    payload: str
    module_size: int = 6
    error_level: QrErrorLevel = QrErrorLevel.M
    align: Align = Align.CENTER

    def __post_init__(self) -> None:
        if not 1 <= self.module_size <= 16:
            raise ValueError("QR module size must be 1..16")
        if not self.payload or len(self.payload.encode("utf-8")) > 7000:
            raise ValueError("QR payload must be 1..7000 bytes")


@dataclass(frozen=True, slots=True)
class Feed:
    """Blank lines."""

    lines: int = 1


@dataclass(frozen=True, slots=True)
class Rule:
    """A separator line of ``char`` across the paper width."""

    char: str = "-"


ReceiptItem = TextLine | QrCode | Feed | Rule


@dataclass(frozen=True, slots=True)
class Receipt:
    """A whole receipt; ``width_chars`` is the paper width in half-width characters."""

    items: tuple[ReceiptItem, ...]
    cut: bool = True
    partial_cut: bool = True
    width_chars: int = 32
    feed_before_cut: int = 4

    def __repr__(self) -> str:
        return f"Receipt(items={len(self.items)})"


def display_width(text: str) -> int:
    """Width in half-width columns: CJK and full-width characters take two."""
    return sum(1 if ord(ch) < 0x80 or 0xFF61 <= ord(ch) <= 0xFF9F else 2 for ch in text)


def label_value_line(label: str, value: str, width_chars: int) -> str:
    """``label`` left and ``value`` right on one line when they fit, else ``label：value``."""
    gap = width_chars - display_width(label) - display_width(value)
    if gap >= 1:
        return label + " " * gap + value
    return f"{label}：{value}"
