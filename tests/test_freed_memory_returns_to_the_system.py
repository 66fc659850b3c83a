"""The UI process kept the peak of its busiest session: glibc raises its mmap threshold each time
a large block is freed, so later large blocks (textures, images, PDFs) come from the heap, and
a small block left above them keeps the freed space from going back to the system. After
`kiosk.ops.collector.tune_allocator` (called after the first frame, docs/adr/0817) large blocks
are mapped on their own and unmapped when freed, whatever was freed before."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from kiosk import REPO_ROOT

SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from kiosk.ops.collector import tune_allocator

    def rss_mb():
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

    tuned = tune_allocator() if sys.argv[1] == "tuned" else None
    first = bytearray(8 << 20)  # one large block freed: glibc would raise its threshold now
    del first
    base = rss_mb()
    big, pins = [], []
    for _ in range(150):  # a busy session: large blocks, each with a small one kept after it
        big.append(bytearray(1 << 20))
        pins.append(bytearray(600))
    peak = rss_mb()
    del big
    print(tuned, round(peak - base), round(rss_mb() - base))
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_large_blocks_go_back_when_freed_after_tuning() -> None:
    def run(mode: str) -> list[str]:
        done = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True,
                              text=True, timeout=120,
                              env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.split()

    tuned, peak, kept = run("tuned")
    assert tuned == "True"
    assert int(peak) >= 140  # the blocks were really there
    assert int(kept) < 20, f"kept {kept} MB of a {peak} MB peak after freeing"
    _, untuned_peak, untuned_kept = run("plain")
    # what the kiosk did before: the freed blocks stay in the process
    assert int(untuned_kept) > int(kept), (untuned_peak, untuned_kept)
