"""Pinyin input for Chinese text fields: split letters into syllables, offer candidate words,
page through them, commit one.

Workflow: the resident types letters (``zhangsan``); `split_syllables` finds the likely
syllable splits (zhang'san; the last syllable may be unfinished: ``beij`` -> bei'j…);
`candidates` lists words covering the whole input first (张三), then a best-guess sentence for
long input, then words for the first syllables only (张 章 长…) so a name can be built piece
by piece. `PinyinInput` holds one field's state: typed letters, committed text, the page of
candidates. Choosing a candidate appends it to the text and removes the letters it used.

Pure: no I/O, no Kivy. The dictionary (`Lexicon`) comes from `kiosk.input.dictionary`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

#: Letters a resident can type; ' separates syllables (xi'an).
LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
SEPARATOR = "'"
#: Longest composition accepted (letters and separators).
MAX_COMPOSITION = 32
#: Splits considered per input, and candidates kept in total.
MAX_SPLITS = 4
MAX_CANDIDATES = 60
#: Syllable completions tried for an unfinished last syllable, and words taken from each.
MAX_COMPLETIONS = 24
WORDS_PER_COMPLETION = 12
#: Lexicon scores are integers: probability * SCORE_SCALE.
SCORE_SCALE = 1_000_000
#: The hundred or so commonest family names; a name field offers them first for its first
#: character (zhang: 张 before 章 长).
COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤")
#: Pinyin2Hanzi spells ü as v and üe as ve (jve, xve): residents type jue, xue, lüe as lue.
_UE_INITIALS = ("j", "q", "x", "y", "l", "n")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A word to commit: ``consumed`` letters of the composition (separators included)."""

    text: str
    consumed: int
    syllables: tuple[str, ...]


class Lexicon:
    """Syllable -> characters and syllable sequence -> words, each ``"word:score|..."``."""

    def __init__(self, chars: Mapping[str, str], phrases: Mapping[str, str]) -> None:
        self._chars = chars
        self._phrases = phrases
        #: Real syllables only: the data also keys lone initials (g, zh) and odd spellings.
        self.syllables: frozenset[str] = frozenset(
            s for s in chars if s.isascii() and s.isalpha() and any(v in s for v in "aeiouv"))
        typed = {s: s for s in self.syllables}
        for syllable in self.syllables:
            if syllable.endswith("ve") and syllable[:-2] in _UE_INITIALS:
                typed[syllable[:-2] + "ue"] = syllable
        #: What a resident types -> the dictionary's spelling.
        self.spellings: dict[str, str] = typed
        self._by_prefix: dict[str, tuple[str, ...]] = {}

    def words(self, syllables: tuple[str, ...],
              limit: int = MAX_CANDIDATES) -> list[tuple[str, int]]:
        """Up to ``limit`` words for exactly these syllables (dictionary spelling), best first."""
        if not syllables:
            return []
        table = self._chars if len(syllables) == 1 else self._phrases
        entry = table.get(",".join(syllables), "")
        if not entry:
            return []
        out = []
        for item in entry.split("|", limit)[:limit]:
            word, _, score = item.rpartition(":")
            out.append((word, int(score)))
        return out

    def completions(self, prefix: str) -> tuple[str, ...]:
        """Typed syllables starting with ``prefix``, shortest first (zh -> zha zhe zhi…)."""
        found = self._by_prefix.get(prefix)
        if found is None:
            found = tuple(sorted((s for s in self.spellings if s.startswith(prefix)),
                                 key=lambda s: (len(s), s)))
            self._by_prefix[prefix] = found
        return found


@dataclass(frozen=True, slots=True)
class Split:
    """One way to read the letters: syllables as typed, and whether the last is unfinished."""

    syllables: tuple[str, ...]
    partial: bool  # the last syllable is only a prefix (beij -> bei + j…)
    spans: tuple[int, ...]  # composition index where each syllable ends (after separators)


def _clean(composition: str) -> str:
    return "".join(c for c in composition.lower() if c in LETTERS or c == SEPARATOR)


