"""The catalogue-wide search index (flows/wide_search.py) finds and ranks exactly what the
per-item index (`SearchIndex.score`, synonyms, near misses) finds, for every prefix of what
residents type, on the built-in catalogue (hundreds of items); and a near miss never matches
across two items."""

from __future__ import annotations

import heapq

import pytest

from flows.finding import near_miss, usage_boost
from flows.search import SearchIndex, normalise, sound_of
from flows.services import Catalogue, ServiceEntry, synonym_score
from flows.wide_search import WideIndex

TYPED = ("jhz", "jiehunzheng", "kzm", "tuixiu", "shebaojiaofei", "驾驶证", "开证明", "juzhzheng",
         "yyzz", "hukou", "居住正", "marriage", "qyns", "dwsb", "营业执照", "xyz", "社保")


def _reference(catalogue: Catalogue, query: str, usage: dict[str, int]) -> list[str]:
    """The per-item search as it was before the wide index."""
    q = normalise(query)
    if not q:
        return []
    indexes = {e.id: e.search_index() for e in catalogue.entries.values()}
    sound = sound_of(q)
    expansions = [(w, sound_of(w)) for w in catalogue.finding.expansions(q)]
    scored: list[tuple[float, str, ServiceEntry]] = []
    for entry in catalogue.entries.values():
        index: SearchIndex = indexes[entry.id]
        score = index.score(q, sound)
        for word, word_sound in expansions if not score else ():
            score = max(score, synonym_score(index.score(word, word_sound)))
        if score > 0:
            scored.append((score + usage_boost(usage.get(entry.id, 0)), entry.id, entry))
    if not scored and len(q) >= 3:
        for entry in catalogue.entries.values():
            if near_miss(q, indexes[entry.id].forms()):
                scored.append((10 + usage_boost(usage.get(entry.id, 0)), entry.id, entry))
    return [e.id for _, _, e in heapq.nsmallest(60, scored, key=lambda s: (-s[0], s[1]))]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load(check_fixtures=False)


def test_every_prefix_ranks_the_same(catalogue: Catalogue) -> None:
    usage = {"licence-mzj-marriage": 7, "social-insurance-payments": 30}
    assert len(catalogue.entries) >= 90
    for word in TYPED:
        for end in range(1, len(word) + 1):
            query = word[:end]
            wide = [e.id for e in catalogue.search(query, 60, usage)]
            assert wide == _reference(catalogue, query, usage), query


def test_a_near_miss_does_not_span_two_items() -> None:
    one = SearchIndex.build(["abcx"], [])
    two = SearchIndex.build(["yzdef"], [])
    wide = WideIndex.build([("one", one), ("two", two)])
    assert wide.near_misses("xyzd") == set()  # "x" ends one item, "yzd" begins the next
    assert wide.near_misses("abqx") == {0}
