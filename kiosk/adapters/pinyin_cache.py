"""The catalogue's pinyin keys on disk, computed by a child process: the kiosk never loads
pypinyin (docs/adr/0785-attract-frame-first.md).

`ensure_keys` reads ``cache_dir/<hash of the catalogue's texts>.json``; when there is none (a
new terminal, a new bundle just activated) it runs ``python -m flows.pinyin_keys`` once, which
writes it. Anything going wrong leaves the search as it was (pypinyin in this process) and is
logged: the search never stops working because of its cache.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

from flows.pinyin_keys import PinyinKeys, catalogue_texts, texts_hash
from flows.search import use_keys
from flows.services import Catalogue
from kiosk import REPO_ROOT
from kiosk.core.events import log_event

log = logging.getLogger(__name__)
#: The child process computing the keys gets this long (about 2 s on an idle terminal).
COMPUTE_LIMIT_SECONDS = 120.0
#: Keys shared by every data folder of this installation: the built-in catalogue's are written
#: here at set-up (scripts/setup.sh), so a fresh data folder (a test, a new terminal) finds them.
SHARED_DIR = REPO_ROOT / "var" / "cache" / "pinyin"


def keys_file(catalogue: Catalogue, cache_dir: Path) -> Path:
    """Where the keys of ``catalogue`` are kept."""
    return cache_dir / f"{texts_hash(catalogue_texts(catalogue))}.json"


def compute_keys_file(texts: set[str], out: Path) -> None:
    """Run the child process that writes the keys of ``texts`` to ``out`` (raises on failure)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "flows.pinyin_keys", str(out)],
                   input=json.dumps(sorted(texts), ensure_ascii=False), text=True,
                   capture_output=True, check=True, timeout=COMPUTE_LIMIT_SECONDS)


def ensure_keys(catalogue: Catalogue, cache_dir: Path) -> PinyinKeys | None:
    """The keys of ``catalogue`` (computed once per content), installed for the search; None
    when they could not be had (the search then reads pinyin with pypinyin, as before)."""
    texts = catalogue_texts(catalogue)
    name = f"{texts_hash(texts)}.json"
    path = cache_dir / name
    try:
        if not path.is_file() and (SHARED_DIR / name).is_file():
            path = SHARED_DIR / name
        elif not path.is_file():
            compute_keys_file(texts, path)
            log_event(log, "pinyin_keys_computed", texts=len(texts))
        keys = PinyinKeys.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError, IndexError,
            subprocess.SubprocessError) as exc:
        log_event(log, "pinyin_keys_unavailable", logging.WARNING, error=type(exc).__name__)
        return None
    use_keys(keys)
    return keys


def main(argv: list[str]) -> int:
    """``python -m kiosk.adapters.pinyin_cache [CATALOGUE]``: write the keys of the built-in
    catalogue (or CATALOGUE) into the shared folder (scripts/setup.sh runs it)."""
    root = Path(argv[0]) if argv else REPO_ROOT / "flows" / "catalogue"
    catalogue = Catalogue.load(root, check_fixtures=False)
    texts = catalogue_texts(catalogue)
    out = SHARED_DIR / f"{texts_hash(texts)}.json"
    if not out.is_file():
        compute_keys_file(texts, out)
    print(f"pinyin keys of {len(texts)} texts: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