def split_syllables(composition: str, lexicon: Lexicon) -> list[Split]:
    """Likely ways to split ``composition`` into syllables, best first (fewest syllables,
    then complete before unfinished). ``'`` forces a boundary."""
    text = _clean(composition)
    spellings = lexicon.spellings

    @cache
    def from_index(start: int) -> tuple[tuple[tuple[str, ...], bool, tuple[int, ...]], ...]:
        while start < len(text) and text[start] == SEPARATOR:
            start += 1
        if start >= len(text):
            return (((), False, ()),)
        results: list[tuple[tuple[str, ...], bool, tuple[int, ...]]] = []
        end = start
        while end < len(text) and text[end] != SEPARATOR:
            end += 1
        for stop in range(min(end, start + 6), start, -1):
            piece = text[start:stop]
            if piece in spellings:
                after = stop
                while after < len(text) and text[after] == SEPARATOR:
                    after += 1
                for rest, partial, spans in from_index(stop):
                    results.append(((piece, *rest), partial, (after, *spans)))
            elif stop == end and lexicon.completions(piece):
                after = stop
                while after < len(text) and text[after] == SEPARATOR:
                    after += 1
                if after >= len(text):  # an unfinished syllable can only come last
                    results.append(((piece,), True, (after,)))
        results.sort(key=lambda r: (len(r[0]) + (0.5 if r[1] else 0)))
        return tuple(results[:MAX_SPLITS * 2])

    splits = [Split(s, p, e) for s, p, e in from_index(0) if s]
    return splits[:MAX_SPLITS]


def _spelled(syllables: Iterable[str], lexicon: Lexicon) -> tuple[str, ...]:
    return tuple(lexicon.spellings[s] for s in syllables)


def _sentence(syllables: tuple[str, ...], lexicon: Lexicon) -> str:
    """The most probable chain of words covering every syllable (Viterbi over word scores:
    one two-character word, ~0.2, beats two characters, ~0.1 x 0.1)."""
    n = len(syllables)
    best: list[tuple[float, str] | None] = [None] * (n + 1)
    best[0] = (1.0, "")
    for end in range(1, n + 1):
        for start in range(max(0, end - 6), end):
            previous = best[start]
            if previous is None:
                continue
            words = lexicon.words(syllables[start:end], 1)
            if not words:
                continue
            word, score = words[0]
            value = previous[0] * score / SCORE_SCALE
            current = best[end]
            if current is None or value > current[0]:
                best[end] = (value, previous[1] + word)
    final = best[n]
    return final[1] if final else ""


def _prefer(found: list[Candidate], preferred: frozenset[str]) -> list[Candidate]:
    """Single characters in ``preferred`` move ahead of other single characters; words stay."""
    slots = [i for i, c in enumerate(found) if len(c.text) == 1]
    singles = [found[i] for i in slots]
    ordered = [c for c in singles if c.text in preferred] + \
        [c for c in singles if c.text not in preferred]
    result = list(found)
    for slot, candidate in zip(slots, ordered, strict=True):
        result[slot] = candidate
    return result


def candidates(composition: str, lexicon: Lexicon,
               prefer: frozenset[str] = frozenset()) -> list[Candidate]:
    """Candidate words for ``composition``, best first; each says how many letters it uses.
    Single characters in ``prefer`` (e.g. COMMON_SURNAMES) come before other characters."""
    text = _clean(composition)
    seen: set[str] = set()
    whole: list[tuple[bool, int, Candidate]] = []
    sentences: list[Candidate] = []
    prefixes: list[tuple[int, int, Candidate]] = []
    splits = split_syllables(text, lexicon)
    for rank, split in enumerate(splits):
        syllables, spans = split.syllables, split.spans
        n = len(syllables)
        full = syllables[:-1] if split.partial else syllables
        spelled = _spelled(full, lexicon)
        if split.partial:
            for completion in lexicon.completions(syllables[-1])[:MAX_COMPLETIONS]:
                key = (*spelled, lexicon.spellings[completion])
                for word, score in lexicon.words(key, WORDS_PER_COMPLETION):
                    whole.append((True, score, Candidate(word, spans[-1], (*full, completion))))
        else:
            for word, score in lexicon.words(spelled):
                whole.append((False, score, Candidate(word, spans[-1], syllables)))
            if n >= 3 and rank == 0 and not lexicon.words(spelled):
                sentence = _sentence(spelled, lexicon)
                if sentence:
                    sentences.append(Candidate(sentence, spans[-1], syllables))
        for length in range(len(full) - (0 if split.partial else 1), 0, -1):
            for word, score in lexicon.words(spelled[:length], WORDS_PER_COMPLETION):
                prefixes.append((length, score, Candidate(word, spans[length - 1],
                                                          syllables[:length])))
    # Complete readings first (zhang: 章 长 张 before zhan'g…: 战国), then by score.
    ordered = [c for _p, _s, c in sorted(whole, key=lambda item: (item[0], -item[1]))]
    ordered += sentences
    ordered += [c for _l, _s, c in sorted(prefixes, key=lambda item: (-item[0], -item[1]))]
    out: list[Candidate] = []
    for candidate in ordered:
        if candidate.text not in seen:
            seen.add(candidate.text)
            out.append(candidate)
            if len(out) >= MAX_CANDIDATES:
                break
    return _prefer(out, prefer) if prefer else out


