"""Registers the bundled CJK TrueType font with reportlab once (embedded as a subset)."""

from __future__ import annotations

import threading

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from kiosk.boot.resources import FONT_NAME, FONT_PATH

_lock = threading.Lock()


def register_font() -> str:
    """Register face 0 of the bundled collection (idempotent); return the reportlab font name."""
    with _lock:
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0))
    return FONT_NAME


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (character by character, CJK-safe)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if pdfmetrics.stringWidth(paragraph, font, size) <= width:
            lines.append(paragraph)  # most lines fit: one measure, not one per character
            continue
        line = ""
        line_width = 0.0
        for char in paragraph:
            char_width = pdfmetrics.stringWidth(char, font, size)
            if line and line_width + char_width > width:
                lines.append(line)
                line, line_width = "", 0.0
            line += char
            line_width += char_width
        lines.append(line)
    return lines
