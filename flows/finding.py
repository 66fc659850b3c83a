"""Finding one item among hundreds: themes, departments and synonyms (``themes.yaml`` at the
catalogue root), and the ranking of search hits by how often residents at this terminal
completed each item (local counts only: item id -> number, nothing about anyone).

`Finding.load(root)` never raises: an unreadable file gives no themes and a problem.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from flows.search import full_pinyin, initials, normalise
from flows.yamlsource import Problem

THEMES_FILE = "themes.yaml"
#: Who an item is for: 个人办事 (person) or 法人办事 (enterprise); the default is person.
PERSON, ENTERPRISE = "person", "enterprise"
AUDIENCES = (PERSON, ENTERPRISE)
#: Where an item with no theme is listed.
OTHER_THEME = "综合服务"


@dataclass(frozen=True, slots=True)
class Placement:
    """The themes, department and audience of one hand-written service."""

    themes: tuple[str, ...] = ()
    department: str = ""
    audience: str = "person"  # person (个人办事) | enterprise (法人办事)


@dataclass(frozen=True, slots=True)
class Finding:
    """Themes in display order, placements of hand-written services, synonyms."""

    themes: tuple[str, ...] = ()
    services: Mapping[str, Placement] = field(default_factory=dict)
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    _by_sound: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False,
                                                   compare=False)

    @classmethod
    def load(cls, root: Path) -> Finding:
        """Read ``root/themes.yaml`` (none: no themes, no synonyms)."""
        path = root / THEMES_FILE
        if not path.exists():
            return cls()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            themes = tuple(str(t) for t in data.get("themes") or ())
            services = {str(k): Placement(tuple(str(t) for t in (v or {}).get("themes") or ()),
                                          str((v or {}).get("department") or ""),
                                          str((v or {}).get("audience") or PERSON))
                        for k, v in (data.get("services") or {}).items()}
            synonyms = {normalise(str(k)): tuple(normalise(str(w)) for w in v or ())
                        for k, v in (data.get("synonyms") or {}).items()}
        except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError, TypeError):
            return cls(problems=(Problem(str(path), 1, "themes file unreadable"),))
        problems = tuple(Problem(str(path), 1, f"service {sid!r}: theme {t!r} is not listed "
                                               "in themes")
                         for sid, p in services.items() for t in p.themes if t not in themes)
        problems += tuple(Problem(str(path), 1, f"service {sid!r}: audience must be person or "
                                                "enterprise")
                          for sid, p in services.items() if p.audience not in AUDIENCES)
        return cls(themes, services, synonyms, problems)

    def expansions(self, query: str) -> tuple[str, ...]:
        """What else to search for when a resident types ``query`` (normalised): a synonym's
        key in Chinese, in full pinyin or in initials (开证明, kaizhengming, kzm)."""
        found = self.synonyms.get(query)
        if found is not None:
            return found
        if not self._by_sound and self.synonyms:  # built on first use: pinyin loads slowly
            for key, words in self.synonyms.items():
                for sound in (full_pinyin(key), initials(key)):
                    if len(sound) >= 3:  # two initials say too little
                        self._by_sound[sound] = self._by_sound.get(sound, ()) + words
        return self._by_sound.get(query, ())


def usage_boost(count: int) -> float:
    """How much local completions lift an item within its match tier (never past the next)."""
    return min(9.0, 3.0 * math.log10(1 + max(0, count)))


@lru_cache(maxsize=256)
def near_miss_pattern(query: str) -> re.Pattern[str] | None:
    """A pattern finding ``query`` with one character wrong (length >= 3) or one left out
    (length >= 4): 居住正 ~ 居住证, juzhzheng ~ juzhuzheng. None for shorter queries."""
    n = len(query)
    if n < 3:
        return None
    wrong = [re.escape(query[:i]) + "[^\x00]" + re.escape(query[i + 1:]) for i in range(n)]
    missing = [re.escape(query[:i]) + "[^\x00]" + re.escape(query[i:]) for i in range(1, n)]
    return re.compile("|".join(wrong + (missing if n >= 4 else [])))


def near_miss(query: str, haystack: str) -> bool:
    """Whether ``query`` occurs in ``haystack`` with one character wrong or left out."""
    pattern = near_miss_pattern(query)
    return pattern is not None and pattern.search(haystack) is not None
