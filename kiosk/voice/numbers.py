"""Numbers, dates, times, amounts and codes turned into Chinese words before they are spoken.

A speech synthesiser reads "2026-11-21" or "1,280.50元" badly, so every prompt passes through
`to_spoken_chinese` first: 二〇二六年十一月二十一日, 一千二百八十元五角. Personal numbers (ID card
and mobile numbers, whole or already masked) are never read aloud in full: by default they are
replaced by a short phrase saying a number was left out (`PersonalNumbers.OMIT`), or by their
last four characters (`PersonalNumbers.LAST_FOUR`, 尾号〇〇二叉) where a site prefers that.

Pure functions, no I/O: each is tested on its own in tests/accessibility/test_numbers.py.
"""

from __future__ import annotations

import re
from enum import StrEnum

from kiosk.core.privacy import ID_NUMBER_RE, OLD_ID_NUMBER_RE, PHONE_RE

DIGITS = "零一二三四五六七八九"
#: Years are written with 〇 (二〇二六年), the way dates are printed and read.
YEAR_DIGITS = "〇一二三四五六七八九"
_SMALL_UNITS = ("", "十", "百", "千")
_BIG_UNITS = ("", "万", "亿", "万亿")
#: Longest plain digit run still read as a number; longer runs (hotlines such as 12345, case
#: numbers) are read digit by digit. Amounts (元, ¥) and numbers with thousands separators are
#: always read as numbers.
MAX_NUMBER_DIGITS = 4
#: Years outside this range are not taken for dates.
DATE_YEARS = range(1900, 2101)


class PersonalNumbers(StrEnum):
    """How ID card and mobile numbers found in a prompt are spoken."""

    OMIT = "omit"  # replaced by OMITTED_ZH / OMITTED_EN
    LAST_FOUR = "last_four"  # 尾号 + the last four characters, digit by digit


OMITTED_ZH = "（已隐去）"
OMITTED_EN = "(not read aloud)"


# -- numbers ---------------------------------------------------------------------------------
def _section_words(value: int) -> str:
    """Words for 1..9999 (no leading 零)."""
    digits = f"{value:04d}"
    words: list[str] = []
    pending_zero = False
    for index, char in enumerate(digits):
        digit = int(char)
        unit = _SMALL_UNITS[3 - index]
        if digit == 0:
            pending_zero = bool(words)
            continue
        if pending_zero:
            words.append("零")
            pending_zero = False
        words.append(DIGITS[digit] + unit)
    return "".join(words)


def int_to_chinese(value: int) -> str:
    """An integer in Chinese words: 1280 -> 一千二百八十, 10005 -> 一万零五, 15 -> 十五."""
    if value < 0:
        return "负" + int_to_chinese(-value)
    if value == 0:
        return "零"
    sections: list[int] = []
    while value:
        sections.append(value % 10000)
        value //= 10000
    if len(sections) > len(_BIG_UNITS):
        return read_digits("".join(f"{s:04d}" for s in reversed(sections)).lstrip("0"))
    words = ""
    pending_zero = False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            pending_zero = bool(words)
            continue
        if words and (pending_zero or section < 1000):
            words += "零"
        words += _section_words(section) + _BIG_UNITS[index]
        pending_zero = False
    if words.startswith("一十"):
        words = words[1:]
    return words


def read_digits(text: str, zero: str = "零") -> str:
    """Digit by digit: '11010519491231002X' -> 一一零一零五...零零二叉; other characters kept."""
    out = []
    for char in text:
        if char.isdigit() and char.isascii():
            out.append(zero if char == "0" else DIGITS[int(char)])
        elif char in "Xx":
            out.append("叉")
        else:
            out.append(char)
    return "".join(out)


def decimal_to_chinese(text: str) -> str:
    """'3.14' -> 三点一四; '1,280' -> 一千二百八十; '-0.5' -> 负零点五."""
    text = text.replace(",", "").replace("，", "")
    sign = ""
    if text.startswith("-"):
        sign, text = "负", text[1:]
    whole, _, fraction = text.partition(".")
    words = int_to_chinese(int(whole or "0"))
    if fraction:
        words += "点" + read_digits(fraction)
    return sign + words


