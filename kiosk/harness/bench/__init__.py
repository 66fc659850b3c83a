"""`kiosk bench NAME`: benchmarks that print their figures and a ratio against a floor measured
in the same run (never a timed test). Each benchmark is a module with ``main(argv) -> int``.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS: dict[str, str] = {
    "startup": "process start to the first attract frame, against a bare Kivy window",
    "idcard": "full ID card read through the simulator at 115200 baud, against the wire time",
    "flows": "engine overhead per transition; certificate rendering against bare reportlab",
    "print": "render + submit one certificate; receipt byte generation",
    "soak": "N journeys headless: RSS, open files and threads at start and end",
    "updates": "verify and activate a 5 MB bundle; bytes fetched by an idle poll",
    "rollout": "staged-rollout step to activation; signing a 500-terminal stage; the 300 s sum",
    "bundles": "time to refuse each hostile flow bundle, against a good bundle's check",
    "smartcard": "card insert to identity read, through pcscd",
    "camera": "preview pump fps and CPU; face-to-capture time; document capture per page",
    "platform": "a resident's platform calls against the sandbox, against a bare health call",
    "hostile": "platform client vs a hostile server: stuck-call end time, peak RSS vs 1 GB",
    "pinyin": "pinyin lexicon load; candidates per keystroke, against a bare dictionary lookup",
    "voice": "prompt to WAV, uncached and cached, against a bare espeak-ng run",
    "stop": "SIGTERM/SIGINT to process end of kiosk run, against a bare python process",
    "console": "N simulated terminals' heartbeats into the console (SQLite and PostgreSQL)",
    "video": "视频帮办 call: accept to first frame drawn, fps, CPU, latency; floor without Kivy",
    "catalogue": "catalogue load, lint, search per keystroke, home drawn: 23 vs hundreds of items",
    "stats": "统计 page over a year of 1,000 terminals (SQLite and PostgreSQL): render, size",
    "memory": "UI process RSS at attract and after N sessions, against a bare window's",
    "touch": "touch to next screen drawn over the tour's journeys, against a bare screen swap",
}


def main(argv: list[str]) -> int:
    """Run the named benchmark."""
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: kiosk bench NAME [options]\n\nbenchmarks:")
        for name, text in BENCHMARKS.items():
            print(f"  {name:<10} {text}")
        return 0 if argv else 2
    name = argv[0]
    if name not in BENCHMARKS:
        print(f"kiosk bench: unknown benchmark {name!r}; one of {', '.join(BENCHMARKS)}",
              file=sys.stderr)
        return 2
    try:
        module = importlib.import_module(f"kiosk.harness.bench.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"kiosk.harness.bench.{name}":
            print(f"kiosk bench: {name!r} is not available in this build", file=sys.stderr)
            return 2
        raise
    return int(module.main(argv[1:]) or 0)
