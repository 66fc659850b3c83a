"""Catalogue search by Chinese, English, full pinyin and pinyin initials ("sbjf" finds 社保缴费).

Each service gets a small index on the first search: its titles and keywords, each also as full
pinyin without tones ("shebaojiaofei") and as initials ("sbjf"). A query matches by substring;
results are ranked title before keyword, Chinese before full pinyin before initials.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flows.pinyin_keys import PinyinKeys

_NOISE_RE = re.compile(r"[\s'’·\-_]+")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
#: A Chinese query also matches the pinyin of titles (a homophone typed by mistake), this much
#: below its direct tiers.
HOMOPHONE_PENALTY = 25


def normalise(text: str) -> str:
    """Lower case without spaces, apostrophes or dashes (so "She Bao" == "shebao")."""
    return _NOISE_RE.sub("", text).lower()


#: Precomputed keys (flows.pinyin_keys) when installed: pypinyin is then never imported.
_keys: list[PinyinKeys] = []


def use_keys(keys: PinyinKeys | None) -> None:
    """Read pinyin from ``keys`` from now on (None: from pypinyin again)."""
    _keys[:] = [keys] if keys is not None else []
    full_pinyin.cache_clear()
    initials.cache_clear()


def keys_in_use() -> PinyinKeys | None:
    """The installed keys, if any."""
    return _keys[0] if _keys else None


def _pypinyin_loaded() -> bool:
    """A text missing from the keys is read with pypinyin when this process has it loaded
    anyway (tools, tests: exact phrase readings), else character by character (the kiosk)."""
    return "pypinyin" in sys.modules


@lru_cache(maxsize=16384)
def full_pinyin(text: str) -> str:
    """Toneless pinyin of ``text`` joined together: 社保缴费 -> shebaojiaofei."""
    keys = _keys[0] if _keys else None
    if keys is not None and (text in keys.texts or not _pypinyin_loaded()):
        return normalise(keys.full(text))
    from pypinyin import lazy_pinyin  # only without precomputed keys (tools, tests)

    return normalise("".join(lazy_pinyin(text, errors="default")))


@lru_cache(maxsize=16384)
def initials(text: str) -> str:
    """Pinyin initials of ``text``: 社保缴费 -> sbjf (other characters kept as they are)."""
    keys = _keys[0] if _keys else None
    if keys is not None and (text in keys.texts or not _pypinyin_loaded()):
        return normalise(keys.initials(text))
    from pypinyin import Style, lazy_pinyin

    return normalise("".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")))


def sound_of(query: str) -> str:
    """The pinyin a Chinese query is also tried by ("" for a query without Chinese)."""
    return full_pinyin(query) if _CJK_RE.search(query) else ""


#: Joins the forms of one tier into one string, so that a tier is one substring test.
_SEP = "\x00"
#: Score of each tier of `SearchIndex.joined`, in order.
_TIER_SCORES = (80, 70, 60, 50, 40, 30)


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """The searchable forms of one service's names, strongest first."""

    titles: tuple[str, ...]
    keywords: tuple[str, ...]
    title_pinyin: tuple[str, ...]
    keyword_pinyin: tuple[str, ...]
    title_initials: tuple[str, ...]
    keyword_initials: tuple[str, ...]
    #: each tier above as one string, every form preceded by a separator (a substring test per
    #: tier, and "separator + query" tests a prefix)
    joined: tuple[str, ...] = ()

    @classmethod
    def build(cls, titles: Iterable[str], keywords: Iterable[str]) -> SearchIndex:
        """Index ``titles`` (any language) and ``keywords``."""
        t = tuple(normalise(x) for x in titles if x)
        k = tuple(normalise(x) for x in keywords if x)
        tiers = (t, k, tuple(full_pinyin(x) for x in t), tuple(full_pinyin(x) for x in k),
                 tuple(initials(x) for x in t), tuple(initials(x) for x in k))
        return cls(*tiers, joined=tuple("".join(_SEP + form for form in tier) for tier in tiers))

    def score(self, query: str, sound: str | None = None) -> int:
        """0 when ``query`` (normalised) does not match; higher is a better match. A Chinese
        query that matches nothing directly is tried by its pinyin (同音字: 居住正 -> 居住证);
        ``sound`` is that pinyin when the caller already has it (`sound_of`)."""
        if not query or _SEP in query:
            return 0
        if query in self.titles:
            return 100
        joined = self.joined
        if _SEP + query in joined[0]:
            return 90
        for score, haystack in zip(_TIER_SCORES, joined, strict=True):
            if query in haystack:
                return score
        if not _CJK_RE.search(query):
            return 0
        sound = full_pinyin(query) if sound is None else sound
        if sound and sound in joined[2]:
            return 60 - HOMOPHONE_PENALTY
        if sound and sound in joined[3]:
            return 50 - HOMOPHONE_PENALTY
        return 0

    def forms(self) -> str:
        """Every searchable form in Chinese and pinyin as one string (for the near-miss pass)."""
        return "".join(self.joined[:4])