def amount_to_chinese(text: str, unit: str = "元") -> str:
    """An amount of money: '1,280.50' -> 一千二百八十元五角; '1280.05' -> 一千二百八十元零五分."""
    text = text.replace(",", "").replace("，", "")
    sign = ""
    if text.startswith("-"):
        sign, text = "负", text[1:]
    whole, _, fraction = text.partition(".")
    fraction = (fraction + "00")[:2]
    yuan, jiao, fen = int(whole or "0"), int(fraction[0]), int(fraction[1])
    words = int_to_chinese(yuan) + unit if yuan or not (jiao or fen) else ""
    if jiao:
        words += DIGITS[jiao] + "角"
    if fen:
        if yuan and not jiao:
            words += "零"
        words += DIGITS[fen] + "分"
    return sign + words


def percent_to_chinese(text: str) -> str:
    """'12.5' (per cent) -> 百分之十二点五."""
    return "百分之" + decimal_to_chinese(text)


# -- dates and times -------------------------------------------------------------------------
def date_to_chinese(year: int, month: int | None = None, day: int | None = None) -> str:
    """2026, 11, 21 -> 二〇二六年十一月二十一日 (month and day optional)."""
    words = "".join(YEAR_DIGITS[int(c)] for c in str(year)) + "年"
    if month is not None:
        words += int_to_chinese(month) + "月"
        if day is not None:
            words += int_to_chinese(day) + "日"
    return words


def time_to_chinese(hour: int, minute: int, second: int | None = None) -> str:
    """14:30 -> 十四点三十分; 9:05 -> 九点零五分; 14:00 -> 十四点整."""
    words = int_to_chinese(hour) + "点"
    if minute == 0 and not second:
        return words + "整"
    if minute:
        words += ("零" if minute < 10 else "") + int_to_chinese(minute) + "分"
    elif second:
        words += "零分"
    if second:
        words += int_to_chinese(second) + "秒"
    return words


# -- whole prompts ---------------------------------------------------------------------------
_MASKED_ID_RE = re.compile(r"(?<![0-9A-Za-z*])\d{6}\*{6,8}\d{3}[\dXx](?![0-9A-Za-z*])")
_MASKED_PHONE_RE = re.compile(r"(?<![0-9*])1\d{2}\*{4}\d{4}(?![0-9*])")
_DATE_RE = re.compile(
    r"(?<![\d-])(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:(?:[-/.]|月)\s*(\d{1,2})(?:\s*日)?|月)?"
    r"(?![\d:.-])")
_DIGIT_GROUPS_RE = re.compile(r"(?<![\d.])\d+(?:-\d+)+(?![\d.])")
_YEAR_RE = re.compile(r"(?<!\d)(\d{4})\s*年")
_TIME_RE = re.compile(r"(?<![\d:])([01]?\d|2[0-3])[:：]([0-5]\d)(?:[:：]([0-5]\d))?(?![\d:])")
_NUMBER = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_AMOUNT_RE = re.compile(
    rf"(?:[¥￥]\s*(?P<a>{_NUMBER})(?:\s*元)?)|(?:(?P<b>{_NUMBER})\s*元)|(?:人民币\s*(?P<c>{_NUMBER}))")
_PERCENT_RE = re.compile(rf"({_NUMBER})\s*[%％]")
_CODE_RE = re.compile(r"(?<![\d.,])(\d*[A-Za-z][A-Za-z\d-]*\d[A-Za-z\d-]*)")
_DECIMAL_RE = re.compile(rf"(?<![\d.])({_NUMBER})(?![\d])")


def _personal(match: str, mode: PersonalNumbers, omitted: str, prefix: str) -> str:
    if mode is PersonalNumbers.LAST_FOUR:
        return prefix + read_digits(match[-4:])
    return omitted


