"""The pinyin dictionary: Pinyin2Hanzi's data (MIT) loaded into a compact `Lexicon`.

Pinyin2Hanzi ships ``dag_char.json`` (syllable -> characters with scores) and
``dag_phrase.json`` (syllables joined by commas -> words with scores, 141,947 keys). Loaded as
JSON they take ~0.6 s and ~100 MB; we keep only what the keyboard shows (the best 400
characters per syllable and 12 words per syllable sequence, simplified characters (GB2312)
first) as ``"word:score|word:score"`` strings, and cache that with `marshal` in ``cache_dir``:
later loads take ~0.04 s and ~30 MB (docs/adr/0184-pinyin-dictionary.md).

I/O lives here; the engine (`kiosk.input.pinyin`) is pure and takes any `Lexicon`.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import tempfile
import threading
from pathlib import Path

from kiosk.input.pinyin import SCORE_SCALE, Lexicon

#: Characters kept per syllable and words kept per syllable sequence.
MAX_CHARS_PER_SYLLABLE = 400
MAX_WORDS_PER_KEY = 12
_FORMAT_VERSION = "1"

_lock = threading.Lock()
_shared: list[Lexicon] = []


def _data_dir() -> Path:
    import Pinyin2Hanzi

    return Path(Pinyin2Hanzi.__file__).resolve().parent / "data"


def _is_simplified(word: str) -> bool:
    try:
        word.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _compact(raw: dict[str, list[list[object]]], limit: int) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, items in raw.items():
        common = [(str(w), float(s)) for w, s in items if _is_simplified(str(w))]  # type: ignore[arg-type]
        rare = [(str(w), float(s)) for w, s in items if not _is_simplified(str(w))]  # type: ignore[arg-type]
        kept = (common + rare)[:limit]
        out[key] = "|".join(f"{w}:{round(s * SCORE_SCALE)}" for w, s in kept)
    return out


def _source_tag(data: Path) -> str:
    parts = [_FORMAT_VERSION]
    for name in ("dag_char.json", "dag_phrase.json"):
        stat = (data / name).stat()
        parts.append(f"{name}:{stat.st_size}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def build_tables(data: Path | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """Read Pinyin2Hanzi's JSON and return the compact (characters, phrases) tables."""
    data = data or _data_dir()
    with (data / "dag_char.json").open(encoding="utf-8") as handle:
        chars = _compact(json.load(handle), MAX_CHARS_PER_SYLLABLE)
    with (data / "dag_phrase.json").open(encoding="utf-8") as handle:
        phrases = _compact(json.load(handle), MAX_WORDS_PER_KEY)
    return chars, phrases


def load_lexicon(cache_dir: Path | None = None) -> Lexicon:
    """The lexicon, from the marshal cache in ``cache_dir`` when fresh, else built (and cached)."""
    data = _data_dir()
    tag = _source_tag(data)
    cache = Path(cache_dir) / f"pinyin-lexicon-{tag}.marshal" if cache_dir else None
    if cache is not None and cache.exists():
        try:
            chars, phrases = marshal.loads(cache.read_bytes())
            return Lexicon(chars, phrases)
        except (OSError, ValueError, EOFError, TypeError):
            pass
    chars, phrases = build_tables(data)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=cache.parent, delete=False,
                                             suffix=".part") as handle:
                handle.write(marshal.dumps((chars, phrases)))
            os.replace(handle.name, cache)
        except OSError:
            pass
    return Lexicon(chars, phrases)


def shared_lexicon(cache_dir: Path | None = None) -> Lexicon:
    """One lexicon per process (thread-safe); call from a worker at start-up to warm it."""
    with _lock:
        if not _shared:
            _shared.append(load_lexicon(cache_dir))
        return _shared[0]
