"""Catalogue search by Chinese, English, full pinyin and pinyin initials ("sbjf" finds 社保缴费).

Each service gets a small index on the first search: its titles and keywords, each also as full
pinyin without tones ("shebaojiaofei") and as initials ("sbjf"). A query matches by substring;
results are ranked title before keyword, Chinese before full pinyin before initials.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_NOISE_RE = re.compile(r"[\s'’·\-_]+")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
#: A Chinese query also matches the pinyin of titles (a homophone typed by mistake), this much
#: below its direct tiers.
HOMOPHONE_PENALTY = 25


def normalise(text: str) -> str:
    """Lower case without spaces, apostrophes or dashes (so "She Bao" == "shebao")."""
    return _NOISE_RE.sub("", text).lower()


def full_pinyin(text: str) -> str:
    """Toneless pinyin of ``text`` joined together: 社保缴费 -> shebaojiaofei."""
    from pypinyin import lazy_pinyin  # loaded on first search, not at start-up

    return normalise("".join(lazy_pinyin(text, errors="default")))


def initials(text: str) -> str:
    """Pinyin initials of ``text``: 社保缴费 -> sbjf (other characters kept as they are)."""
    from pypinyin import Style, lazy_pinyin

    return normalise("".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")))


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """The searchable forms of one service's names, strongest first."""

    titles: tuple[str, ...]
    keywords: tuple[str, ...]
    title_pinyin: tuple[str, ...]
    keyword_pinyin: tuple[str, ...]
    title_initials: tuple[str, ...]
    keyword_initials: tuple[str, ...]

    @classmethod
    def build(cls, titles: Iterable[str], keywords: Iterable[str]) -> SearchIndex:
        """Index ``titles`` (any language) and ``keywords``."""
        t = tuple(normalise(x) for x in titles if x)
        k = tuple(normalise(x) for x in keywords if x)
        return cls(t, k, tuple(full_pinyin(x) for x in t), tuple(full_pinyin(x) for x in k),
                    tuple(initials(x) for x in t), tuple(initials(x) for x in k))

    def score(self, query: str) -> int:
        """0 when ``query`` (normalised) does not match; higher is a better match. A Chinese
        query that matches nothing directly is tried by its pinyin (同音字: 居住正 -> 居住证)."""
        direct = self._score(query)
        if direct or not _CJK_RE.search(query):
            return direct
        sound = full_pinyin(query)
        for score, haystack in ((60, self.title_pinyin), (50, self.keyword_pinyin)):
            if any(sound in h for h in haystack):
                return score - HOMOPHONE_PENALTY
        return 0

    def forms(self) -> tuple[str, ...]:
        """Every searchable form (for the near-miss pass)."""
        return self.titles + self.keywords + self.title_pinyin + self.keyword_pinyin

    def _score(self, query: str) -> int:
        if not query:
            return 0
        if query in self.titles:
            return 100
        if any(t.startswith(query) for t in self.titles):
            return 90
        tiers: tuple[tuple[int, tuple[str, ...]], ...] = (
            (80, self.titles), (70, self.keywords), (60, self.title_pinyin),
            (50, self.keyword_pinyin), (40, self.title_initials), (30, self.keyword_initials),
        )
        for score, haystack in tiers:
            if any(query in h for h in haystack):
                return score
        return 0
