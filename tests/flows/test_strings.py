"""The engine's own words exist in every language, and placeholders match across languages."""

from __future__ import annotations

import string

from flows.strings import LOCALES, STRINGS, say


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_engine_string_in_every_language() -> None:
    for key, entry in STRINGS.items():
        assert set(entry) == set(LOCALES), key
        assert all(entry[loc].strip() for loc in LOCALES), key
        assert _fields(entry["zh-CN"]) == _fields(entry["en"]), key


def test_say_fills_and_falls_back() -> None:
    assert say("result.case_number", "en", value="C1") == "Case number: C1"
    assert say("result.case_number", "fr", value="C1") == "办件编号：C1"
