"""The catalogue's pinyin keys, computed once outside the kiosk process and read from a file.

pypinyin's dictionaries cost the kiosk process ~55 MB and their phrase dictionary was most of
the objects a full garbage collection walked. The search needs pinyin for two things: the
catalogue's own texts (titles, keywords, synonyms: fixed per catalogue) and a Chinese query's
sound (同音字: 居住正 finds 居住证). So the keys of every catalogue text, and the toneless
reading and initial of every Chinese character, are computed by ``python -m flows.pinyin_keys``
(a child process, the only one that imports pypinyin) and kept in a JSON file named by the
hash of the texts (docs/adr/0785-attract-frame-first.md).

With keys installed (`flows.search.use_keys`) a catalogue text gets exactly pypinyin's answer;
any other text (a query) is read character by character with pypinyin's reading of each
character alone, which can differ from pypinyin's phrase reading only for a word with a
polyphonic character that is in no catalogue text.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flows.services import Catalogue

#: Bumped when the file's layout or the way keys are computed changes.
FORMAT_VERSION = 1
#: The Chinese characters a query may hold (CJK extension A and the unified block).
CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF))


@dataclass(frozen=True, slots=True)
class PinyinKeys:
    """Full pinyin and initials of known texts, and of every Chinese character alone."""

    texts: dict[str, tuple[str, str]] = field(default_factory=dict)
    chars: dict[str, tuple[str, str]] = field(default_factory=dict)

    def full(self, text: str) -> str:
        """Toneless pinyin joined (as `flows.search.full_pinyin`)."""
        known = self.texts.get(text)
        if known is not None:
            return known[0]
        return "".join(self.chars.get(c, (c, c))[0] for c in text)

    def initials(self, text: str) -> str:
        """Pinyin initials (as `flows.search.initials`)."""
        known = self.texts.get(text)
        if known is not None:
            return known[1]
        return "".join(self.chars.get(c, (c, c))[1] for c in text)

    def to_json(self) -> str:
        """The file's content."""
        return json.dumps({"format": FORMAT_VERSION,
                           "texts": {t: list(v) for t, v in self.texts.items()},
                           "chars": "".join(f"{c}{v[0]},{v[1]};" for c, v in
                                            self.chars.items())},
                          ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, content: str) -> PinyinKeys:
        """Read a file written by `to_json` (ValueError when it is not one)."""
        data = json.loads(content)
        if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
            raise ValueError("not a pinyin keys file of this version")
        texts = {str(t): (str(v[0]), str(v[1])) for t, v in data["texts"].items()}
        chars: dict[str, tuple[str, str]] = {}
        for item in str(data["chars"]).split(";"):
            if item:
                full, _, initial = item[1:].partition(",")
                chars[item[0]] = (full, initial)
        return cls(texts, chars)


def catalogue_texts(catalogue: Catalogue) -> set[str]:
    """Every text the search reads as pinyin: titles and keywords (normalised, as
    `flows.search.SearchIndex.build` indexes them), synonyms and what they expand to."""
    from flows.search import normalise

    texts: set[str] = set()
    for entry in catalogue.entries.values():
        if entry.definition is not None:
            raw = [*entry.definition.title.values(), *entry.definition.keywords]
        else:
            raw = list(entry.fallback_title.values())
        texts.update(normalise(x) for x in raw if x)
    for key, words in catalogue.finding.synonyms.items():
        texts.add(key)
        texts.update(words)
    return texts


def texts_hash(texts: Iterable[str]) -> str:
    """The name of the keys file for these texts (and this format)."""
    digest = hashlib.sha256(f"pinyin-keys {FORMAT_VERSION}\n".encode())
    for text in sorted(set(texts)):
        digest.update(text.encode("utf-8") + b"\n")
    return digest.hexdigest()[:32]


def compute(texts: Iterable[str]) -> PinyinKeys:
    """The keys, by pypinyin (imported here: call it in the child process, not the kiosk)."""
    from pypinyin import Style, lazy_pinyin

    def full(text: str) -> str:
        from flows.search import normalise

        return normalise("".join(lazy_pinyin(text, errors="default")))

    def first(text: str) -> str:
        from flows.search import normalise

        return normalise("".join(lazy_pinyin(text, style=Style.FIRST_LETTER,
                                             errors="default")))

    known = {t: (full(t), first(t)) for t in sorted(set(texts))}
    chars = {}
    for low, high in CJK_RANGES:
        for code in range(low, high + 1):
            c = chr(code)
            f, i = full(c), first(c)
            if f != c:  # a character pypinyin cannot read stays as it is
                chars[c] = (f, i)
    return PinyinKeys(known, chars)


def main(argv: list[str]) -> int:
    """``python -m flows.pinyin_keys OUT``: texts as a JSON list on stdin, keys to OUT."""
    if len(argv) != 1:
        print("usage: python -m flows.pinyin_keys OUT < texts.json", file=sys.stderr)
        return 2
    texts = [str(t) for t in json.load(sys.stdin)]
    out = Path(argv[0])
    partial = out.with_name(out.name + ".partial")
    partial.write_text(compute(texts).to_json(), encoding="utf-8")
    partial.replace(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
