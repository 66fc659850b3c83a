"""One search index for the whole catalogue: every item's forms, tier by tier, joined into one
string per tier, so a keystroke is one substring scan per tier over all items instead of six
substring tests per item (and the near-miss pattern one regex scan instead of one per item).

Scores are those of `flows.search.SearchIndex.score` (the per-item index stays the reference;
tests/flows/test_wide_search_ranks_like_the_item_index.py compares the two).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from flows.search import _CJK_RE, _SEP, _TIER_SCORES, HOMOPHONE_PENALTY, SearchIndex

#: Between two items in a joined tier (never in a query: a match cannot span two items).
_ITEM_SEP = "\x01"


@lru_cache(maxsize=256)
def near_miss_pattern(query: str) -> re.Pattern[str] | None:
    """`flows.finding.near_miss_pattern` whose wildcard never crosses from one item into the
    next."""
    n = len(query)
    if n < 3:
        return None
    any_char = "[^\x00\x01]"
    wrong = [re.escape(query[:i]) + any_char + re.escape(query[i + 1:]) for i in range(n)]
    missing = [re.escape(query[:i]) + any_char + re.escape(query[i:]) for i in range(1, n)]
    return re.compile("|".join(wrong + (missing if n >= 4 else [])))


@dataclass(frozen=True, slots=True)
class WideIndex:
    """The tiers of every item, in catalogue order."""

    ids: tuple[str, ...]
    tiers: tuple[str, ...]  # six strings: tier t of every item, each item ended by _ITEM_SEP
    starts: tuple[tuple[int, ...], ...]  # per tier: where each item's part begins
    titles: dict[str, tuple[int, ...]]  # an exact title -> the items carrying it
    forms: str  # tiers 0-3 of every item (the near-miss pass), items ended by _ITEM_SEP
    forms_starts: tuple[int, ...]

    @classmethod
    def build(cls, items: Sequence[tuple[str, SearchIndex]]) -> WideIndex:
        """Join the indexes of ``items`` (id, index)."""
        tiers, starts = [], []
        for t in range(6):
            parts, offsets, at = [], [], 0
            for _, index in items:
                offsets.append(at)
                part = index.joined[t] + _ITEM_SEP
                parts.append(part)
                at += len(part)
            tiers.append("".join(parts))
            starts.append(tuple(offsets))
        titles: dict[str, list[int]] = {}
        for i, (_, index) in enumerate(items):
            for title in index.titles:
                titles.setdefault(title, []).append(i)
        parts, offsets, at = [], [], 0
        for _, index in items:
            offsets.append(at)
            part = index.forms() + _ITEM_SEP
            parts.append(part)
            at += len(part)
        return cls(tuple(i for i, _ in items), tuple(tiers), tuple(starts),
                   {k: tuple(v) for k, v in titles.items()}, "".join(parts), tuple(offsets))

    def scores(self, query: str, sound: str = "") -> dict[int, int]:
        """Item position -> score for ``query`` (normalised), as `SearchIndex.score` gives."""
        found: dict[int, int] = {}
        if not query or _SEP in query or _ITEM_SEP in query:
            return found
        for i in self.titles.get(query, ()):
            found[i] = 100
        self._scan(self.tiers[0], self.starts[0], _SEP + query, 90, found)
        for score, haystack, starts in zip(_TIER_SCORES, self.tiers, self.starts, strict=True):
            self._scan(haystack, starts, query, score, found)
        if sound and _CJK_RE.search(query):
            homophones: dict[int, int] = {}
            self._scan(self.tiers[2], self.starts[2], sound, 60 - HOMOPHONE_PENALTY, homophones)
            self._scan(self.tiers[3], self.starts[3], sound, 50 - HOMOPHONE_PENALTY, homophones)
            for i, score in homophones.items():
                found.setdefault(i, score)
        return found

    def near_misses(self, query: str) -> set[int]:
        """Items whose Chinese or pinyin forms hold ``query`` with one character wrong
        (length >= 3) or left out (length >= 4), as `flows.finding.near_miss` finds them.

        One wrong or extra character leaves one half of ``query`` whole, so only the items
        holding either half are tried with the (slow, many-branched) pattern."""
        pattern = near_miss_pattern(query)
        if pattern is None:
            return set()
        half = len(query) // 2
        candidates: dict[int, int] = {}
        for part in (query[:half], query[half:]):
            self._scan(self.forms, self.forms_starts, part, 1, candidates)
        ends = (*self.forms_starts[1:], len(self.forms))
        return {i for i in candidates
                if pattern.search(self.forms, self.forms_starts[i], ends[i]) is not None}

    @staticmethod
    def _scan(haystack: str, starts: tuple[int, ...], needle: str, score: int,
              found: dict[int, int]) -> None:
        """Give ``score`` to every item containing ``needle`` that has no better score yet."""
        at = haystack.find(needle)
        while at >= 0:
            item = bisect_right(starts, at) - 1
            if found.get(item, 0) < score:
                found[item] = score
            # the next item: one hit per item is enough
            at = haystack.find(needle, starts[item + 1] if item + 1 < len(starts) else len(
                haystack))
