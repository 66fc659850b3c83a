"""The UI's own words in every language: gettext catalogues kept with Babel.

Source strings (msgids) are the Simplified Chinese text the screens show, so wrapping a literal
is the whole change: ``_("返回")``. Each language has
``kiosk/i18n/locale/<lang>/LC_MESSAGES/kiosk.po`` (edited by people) and the ``kiosk.mo``
compiled from it by Babel (``python -m kiosk.i18n compile``; a test checks they agree).
Placeholders use ``str.format`` names: ``_("第 {step} 步 / 共 {steps} 步", step=1, steps=3)``.

Three ways in:
- ``translate(msgid, locale, **values)``: explicit, for code that knows the session's language.
- ``_(msgid, **values)``: the UI's current language, set once per change by ``set_locale``
  (from the Kivy thread, by the preference listener).
- ``N_(msgid)``: marks a constant for extraction without translating it (e.g. category names
  that are also keys); translate it where it is shown.
- ``platform_words(words, fallback, locale)``: the platform's own Chinese words for a resident
  in Chinese, the translated ``fallback`` in any other language.

Every text a resident can see from kiosk/ comes through here (device labels:
kiosk.core.device_labels; printer faults: kiosk.printing.messages; platform faults:
kiosk.platform.errors); tests/accessibility/test_resident_text_outside_gettext.py finds any
Chinese literal that does not.

Service texts (titles, steps) are not here: flow definitions carry their own strings per locale.
"""

from __future__ import annotations

import datetime as _dt
import gettext
from functools import cache
from pathlib import Path

from babel.dates import format_date as _babel_format_date
from babel.dates import format_time as _babel_format_time

#: Where the catalogues live.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "kiosk"
#: Kiosk locale (BCP 47, as in flows and Preferences) -> gettext/Babel locale folder.
LANGUAGES = {"zh-CN": "zh_CN", "en": "en"}
DEFAULT_LOCALE = "zh-CN"

_current = [DEFAULT_LOCALE]


@cache
def catalogue(locale: str) -> gettext.NullTranslations:
    """The compiled catalogue for ``locale`` (a missing one translates nothing)."""
    language = LANGUAGES.get(locale, locale.replace("-", "_"))
    try:
        with open(LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as handle:
            return gettext.GNUTranslations(handle)
    except OSError:
        return gettext.NullTranslations()


def translate(msgid: str, locale: str, **values: object) -> str:
    """``msgid`` in ``locale``, with ``values`` filled in; the msgid itself when missing."""
    text = catalogue(locale).gettext(msgid)
    return text.format(**values) if values else text


def set_locale(locale: str) -> None:
    """Make ``locale`` the UI's language for `_` (call on every language change)."""
    if locale not in LANGUAGES:
        raise ValueError(f"unsupported locale {locale!r}; one of {tuple(LANGUAGES)}")
    _current[0] = locale


def current_locale() -> str:
    """The UI's language now."""
    return _current[0]


def _(msgid: str, **values: object) -> str:
    """``msgid`` in the UI's current language."""
    return translate(msgid, _current[0], **values)


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction; return it untranslated."""
    return msgid


def platform_words(words: str, fallback: str, locale: str) -> str:
    """Text a server wrote for residents (in Chinese; it cannot be translated here): shown as
    is in Chinese, else the translated ``fallback`` msgid stands in for it."""
    if words and locale == DEFAULT_LOCALE:
        return words
    return translate(fallback, locale)


class Translator:
    """A `_` bound to one language, for a screen that renders in a given locale."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def __call__(self, msgid: str, **values: object) -> str:
        """``msgid`` in this translator's language."""
        return translate(msgid, self.locale, **values)


def join_list(items: list[str], locale: str) -> str:
    """Items joined the way the language lists them (摄像头、扫码器 / camera, code scanner)."""
    return translate("、", locale).join(items)


def format_long_date(day: _dt.date, locale: str) -> str:
    """The date with its weekday: 2026年11月21日星期六 / Saturday, November 21, 2026."""
    return _babel_format_date(day, "full", locale=LANGUAGES.get(locale, "zh_CN"))


def format_clock(moment: _dt.time | _dt.datetime, locale: str) -> str:
    """Hours and minutes, 24-hour: 14:30."""
    return _babel_format_time(moment, "HH:mm", locale=LANGUAGES.get(locale, "zh_CN"))