class PinyinInput:
    """One Chinese text field: typed letters, committed text and the candidate pages."""

    def __init__(self, lexicon: Lexicon, page_size: int = 8, value: str = "",
                 max_length: int = 64, names: bool = False) -> None:
        """``names``: a name field: family names first while the field is empty."""
        self._lexicon = lexicon
        self._names = names
        self.page_size = max(1, page_size)
        self.value = value
        self.composition = ""
        self.max_length = max_length
        self.page = 0
        self._candidates: list[Candidate] = []

    # -- what to show --------------------------------------------------------------------------
    @property
    def candidates(self) -> list[Candidate]:
        """All candidates for the current letters."""
        return self._candidates

    @property
    def pages(self) -> int:
        """Number of candidate pages (0 when nothing is typed)."""
        return -(-len(self._candidates) // self.page_size)

    @property
    def page_candidates(self) -> list[Candidate]:
        """The candidates on the current page."""
        start = self.page * self.page_size
        return self._candidates[start:start + self.page_size]

    @property
    def display(self) -> str:
        """The letters as syllables (zhang'san), for the composition bar."""
        splits = split_syllables(self.composition, self._lexicon)
        if not splits:
            return self.composition
        return SEPARATOR.join(splits[0].syllables)

    # -- what the resident does ------------------------------------------------------------------
    def type(self, letter: str) -> bool:
        """Add a letter (or ``'``); False when refused (not a letter, or too long)."""
        letter = letter.lower()
        if (letter not in LETTERS and letter != SEPARATOR) or \
                len(self.composition) >= MAX_COMPOSITION:
            return False
        if letter == SEPARATOR and (not self.composition or self.composition.endswith(SEPARATOR)):
            return False
        self.composition += letter
        self._refresh()
        return True

    def backspace(self) -> None:
        """Remove the last typed letter, or the last committed character when none is typed."""
        if self.composition:
            self.composition = self.composition[:-1]
            self._refresh()
        else:
            self.value = self.value[:-1]

    def clear(self) -> None:
        """Clear the letters and the text."""
        self.composition = ""
        self.value = ""
        self._refresh()

    def choose(self, index: int) -> str | None:
        """Commit candidate ``index`` of the current page; returns the committed word."""
        page = self.page_candidates
        if not 0 <= index < len(page):
            return None
        candidate = page[index]
        room = self.max_length - len(self.value)
        if room <= 0:
            return None
        word = candidate.text[:room]
        self.value += word
        self.composition = self.composition[candidate.consumed:].lstrip(SEPARATOR)
        self._refresh()
        return word

    def next_page(self) -> bool:
        """Show the next page of candidates; False on the last page."""
        if self.page + 1 < self.pages:
            self.page += 1
            return True
        return False

    def previous_page(self) -> bool:
        """Show the previous page; False on the first."""
        if self.page > 0:
            self.page -= 1
            return True
        return False

    def _refresh(self) -> None:
        prefer = COMMON_SURNAMES if self._names and not self.value else frozenset()
        self._candidates = candidates(self.composition, self._lexicon, prefer) \
            if self.composition else []
        self.page = 0
