"""`kiosk bench pinyin`: lexicon load time and time per keystroke of the pinyin engine.

Load: building the compact lexicon from Pinyin2Hanzi's JSON (first start), loading it from the
marshal cache (every later start), against Pinyin2Hanzi's own loader (``DefaultDagParams()``)
as the floor. Lookup: `kiosk.input.pinyin.candidates` for every prefix of a list of typed words
(as a resident types them, letter by letter), against the floor of one bare dictionary lookup
(``DefaultDagParams.get_phrase``) per input. The ratio is what splitting, unfinished syllables,
the sentence guess and ranking cost on top.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from kiosk.input.dictionary import load_lexicon
from kiosk.input.pinyin import candidates, split_syllables

WORDS = ("beijing", "shanghai", "zhangsan", "wangxiaoming", "shenfenzheng", "xi'an",
         "shebaoka", "woyaobanlishebaoka", "jiaotongdaxue", "lvshi", "zhongguorenmin")


def _prefixes() -> list[str]:
    return [word[:end] for word in WORDS for end in range(1, len(word) + 1)]


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="kiosk bench pinyin", description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="passes over all inputs")
    args = parser.parse_args(argv)

    from Pinyin2Hanzi import DefaultDagParams

    start = time.perf_counter()
    floor_params = DefaultDagParams()
    floor_load = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        load_lexicon(Path(folder))
        cold = time.perf_counter() - start
        start = time.perf_counter()
        lexicon = load_lexicon(Path(folder))
        warm = time.perf_counter() - start
    print(f"load: Pinyin2Hanzi {floor_load * 1e3:.0f} ms (floor); ours first start "
          f"{cold * 1e3:.0f} ms, from cache {warm * 1e3:.0f} ms "
          f"(ratio cached/floor {warm / floor_load:.2f})")

    inputs = _prefixes()
    keys = []
    for text in inputs:
        splits = split_syllables(text, lexicon)
        keys.append(list(splits[0].syllables) if splits else [text])
    for text in inputs:  # warm the per-prefix completion cache, as a session would
        candidates(text, lexicon)
    ours, floor = [], []
    for _ in range(args.repeat):
        for text, key in zip(inputs, keys, strict=True):
            start = time.perf_counter()
            candidates(text, lexicon)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            floor_params.get_phrase(key, num=12)
            floor.append(time.perf_counter() - start)
    ours_ms = statistics.mean(ours) * 1e3
    floor_ms = statistics.mean(floor) * 1e3
    p95 = sorted(ours)[int(len(ours) * 0.95)] * 1e3
    print(f"per keystroke ({len(inputs)} inputs x {args.repeat}): candidates mean "
          f"{ours_ms:.3f} ms, p95 {p95:.3f} ms, max {max(ours) * 1e3:.3f} ms; "
          f"bare lookup {floor_ms:.4f} ms (floor); ratio {ours_ms / floor_ms:.0f}")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
