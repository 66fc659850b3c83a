"""`kiosk run`: start the kiosk full screen.

Order matters for a fast first frame: configuration and logging, then the window, then the
attract screen; devices, the embedded sandbox and the catalogue come up meanwhile. Where there
is no display, the kiosk starts its own Xvfb (see README) so it can be seen with a VNC viewer
or `kiosk run --screenshot`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from kiosk.boot.resources import FONT_PATH
from kiosk.boot.settings import ConfigError
from kiosk.boot.settings_plain import load_for_run

XVFB_DISPLAY = ":99"


def _ensure_display(headless: bool) -> subprocess.Popen[bytes] | None:
    """Start Xvfb when there is no display (unless ``headless`` asks for SDL offscreen)."""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    if headless or not shutil.which("Xvfb"):
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
        return None
    proc = subprocess.Popen(["Xvfb", XVFB_DISPLAY, "-screen", "0", "1920x1080x24", "-nolisten",
                             "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.environ["DISPLAY"] = XVFB_DISPLAY
    time.sleep(0.5)
    print(f"kiosk: no display found; started Xvfb on {XVFB_DISPLAY} (1920x1080).\n"
          f"  To see it: x11vnc -display {XVFB_DISPLAY} (then a VNC viewer), or\n"
          f"  `DISPLAY={XVFB_DISPLAY} xwd -root -silent | convert xwd:- screen.png`.",
          file=sys.stderr)
    return proc


def main(argv: list[str]) -> int:
    """Start the kiosk; returns when it is stopped."""
    parser = argparse.ArgumentParser(prog="kiosk run", description="start the kiosk")
    parser.add_argument("--site", type=Path, help="site file (default: config/site.toml)")
    parser.add_argument("--headless", action="store_true",
                        help="render offscreen (SDL) instead of starting Xvfb")
    parser.add_argument("--size", help="window size WxH (default: the display's)")
    parser.add_argument("--exit-after-first-frame", action="store_true",
                        help=argparse.SUPPRESS)  # used by `kiosk bench startup`
    parser.add_argument("--screenshot", type=Path,
                        help="write a PNG of the screen every 5 seconds to this path")
    args = parser.parse_args(argv)
    try:
        settings = load_for_run(site_file=args.site)  # validated once (ADR 0816)
    except ConfigError as exc:
        print(f"kiosk: configuration error:\n{exc}", file=sys.stderr)
        return 2
    if not FONT_PATH.is_file():
        print(f"kiosk: the bundled font is missing: {FONT_PATH}\n"
              "  Restore it from the repository (git checkout -- assets/fonts).", file=sys.stderr)
        return 2
    width = height = 0
    if args.size:
        try:
            width, height = (int(v) for v in args.size.lower().split("x"))
        except ValueError:
            print(f"kiosk: --size expects WxH such as 1920x1080, got {args.size!r}",
                  file=sys.stderr)
            return 2
    xvfb = _ensure_display(args.headless or args.exit_after_first_frame)
    code = 1
    try:
        from kiosk.boot.launcher import launch

        code = launch(settings, width or settings.display.width,
                      height or settings.display.height,
                      exit_after_first_frame=args.exit_after_first_frame,
                      screenshot=args.screenshot, site_file=args.site)
    finally:
        if xvfb is not None:
            xvfb.terminate()
    from kiosk.ui.stopping import end_process

    end_process(code)  # a stop must not wait for the interpreter's teardown (ADR 0431)
