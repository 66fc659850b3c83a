"""`kiosk bench voice`: time from `VoiceGuide.say` to a WAV ready to play, uncached and cached,
against the floor of one bare ``espeak-ng -w`` run of the same (already converted) text.

The ratio is what number-to-words conversion, hashing, the worker hop and the cache cost on
top of synthesis; the cached figure is what a resident waits for on a screen seen before.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from kiosk.voice.numbers import to_spoken
from kiosk.voice.speech import VOICES, VoiceGuide, rate_for

PROMPTS = ("请将身份证放在下方感应区，放好后请不要移动", "请选择要办理的事项",
           "本次应缴1,280.50元，请于2026-11-21 14:30前缴纳", "查询结果如下，共 25 条记录",
           "打印完成，请取走", "感谢使用，请带好随身物品")


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="kiosk bench voice", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the prompts")
    args = parser.parse_args(argv)
    floor, cold, warm = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        rate = rate_for("zh-CN", slow=False)
        for round_number in range(args.repeat):
            guide = VoiceGuide(Path(folder) / f"cache{round_number}", player=None)
            try:
                for prompt in PROMPTS:
                    spoken = to_spoken(prompt, "zh-CN")
                    start = time.perf_counter()
                    subprocess.run(["espeak-ng", "-v", VOICES["zh-CN"], "-s", str(rate), "-w",
                                    str(Path(folder) / "floor.wav"), spoken], check=True)
                    floor.append(time.perf_counter() - start)
                    for bucket in (cold, warm):  # first say synthesises, second hits the cache
                        start = time.perf_counter()
                        guide.say(prompt)
                        guide.wait_idle()
                        bucket.append(time.perf_counter() - start)
            finally:
                guide.close()
    floor_ms, cold_ms, warm_ms = (statistics.mean(x) * 1e3 for x in (floor, cold, warm))
    print(f"{len(PROMPTS)} prompts x {args.repeat}: bare espeak-ng {floor_ms:.1f} ms (floor); "
          f"say->WAV uncached {cold_ms:.1f} ms (ratio {cold_ms / floor_ms:.2f}), "
          f"cached {warm_ms:.1f} ms (ratio {warm_ms / floor_ms:.2f})")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
