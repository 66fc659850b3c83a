"""WCAG 2.x contrast of every text/background pair in every palette (AA: 4.5 for normal text),
and of button fills against the screen in high contrast (non-text, 1.4.11: 3.0)."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.ui.theme import HIGH_CONTRAST, STANDARD, Palette

#: (text colour, background colour): every pair the screens draw text with.
TEXT_PAIRS = [
    ("text", "background"), ("text", "surface"),
    ("on_primary", "primary"), ("on_header", "header"), ("on_secondary", "secondary"),
    ("on_danger", "danger"),
    ("danger", "background"), ("danger", "surface"),
    ("success", "background"), ("success", "prefilled_bg"), ("success", "surface"),
    ("muted", "background"), ("muted", "surface"),
    ("warning_text", "warning_bg"), ("on_disabled", "disabled"),
    ("primary", "surface"), ("primary", "background"),
    # also drawn by the screens: table rows, pre-filled values, the pinyin composition bar
    ("text", "secondary"), ("text", "prefilled_bg"),
]
#: Button fills that must stand out from the screen behind them in high contrast.
HIGH_CONTRAST_FILLS = [("primary", "background"), ("secondary", "background"),
                       ("danger", "background")]
PALETTES = {"STANDARD": STANDARD, "HIGH_CONTRAST": HIGH_CONTRAST}
AA_NORMAL_TEXT = 4.5
NON_TEXT = 3.0


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(code: str) -> float:
    """WCAG 2.x relative luminance of '#RRGGBB'."""
    code = code.lstrip("#")
    r, g, b = (_channel(int(code[i:i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05), lighter over darker."""
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_ratio_matches_known_values() -> None:
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    # WebAIM's reference: #767676 on white is the lightest grey passing AA (4.54).
    assert contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)


def test_pairs_name_real_palette_fields() -> None:
    names = {f.name for f in dataclasses.fields(Palette)}
    used = {name for pair in TEXT_PAIRS + HIGH_CONTRAST_FILLS for name in pair}
    assert used <= names
    # every colour of the palette is part of at least one checked pair
    assert names <= used | {"header"}


@pytest.mark.parametrize("palette_name", sorted(PALETTES))
@pytest.mark.parametrize(("foreground", "background"), TEXT_PAIRS)
def test_text_pair_meets_aa(palette_name: str, foreground: str, background: str) -> None:
    palette = PALETTES[palette_name]
    ratio = contrast_ratio(getattr(palette, foreground), getattr(palette, background))
    assert ratio >= AA_NORMAL_TEXT, (
        f"{palette_name}: {foreground} {getattr(palette, foreground)} on {background} "
        f"{getattr(palette, background)} is {ratio:.2f}:1, below {AA_NORMAL_TEXT}:1")


@pytest.mark.parametrize(("fill", "background"), HIGH_CONTRAST_FILLS)
def test_high_contrast_buttons_stand_out(fill: str, background: str) -> None:
    ratio = contrast_ratio(getattr(HIGH_CONTRAST, fill), getattr(HIGH_CONTRAST, background))
    assert ratio >= NON_TEXT, f"{fill} on {background}: {ratio:.2f}:1"


def test_high_contrast_is_higher_than_standard_for_body_text() -> None:
    assert contrast_ratio(HIGH_CONTRAST.text, HIGH_CONTRAST.background) > \
        contrast_ratio(STANDARD.text, STANDARD.background)
