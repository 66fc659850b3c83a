"""What a resident chose for this session (长者模式, 高对比度, language, sound) and what it implies.

`Preferences` is a frozen value; the UI derives every size, count and timeout from it, and the
voice guide its speed and volume. The choices belong to one resident: `PreferenceStore.reset`
runs at every session wipe so the next resident starts from the site's defaults.

Elderly mode (适老化) means, at once: text at least 1.5 times larger, fewer items per screen,
longer timeouts and slower speech. Pure code: no Kivy, no I/O.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, TypeVar

T = TypeVar("T")

#: The languages the kiosk speaks; the first is the default.
LOCALES = ("zh-CN", "en")
#: Text scale in elderly mode; the issue asks for at least 1.5 (kiosk.ui.theme.ELDERLY_SCALE).
ELDERLY_TEXT_SCALE = 1.5
#: Every timeout (idle, still-there countdown, device waits shown to the resident) is this many
#: times longer in elderly mode: reading and finding a card take longer.
ELDERLY_TIMEOUT_FACTOR = 2.0
#: Speech rate in words per minute (espeak-ng -s); elderly mode speaks 20 % slower. For Mandarin
#: espeak-ng counts each syllable: 175 is ~3.2 characters a second, 140 is ~2.6 (measured on a
#: 20-character prompt: 6.3 s and 7.9 s).
SPEECH_RATE_WPM = {"zh-CN": 175, "en": 165}
ELDERLY_SPEECH_RATE_WPM = {"zh-CN": 140, "en": 130}
DEFAULT_VOLUME = 80
#: How many items a screen shows at once, standard -> elderly.
HOME_COLUMNS = (3, 2)
HOME_ROWS = (3, 2)
RECORDS_PAGE_SIZE = (10, 5)
OPTIONS_PER_PAGE = (6, 4)
PINYIN_CANDIDATES_PER_PAGE = (8, 5)


class PaletteName(StrEnum):
    """Which colour palette of kiosk.ui.theme to use."""

    STANDARD = "standard"
    HIGH_CONTRAST = "high_contrast"


@dataclass(frozen=True, slots=True)
class Preferences:
    """One resident's accessibility and language choices."""

    elderly: bool = False
    high_contrast: bool = False
    locale: str = "zh-CN"
    muted: bool = False
    volume: int = DEFAULT_VOLUME  # 0..100

    def __post_init__(self) -> None:
        if self.locale not in LOCALES:
            raise ValueError(f"unsupported locale {self.locale!r}; one of {LOCALES}")
        if not 0 <= self.volume <= 100:
            raise ValueError(f"volume must be 0..100, not {self.volume}")

    # -- what the choices imply --------------------------------------------------------------
    @property
    def text_scale(self) -> float:
        """Multiplier for every font size."""
        return ELDERLY_TEXT_SCALE if self.elderly else 1.0

    @property
    def palette(self) -> PaletteName:
        """The colour palette to draw with."""
        return PaletteName.HIGH_CONTRAST if self.high_contrast else PaletteName.STANDARD

    @property
    def home_columns(self) -> int:
        """Columns of service tiles on the home screen."""
        return HOME_COLUMNS[self.elderly]

    @property
    def home_rows(self) -> int:
        """Rows of service tiles per home page."""
        return HOME_ROWS[self.elderly]

    @property
    def home_page_size(self) -> int:
        """Service tiles per home page."""
        return self.home_columns * self.home_rows

    @property
    def records_page_size(self) -> int:
        """Table rows per page of records."""
        return RECORDS_PAGE_SIZE[self.elderly]

    @property
    def options_per_page(self) -> int:
        """Choices shown at once on a choose screen."""
        return OPTIONS_PER_PAGE[self.elderly]

    @property
    def pinyin_candidates_per_page(self) -> int:
        """Candidate words shown at once above the pinyin keyboard."""
        return PINYIN_CANDIDATES_PER_PAGE[self.elderly]

    @property
    def timeout_factor(self) -> float:
        """Multiplier for every timeout the resident has to beat."""
        return ELDERLY_TIMEOUT_FACTOR if self.elderly else 1.0

    def timeout_seconds(self, base_seconds: float) -> float:
        """``base_seconds`` stretched for this resident (idle x2 in elderly mode)."""
        return base_seconds * self.timeout_factor

    @property
    def speech_rate_wpm(self) -> int:
        """espeak-ng speed for this language and mode."""
        table = ELDERLY_SPEECH_RATE_WPM if self.elderly else SPEECH_RATE_WPM
        return table[self.locale]

    @property
    def effective_volume(self) -> int:
        """0 when muted, otherwise the volume."""
        return 0 if self.muted else self.volume

    # -- changes ------------------------------------------------------------------------------
    def with_elderly(self, on: bool) -> Preferences:
        """Elderly mode on or off."""
        return replace(self, elderly=on)

    def with_high_contrast(self, on: bool) -> Preferences:
        """High contrast on or off."""
        return replace(self, high_contrast=on)

    def with_locale(self, locale: str) -> Preferences:
        """Another language."""
        return replace(self, locale=locale)

    def next_locale(self) -> Preferences:
        """The next language in LOCALES (the 中文|English toggle)."""
        index = LOCALES.index(self.locale)
        return replace(self, locale=LOCALES[(index + 1) % len(LOCALES)])

    def with_muted(self, on: bool) -> Preferences:
        """Sound off or on."""
        return replace(self, muted=on)

    def with_volume(self, volume: int) -> Preferences:
        """Volume clamped to 0..100."""
        return replace(self, volume=max(0, min(100, int(volume))))


def stretch_timing(timing: T, preferences: Preferences) -> T:
    """A copy of a timing dataclass (e.g. kiosk.session.SessionTiming) with every
    ``*_seconds`` field multiplied by the preferences' timeout factor (x2 in elderly mode)."""
    factor = preferences.timeout_factor
    if factor == 1.0:
        return timing
    changes: dict[str, Any] = {
        f.name: getattr(timing, f.name) * factor
        for f in dataclasses.fields(timing)  # type: ignore[arg-type]
        if f.name.endswith("_seconds")
    }
    return dataclasses.replace(timing, **changes)  # type: ignore[type-var]


Listener = Callable[[Preferences], None]


class PreferenceStore:
    """The current session's preferences; listeners hear each change; reset at every wipe.

    ``defaults`` are the site's (e.g. a terminal in an elderly-care centre may start in
    elderly mode); `reset` returns to them. Thread-safe; listeners run on the caller's thread.
    """

    def __init__(self, defaults: Preferences | None = None) -> None:
        self._defaults = defaults or Preferences()
        self._current = self._defaults
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []

    @property
    def current(self) -> Preferences:
        """The preferences now in force."""
        return self._current

    @property
    def defaults(self) -> Preferences:
        """What every session starts with."""
        return self._defaults

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(preferences)`` after every change."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling ``listener``."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def update(self, change: Callable[[Preferences], Preferences]) -> Preferences:
        """Apply ``change`` (``lambda p: p.with_elderly(True)``); tell listeners if different."""
        with self._lock:
            old = self._current
            self._current = change(old)
            new = self._current
        if new != old:
            for listener in list(self._listeners):
                listener(new)
        return new

    def reset(self) -> Preferences:
        """Back to the site's defaults (call at every session wipe)."""
        return self.update(lambda _p: self._defaults)