def mask_personal_numbers(text: str, mode: PersonalNumbers = PersonalNumbers.OMIT,
                          locale: str = "zh-CN") -> str:
    """Replace ID card and mobile numbers (whole or masked) before anything is spoken."""
    english = locale.startswith("en")
    omitted = OMITTED_EN if english else OMITTED_ZH
    prefix = "ending in " if english else "尾号"

    def replace(match: re.Match[str]) -> str:
        spoken = _personal(match.group(0), mode, omitted, prefix)
        if english and mode is PersonalNumbers.LAST_FOUR:
            return prefix + " ".join(match.group(0)[-4:])
        return spoken

    for pattern in (ID_NUMBER_RE, _MASKED_ID_RE, OLD_ID_NUMBER_RE, PHONE_RE, _MASKED_PHONE_RE):
        text = pattern.sub(replace, text)
    return text


def _date(match: re.Match[str]) -> str:
    year, month, day = int(match.group(1)), int(match.group(2)), match.group(3)
    day_ok = day is None or 1 <= int(day) <= 31
    if year not in DATE_YEARS or not 1 <= month <= 12 or not day_ok:
        return match.group(0)
    return date_to_chinese(year, month, int(day) if day is not None else None)


def _time(match: re.Match[str]) -> str:
    second = match.group(3)
    return time_to_chinese(int(match.group(1)), int(match.group(2)),
                           int(second) if second is not None else None)


def _amount(match: re.Match[str]) -> str:
    return amount_to_chinese(match.group("a") or match.group("b") or match.group("c"))


def _code(match: re.Match[str]) -> str:
    return read_digits(match.group(1)).replace("-", "，")


def _number(match: re.Match[str]) -> str:
    text = match.group(1)
    plain = text.lstrip("-")
    whole = plain.split(".")[0]
    if "," not in whole and (len(whole) > MAX_NUMBER_DIGITS or
                             (len(whole) > 1 and whole.startswith("0"))):
        return read_digits(text)
    return decimal_to_chinese(text)


def to_spoken_chinese(text: str, personal: PersonalNumbers = PersonalNumbers.OMIT) -> str:
    """A Chinese prompt with every number, date, time and amount written as words."""
    text = mask_personal_numbers(text, personal, "zh-CN")
    text = _AMOUNT_RE.sub(_amount, text)
    text = _DATE_RE.sub(_date, text)
    text = _YEAR_RE.sub(lambda m: date_to_chinese(int(m.group(1))), text)
    text = _TIME_RE.sub(_time, text)
    text = _PERCENT_RE.sub(lambda m: percent_to_chinese(m.group(1)), text)
    text = _CODE_RE.sub(_code, text)
    text = _DIGIT_GROUPS_RE.sub(lambda m: read_digits(m.group(0)).replace("-", "，"), text)
    return _DECIMAL_RE.sub(_number, text)


def _english_date(match: re.Match[str]) -> str:
    year, month, day = int(match.group(1)), int(match.group(2)), match.group(3)
    if year not in DATE_YEARS or not 1 <= month <= 12:
        return match.group(0)
    if day is None:
        return f"{_MONTHS_EN[month - 1]} {year}"
    if not 1 <= int(day) <= 31:
        return match.group(0)
    return f"{_MONTHS_EN[month - 1]} {int(day)}, {year}"


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def to_spoken_english(text: str, personal: PersonalNumbers = PersonalNumbers.OMIT) -> str:
    """An English prompt with personal numbers masked and ISO dates written out
    (2026-11-21 -> November 21, 2026); espeak-ng's English voice reads other numbers well."""
    return _DATE_RE.sub(_english_date, mask_personal_numbers(text, personal, "en"))


def to_spoken(text: str, locale: str,
              personal: PersonalNumbers = PersonalNumbers.OMIT) -> str:
    """The prompt as it should be spoken in ``locale`` (zh-CN: numbers as words; en: dates
    written out; both: personal numbers masked)."""
    if locale.startswith("zh"):
        return to_spoken_chinese(text, personal)
    return to_spoken_english(text, personal)
