"""Clean stops: SIGTERM (systemd stop) and SIGINT (Ctrl+C) end the kiosk within two seconds in
every profile (docs/adr/0431-clean-stops.md).

The signal handler only records the signal; the UI loop notices it within `POLL_SECONDS` and
stops the app from the Kivy thread. SDL is told not to install its own handlers (they turn the
signals into a window-close request, which the locked window refuses: the site kiosk used to
ignore SIGTERM that way). `install` must run before the window exists.

What is in flight is safe by construction: every submission is journaled before it is sent
(kiosk.ops.outbox) and every print before it is printed (kiosk.printing.journal), so the start-up
reconciliation settles whatever a stop interrupts. The stop wipes the session (the resident's
temporary files go), lets the worker finish its current call for a short grace, closes the
devices, and exits even if a call or a device does not let go: `end_process` flushes the logs
and leaves with os._exit, skipping the interpreter's teardown of every module (two seconds and
more on a busy two-core terminal) and any thread still blocked in a call.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from kiosk.core.events import log_event

log = logging.getLogger(__name__)

#: How often the UI loop looks for a recorded signal.
POLL_SECONDS = 0.1
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class SignalStop:
    """Records SIGTERM/SIGINT and stops the app from the UI loop."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._stopping = False

    def install(self) -> None:
        """Take SIGTERM and SIGINT (main thread, before the SDL window is created)."""
        os.environ["SDL_NO_SIGNAL_HANDLERS"] = "1"  # SDL hint, read at SDL_Init
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._record)

    def _record(self, signum: int, _frame: Any) -> None:
        # Runs between two bytecodes of the main thread: record only, never touch Kivy here.
        if self.signum is None:
            self.signum = signum

    @property
    def requested(self) -> bool:
        """True once a stop signal arrived."""
        return self.signum is not None

    @property
    def exit_code(self) -> int:
        """0 after SIGTERM (an ordinary stop), 130 after SIGINT (as for Ctrl+C), else 0."""
        return 130 if self.signum == signal.SIGINT else 0

    def watch(self, stop: Callable[[], None]) -> None:
        """Poll from the Kivy clock; call ``stop`` once, on the UI thread, after a signal."""
        from kivy.clock import Clock

        def check(_dt: float) -> bool:
            if self.signum is None or self._stopping:
                return True
            self._stopping = True
            log_event(log, "stop_signal", signal=signal.Signals(self.signum).name)
            stop()
            return False
        Clock.schedule_interval(check, POLL_SECONDS)


def end_process(code: int) -> NoReturn:
    """Flush the logs and standard streams, then leave at once with ``code``.

    Everything durable is already written (journals commit before they return); what is left
    is the interpreter's teardown, which a stop does not wait for."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
