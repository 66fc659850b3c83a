"""Colours, sizes and the font: one place, so elderly mode and high contrast scale everything.

Sizes are given for a 1080-pixel-high screen and scaled to the real one. Touch targets are at
least 90 px at 1080p (we use 110).
"""

from __future__ import annotations

from dataclasses import dataclass

RGBA = tuple[float, float, float, float]


def hex_rgba(code: str, alpha: float = 1.0) -> RGBA:
    """'#1F5FBF' -> (r, g, b, a) in 0..1."""
    code = code.lstrip("#")
    r, g, b = (int(code[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


@dataclass(frozen=True, slots=True)
class Palette:
    """Every text/background pair used by the UI."""

    background: str = "#F2F5FA"
    surface: str = "#FFFFFF"
    text: str = "#1A1A1A"
    muted: str = "#4A4F57"
    primary: str = "#0B4FB3"
    on_primary: str = "#FFFFFF"
    header: str = "#0A3A80"
    on_header: str = "#FFFFFF"
    secondary: str = "#DDE6F5"
    on_secondary: str = "#0A2F66"
    danger: str = "#A4161A"
    on_danger: str = "#FFFFFF"
    success: str = "#176B32"
    warning_bg: str = "#FFF4CE"
    warning_text: str = "#5C4400"
    disabled: str = "#C9CED6"
    on_disabled: str = "#3B3F45"
    prefilled_bg: str = "#E3F1E7"


STANDARD = Palette()
#: Every text pair >= 4.5:1 (tests/accessibility/test_contrast.py). `secondary` is a mid grey, not
#: near-black, so secondary buttons stand out from the black screen (WCAG 1.4.11, >= 3:1).
HIGH_CONTRAST = Palette(
    background="#000000", surface="#000000", text="#FFFFFF", muted="#F0F0F0",
    primary="#FFD400", on_primary="#000000", header="#000000", on_header="#FFFFFF",
    secondary="#5E5E5E", on_secondary="#FFFFFF", danger="#FF8080", on_danger="#000000",
    success="#7CFC8A", warning_bg="#1A1A1A", warning_text="#FFD400", disabled="#333333",
    on_disabled="#FFFFFF", prefilled_bg="#00331A",
)

#: Base sizes at 1080 px screen height (standard mode).
BASE_FONT_PX = 34
TITLE_FONT_PX = 52
BUTTON_FONT_PX = 38
TOUCH_TARGET_PX = 110
HEADER_HEIGHT_PX = 120
#: Elderly mode (长者模式) multiplies text by at least 1.5.
ELDERLY_SCALE = 1.5


@dataclass(frozen=True, slots=True)
class Metrics:
    """Pixel sizes for the current screen height and mode."""

    scale: float
    text_scale: float

    def px(self, base: float) -> float:
        """A layout size (spacing, touch target) scaled to the screen."""
        return base * self.scale

    def font(self, base: float = BASE_FONT_PX, cap: float = 0.0) -> float:
        """A font size scaled to the screen and the mode (the mode's factor at most ``cap``
        where space is fixed, e.g. table cells and header controls)."""
        factor = min(self.text_scale, cap) if cap else self.text_scale
        return base * self.scale * factor


def metrics_for(height_px: int, elderly: bool = False) -> Metrics:
    """Metrics for a window of ``height_px`` pixels."""
    scale = max(height_px, 480) / 1080
    return Metrics(scale=scale, text_scale=ELDERLY_SCALE if elderly else 1.0)
