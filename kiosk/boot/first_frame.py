"""The time of the first frame, for `kiosk bench startup`, by a file rather than the console.

`kiosk run` prints nothing on its own about frames; when ``KIOSK_FIRST_FRAME_FILE`` is set (the
benchmark sets it for the kiosk and for its bare-window floor alike), the wall-clock time of
the first frame is written there, followed by the process's CPU seconds so far (user and
system, all threads). Kept tiny so the floor imports nothing else of the kiosk.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

#: When set, the time of the first frame is written to this file.
FIRST_FRAME_FILE_ENV = "KIOSK_FIRST_FRAME_FILE"


def report_first_frame() -> bool:
    """Write the first frame's time where the benchmark asked (True when written)."""
    path = os.environ.get(FIRST_FRAME_FILE_ENV)
    if not path:
        return False
    try:
        Path(path).write_text(f"{time.time():.6f} {time.process_time():.6f}\n",
                              encoding="utf-8")
    except OSError:  # a measurement aid must never stop the kiosk
        return False
    return True
