"""The session lifecycle: a pure state machine with an injected clock (no Kivy, no I/O but
deleting the session's own temporary files).

    attract -> active -> still-there countdown -> wiping -> attract
    active -> (a service ends) ask to continue, short countdown -> wiping -> attract
    attract <-> out_of_service;   attract -> technician -> wiping -> attract

Everything personal about one resident lives in one `SessionData`; every path back to attract
goes through `wipe()`, which empties it, deletes its files and forgets the redactor's strings,
then drops it. The UI rebuilds its screens from the `on_wipe` hooks.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from kiosk.core.privacy import REDACTOR, Redactor


class Ask(StrEnum):
    """Why the still-there countdown runs."""

    IDLE = "idle"  # no touch for the idle timeout: 您还在吗？
    CONTINUE = "continue"  # a service just ended: 还要办理其他事项吗？


class Phase(StrEnum):
    """Where the terminal is."""

    ATTRACT = "attract"
    ACTIVE = "active"
    STILL_THERE = "still_there"
    WIPING = "wiping"
    OUT_OF_SERVICE = "out_of_service"
    TECHNICIAN = "technician"


IN_SESSION = frozenset({Phase.ACTIVE, Phase.STILL_THERE, Phase.TECHNICIAN})


@dataclass(frozen=True, slots=True)
class SessionTiming:
    """Timeouts, each with its unit and reason."""

    #: No touch for this long during a session asks "还在吗？" (resident may have walked away).
    idle_timeout_seconds: float = 60.0
    #: The "still there?" countdown; at zero the session is wiped.
    still_there_countdown_seconds: float = 20.0
    #: No session lasts longer than this, whatever the activity (a forgotten session must end).
    hard_cap_seconds: float = 900.0
    #: When a service ends (after the rating), "continue?" is asked at once with this short
    #: countdown: a resident who has walked away is wiped in seconds, not after the idle time.
    after_service_countdown_seconds: float = 10.0


@dataclass(eq=False)
class SessionData:
    """Everything personal about the current resident. Dropped and emptied at wipe."""

    session_id: str
    started_at: float
    temp_dir: Path
    resident: Any = None  # an identity record (drivers.identity.Identity)
    resident_token: str = ""
    display_name: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # flow runs, answers, results
    files: list[Path] = field(default_factory=list)

    def new_temp_file(self, suffix: str) -> Path:
        """A path for a captured image or temporary PDF, deleted at wipe."""
        path = self.temp_dir / f"{uuid.uuid4().hex}{suffix}"
        self.files.append(path)
        return path

    def wipe(self) -> None:
        """Delete the files and forget every personal value."""
        for path in self.files:
            path.unlink(missing_ok=True)
        self.files.clear()
        shutil.rmtree(self.temp_dir, ignore_errors=True)
        self.values.clear()
        self.resident = None
        self.resident_token = ""
        self.display_name = ""

    @property
    def wiped(self) -> bool:
        """True when nothing personal is left in this object or on disk."""
        return (self.resident is None and not self.resident_token and not self.display_name
                and not self.values and not self.files and not self.temp_dir.exists())


PhaseListener = Callable[[Phase, Phase, str], None]


class SessionLifecycle:
    """The state machine. Call `tick()` regularly (the UI does every second)."""

    def __init__(self, timing: SessionTiming, clock: Callable[[], float], temp_root: Path,
                 redactor: Redactor = REDACTOR) -> None:
        self.timing = timing
        self._clock = clock
        self._temp_root = temp_root
        self._redactor = redactor
        self.phase = Phase.ATTRACT
        self.session: SessionData | None = None
        self._last_activity = 0.0
        self._still_there_since = 0.0
        self.ask = Ask.IDLE
        self._service_available = True
        self._idle_held = False
        self._listeners: list[PhaseListener] = []
        self._wipe_hooks: list[Callable[[], object]] = []
        self.sessions_started = 0

    # -- subscriptions -------------------------------------------------------------------
    def on_change(self, listener: PhaseListener) -> None:
        """Call ``listener(old, new, reason)`` on every phase change."""
        self._listeners.append(listener)

    def on_wipe(self, hook: Callable[[], object]) -> None:
        """Call ``hook()`` during every wipe (rebuild screens, clear inputs)."""
        self._wipe_hooks.append(hook)

    # -- intents -----------------------------------------------------------------------------
    def start(self, reason: str = "touch") -> SessionData | None:
        """Begin a session from attract; ignored in any other phase (returns the session)."""
        if self.phase is not Phase.ATTRACT:
            return self.session
        self.session = self._new_session("s-")
        self.sessions_started += 1
        self._set(Phase.ACTIVE, reason)
        return self.session

    def touch(self) -> None:
        """The resident did something: reset the idle timer, leave the countdown."""
        if self.phase in (Phase.ACTIVE, Phase.STILL_THERE, Phase.TECHNICIAN):
            self._last_activity = self._clock()
            if self.phase is Phase.STILL_THERE:
                self._set(Phase.ACTIVE, "still_here")

    def end(self, reason: str = "finished") -> None:
        """End the session now (finished, home after the last step, card removed...)."""
        if self.phase in IN_SESSION:
            self._wipe(reason)

    def hold_idle(self, held: bool) -> None:
        """Pause (True) or resume (False) the idle timeout, e.g. during a 视频帮办 call:
        the resident is busy without touching. The hard cap still holds; a wipe resumes."""
        self._idle_held = held
        self._last_activity = self._clock()

    @property
    def idle_held(self) -> bool:
        """True while the idle timeout is paused."""
        return self._idle_held

    def ask_to_continue(self) -> None:
        """A service has ended: ask at once whether to continue, with the short countdown;
        no answer wipes the session (a touch answers "continue")."""
        if self.phase is Phase.ACTIVE:
            self._still_there_since = self._clock()
            self.ask = Ask.CONTINUE
            self._set(Phase.STILL_THERE, "service_done")

    def enter_technician(self) -> None:
        """Enter technician mode (from attract or out of service only)."""
        if self.phase in (Phase.ATTRACT, Phase.OUT_OF_SERVICE):
            self.session = self._new_session("t-")
            self._set(Phase.TECHNICIAN, "technician")

    def set_service_available(self, available: bool, reason: str = "") -> None:
        """Devices/services usable or not; out of service shows only between sessions."""
        self._service_available = available
        if not available and self.phase is Phase.ATTRACT:
            self._set(Phase.OUT_OF_SERVICE, reason or "nothing usable")
        elif available and self.phase is Phase.OUT_OF_SERVICE:
            self._set(Phase.ATTRACT, reason or "recovered")

    def tick(self) -> None:
        """Apply the timeouts against the clock."""
        if self.session is None or self.phase not in IN_SESSION:
            return
        now = self._clock()
        if now - self.session.started_at >= self.timing.hard_cap_seconds:
            self._wipe("hard_cap")
        elif self._idle_held and self.phase is Phase.ACTIVE:
            self._last_activity = now
        elif self.phase is Phase.ACTIVE:
            if now - self._last_activity >= self.timing.idle_timeout_seconds:
                self._still_there_since = now
                self.ask = Ask.IDLE
                self._set(Phase.STILL_THERE, "idle")
        elif self.phase is Phase.STILL_THERE:
            if now - self._still_there_since >= self._countdown_total():
                self._wipe("timeout" if self.ask is Ask.IDLE else "service_done_timeout")
        elif self.phase is Phase.TECHNICIAN and \
                now - self._last_activity >= self.timing.idle_timeout_seconds * 5:
            self._wipe("technician_idle")

    # -- queries -----------------------------------------------------------------------------
    def remaining_seconds(self) -> float:
        """Seconds until this session ends if nothing happens (for the header)."""
        if self.session is None:
            return 0.0
        now = self._clock()
        cap = self.session.started_at + self.timing.hard_cap_seconds - now
        if self.phase is Phase.STILL_THERE:
            idle = self._still_there_since + self._countdown_total() - now
        else:
            idle = (self._last_activity + self.timing.idle_timeout_seconds
                    + self.timing.still_there_countdown_seconds - now)
        return max(0.0, min(cap, idle))

    def countdown_seconds(self) -> float:
        """Seconds left on the still-there countdown (0 outside it)."""
        if self.phase is not Phase.STILL_THERE:
            return 0.0
        left = self._still_there_since + self._countdown_total() - self._clock()
        return max(0.0, left)

    def _countdown_total(self) -> float:
        """The length of the countdown now running (idle or after a service)."""
        if self.ask is Ask.CONTINUE:
            return self.timing.after_service_countdown_seconds
        return self.timing.still_there_countdown_seconds

    # -- internals ---------------------------------------------------------------------------
    def _new_session(self, prefix: str) -> SessionData:
        self._temp_root.mkdir(parents=True, exist_ok=True)
        now = self._clock()
        self._last_activity = now
        return SessionData(session_id=uuid.uuid4().hex, started_at=now,
                           temp_dir=Path(tempfile.mkdtemp(prefix=prefix, dir=self._temp_root)))

    def _wipe(self, reason: str) -> None:
        self._idle_held = False
        self._set(Phase.WIPING, reason)
        session, self.session = self.session, None
        if session is not None:
            session.wipe()
        self._redactor.clear()
        for hook in list(self._wipe_hooks):
            hook()
        shutil.rmtree(self._temp_root, ignore_errors=True)
        self._set(Phase.ATTRACT if self._service_available else Phase.OUT_OF_SERVICE, reason)

    def _set(self, phase: Phase, reason: str) -> None:
        old, self.phase = self.phase, phase
        if old is not phase:
            for listener in list(self._listeners):
                listener(old, phase, reason)
