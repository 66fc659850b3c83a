"""视频帮办 on the terminal: the call's state machine, pure (no Kivy, no sockets, no media).

    idle -> consent -> (declined) idle
                    -> waiting -> in_call -> ended (好差评 for the helper) -> idle
                    -> waiting -> unavailable (no staff / outside hours / console down) -> idle
    waiting -> (cancel) idle;   in_call -> (network lost) failed -> idle

The resident stays on the step they were on: the call is drawn over the current screen, and
every way out returns to it. While waiting and in the call the session's idle timeout is
paused (`SessionLifecycle.hold_idle`); its hard cap still holds. A wipe ends any call at once
and tells the link to drop every media buffer.

Messages from the console are network input: each is checked here (types, lengths, ranges)
before anything is shown; the wire protocol is /work/wt/VIDEO_PROTOCOL.md (docs/adr/0760).
The link (kiosk.adapters.video_link) calls `on_message` and `on_link_lost` on the UI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Protocol

from kiosk.core.events import log_event
from kiosk.core.session import Phase, SessionLifecycle
from kiosk.i18n import N_, _

log = logging.getLogger(__name__)

#: The longest hint the kiosk shows (the protocol's limit).
MAX_HINT_CHARS = 200
#: The longest staff name and badge shown.
MAX_NAME_CHARS = 16
MAX_BADGE_CHARS = 16
#: Texts from the console that describe hours are cut to this.
MAX_HOURS_CHARS = 40
#: The protocol's limits on what the terminal sends.
MAX_TITLE_CHARS = 128
MAX_SCREEN_TEXT_CHARS = 4000
#: The national service hotline, shown when no one can take the call.
DEFAULT_HOTLINE = "12345"


class CallPhase(StrEnum):
    """Where the resident's call for help is."""

    IDLE = "idle"
    CONSENT = "consent"
    WAITING = "waiting"
    IN_CALL = "in_call"
    ENDED = "ended"  # the call is over: 好差评 for the helper
    UNAVAILABLE = "unavailable"  # no staff, outside hours, or the console cannot be reached
    FAILED = "failed"  # the call dropped (network): told, then back on the step


ACTIVE_CALL = frozenset({CallPhase.WAITING, CallPhase.IN_CALL})


@dataclass(frozen=True, slots=True)
class Highlight:
    """A rectangle on the kiosk screen, fractions of its size, origin top-left."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True, slots=True)
class CallState:
    """Everything the call's overlay shows."""

    phase: CallPhase = CallPhase.IDLE
    share_screen: bool = False
    call_id: str = ""
    position: int = 0
    estimate_s: int = 0
    staff_name: str = ""
    staff_badge: str = ""
    hint: str = ""
    highlight: Highlight | None = None
    muted: bool = False
    #: Plain-language text for UNAVAILABLE and FAILED.
    message: str = ""
    hours: str = ""
    hotline: str = DEFAULT_HOTLINE
    #: What is shared and whether anything is recorded (the consent screen).
    recording_notice: str = ""


@dataclass(frozen=True, slots=True)
class ScreenContext:
    """Where the resident is: sent with the request and on every step change in a call."""

    service: str = ""
    service_title: str = ""
    step: str = ""
    step_title: str = ""
    text: str = ""  # visible text: sent only when the resident agreed to share the screen


@dataclass(frozen=True, slots=True)
class ScreenImage:
    """A picture of the kiosk's screens (without the call panel): RGBA bytes, bottom row
    first, as the GPU gives them."""

    rgba: bytes
    width: int
    height: int


class VideoLinkPort(Protocol):
    """The signalling and media link to the console (kiosk.adapters.video_link.VideoLink)."""

    def open(self, request: dict[str, Any]) -> None:
        """Connect and send the request; answers come back through ``on_message``."""

    def send(self, message: dict[str, Any]) -> None:
        """Send one message on the open connection (dropped when there is none)."""

    def set_muted(self, muted: bool) -> None:
        """Stop (or resume) sending the resident's sound."""

    def end_media(self) -> None:
        """End the media and drop every media buffer; keep signalling (for the 好差评)."""

    def close(self) -> None:
        """End the connection and the media; drop every media buffer."""

    def send_screenshot(self, image: ScreenImage) -> bool:
        """Send a picture of the screen to the helper (only ever called while the resident
        agrees to share the screen); False when it cannot go now (the helper's page has not
        opened its data channel yet, or a picture is still being sent)."""

    def stop_screenshots(self) -> None:
        """The resident withdrew: send no more pictures, drop any not yet sent, and tell the
        helper's page to blank the last one."""


Listener = Callable[[CallState], None]

UNAVAILABLE_TEXT = {
    "no_staff": N_("现在没有工作人员在线"),
    "outside_hours": N_("现在不在视频帮办服务时间内"),
    "console_down": N_("视频帮办暂时无法连接"),
    "disabled": N_("本终端未开通视频帮办"),
}
FAILED_TEXT = {
    "network": N_("网络中断，视频通话已结束"),
    "staff_left": N_("工作人员已离开，视频通话已结束"),
    "console": N_("视频帮办暂时无法连接，通话已结束"),
}


class VideoCall:
    """The resident's side of one 视频帮办 call at a time."""

    def __init__(self, lifecycle: SessionLifecycle, link: VideoLinkPort, *, enabled: bool,
                 queue: str, recording_notice: str = "", hours: str = "",
                 hotline: str = DEFAULT_HOTLINE, lang: Callable[[], str] = lambda: "zh") -> None:
        self.lifecycle = lifecycle
        self.link = link
        self.enabled = enabled
        self.queue = queue
        self._hours = hours
        self._hotline = hotline
        self._lang = lang
        self._notice = recording_notice
        self.state = CallState(hotline=hotline, recording_notice=recording_notice)
        self._listeners: list[Listener] = []
        self._context = ScreenContext()
        #: The helper of the call just ended (for the 好差评), kept until rated or dismissed.
        self._rated_call = ""
        lifecycle.on_wipe(self.on_wipe)

    # -- subscription ------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(state)`` on every change (on the UI thread)."""
        self._listeners.append(listener)
        listener(self.state)

    def _publish(self, **changes: Any) -> None:
        self.state = replace(self.state, **changes)
        for listener in list(self._listeners):
            listener(self.state)

    @property
    def phase(self) -> CallPhase:
        """The call's phase."""
        return self.state.phase

    # -- the resident's intents ----------------------------------------------------------------
    def ask(self, context: ScreenContext) -> None:
        """视频帮办 tapped: show what will be shared (only in a session, one call at a time)."""
        if self.lifecycle.phase not in (Phase.ACTIVE, Phase.STILL_THERE) or \
                self.phase is not CallPhase.IDLE:
            return
        self.lifecycle.touch()
        self._context = context
        if not self.enabled:
            self._unavailable("disabled")
            return
        self._publish(phase=CallPhase.CONSENT, share_screen=False, message="",
                      recording_notice=self._notice)

    def set_share_screen(self, share: bool) -> None:
        """On the consent screen: share the screen's content, or the service and step only."""
        if self.phase is CallPhase.CONSENT:
            self._publish(share_screen=share)

    def decline(self) -> None:
        """不需要: back where the resident was; nothing was sent."""
        if self.phase is CallPhase.CONSENT:
            self._idle()

    def consent(self) -> None:
        """同意并呼叫: ask the console for a helper; the idle timeout pauses."""
        if self.phase is not CallPhase.CONSENT or self.lifecycle.session is None:
            return
        self.lifecycle.hold_idle(True)
        self._publish(phase=CallPhase.WAITING, position=0, estimate_s=0)
        ctx = self._context
        request = {"type": "request", "queue": self.queue, "service": ctx.service,
                   "service_title": ctx.service_title, "step": ctx.step,
                   "step_title": ctx.step_title, "share_screen": self.state.share_screen,
                   "lang": self._lang()}
        log_event(log, "video_call_requested", queue=self.queue, service=ctx.service)
        self.link.open(request)

    def cancel(self) -> None:
        """取消 while waiting."""
        if self.phase is CallPhase.WAITING:
            self.link.send({"type": "cancel"})
            self._close("cancelled")
            self._idle()

    def end(self) -> None:
        """结束通话: the resident hangs up; then the 好差评 for the helper."""
        if self.phase is CallPhase.IN_CALL:
            self.link.send({"type": "end", "reason": "resident"})
            self._close("resident", keep_signalling=True)
            self._to_rating()
        elif self.phase is CallPhase.WAITING:
            self.cancel()

    def toggle_mute(self) -> None:
        """静音 / 取消静音 in the call."""
        if self.phase is CallPhase.IN_CALL:
            muted = not self.state.muted
            self.link.set_muted(muted)
            self._publish(muted=muted)

    def rate(self, score: int) -> None:
        """好差评 of the help (1..5), tied to the helper by the call id; back on the step."""
        if self.phase is not CallPhase.ENDED or not 1 <= score <= 5:
            return
        if self._rated_call:
            self.link.send({"type": "rating", "call_id": self._rated_call, "score": score})
            log_event(log, "video_call_rated", score=score)
        self.link.close()
        self._idle()

    def dismiss(self) -> None:
        """返回 from the unavailable, failed or rating screen: back on the step."""
        if self.phase in (CallPhase.UNAVAILABLE, CallPhase.FAILED, CallPhase.ENDED):
            self.link.close()
            self._idle()

    def stop_sharing(self) -> None:
        """停止共享页面 in the call: the helper sees the service and step names only from now
        on; no picture or text of the screen is sent any more."""
        if self.phase is CallPhase.IN_CALL and self.state.share_screen:
            self._publish(share_screen=False)
            self.link.stop_screenshots()
            self._send_screen(self._context)  # without the text: the staff page blanks it
            log_event(log, "video_share_withdrawn")

    def share_screenshot(self, image: ScreenImage) -> bool:
        """A picture of the screen for the helper: sent only in a call whose resident agreed
        to share the screen (and has not withdrawn); True when the link took it."""
        if self.phase is not CallPhase.IN_CALL or not self.state.share_screen:
            return False
        return self.link.send_screenshot(image)

    def on_screen(self, context: ScreenContext) -> None:
        """The resident moved to another step: tell the helper during a call."""
        if context == self._context:
            return
        self._context = context
        if self.phase is CallPhase.IN_CALL:
            self._send_screen(context)
            self._publish(highlight=None)

    def _send_screen(self, context: ScreenContext) -> None:
        message: dict[str, Any] = {"type": "screen", "service": context.service,
                                   "service_title": context.service_title,
                                   "step": context.step, "step_title": context.step_title}
        if self.state.share_screen:
            message["text"] = context.text
        self.link.send(message)

    # -- from the console (UI thread) ----------------------------------------------------------
    def on_message(self, message: Any) -> None:
        """One message from the console; anything malformed is logged and ignored."""
        if not isinstance(message, dict) or self.phase not in ACTIVE_CALL:
            return
        kind = message.get("type")
        try:
            handler = _HANDLERS.get(str(kind))
            if handler is None:
                raise ValueError("unknown type")
            handler(self, message)
        except (ValueError, TypeError) as exc:
            log_event(log, "video_message_refused", logging.WARNING, kind=str(kind)[:20],
                      error=str(exc)[:60])

    def on_link_lost(self, reason: str) -> None:
        """The connection could not be made ("console_down") or dropped ("network")."""
        if self.phase is CallPhase.WAITING and reason == "console_down":
            self._close("console_down")
            self._unavailable("console_down")
        elif self.phase in ACTIVE_CALL:
            self._close("network")
            self._failed("network")

    def on_wipe(self) -> None:
        """The session is wiped (timeout, hard cap, card, leave): end any call at once."""
        if self.phase in ACTIVE_CALL:
            self.link.send({"type": "end", "reason": "wiped"})
            log_event(log, "video_call_ended", reason="wiped")
        self.link.close()
        self._rated_call = ""
        self._context = ScreenContext()
        self.state = CallState(hotline=self._hotline, recording_notice=self._notice)
        self.lifecycle.hold_idle(False)
        for listener in list(self._listeners):
            listener(self.state)

    # -- handlers ------------------------------------------------------------------------------
    def _queued(self, message: dict[str, Any]) -> None:
        if self.phase is not CallPhase.WAITING:
            return
        position = _int(message.get("position"), 0, 10_000)
        estimate = _int(message.get("estimate_s"), 0, 86_400)
        self._publish(call_id=_text(message.get("call_id"), 64), position=position,
                      estimate_s=estimate)

    def _unavailable_message(self, message: dict[str, Any]) -> None:
        reason = str(message.get("reason", ""))
        if reason not in ("no_staff", "outside_hours"):
            reason = "no_staff"
        hours = _text(message.get("hours", ""), MAX_HOURS_CHARS) or self._hours
        hotline = _text(message.get("hotline", ""), 16) or self._hotline
        self._close(reason)
        self._unavailable(reason, hours=hours, hotline=hotline)

    def _accepted(self, message: dict[str, Any]) -> None:
        if self.phase is not CallPhase.WAITING:
            return
        staff = message.get("staff")
        if not isinstance(staff, dict):
            raise ValueError("no staff")
        name = _text(staff.get("name"), MAX_NAME_CHARS)
        badge = _text(staff.get("badge"), MAX_BADGE_CHARS)
        call_id = _text(message.get("call_id"), 64) or self.state.call_id
        self._rated_call = call_id
        log_event(log, "video_call_accepted")
        self._publish(phase=CallPhase.IN_CALL, call_id=call_id, staff_name=name,
                      staff_badge=badge, hint="", highlight=None, muted=False)
        self._send_screen(self._context)  # the helper sees where the resident is at once

    def _hint(self, message: dict[str, Any]) -> None:
        if self.phase is CallPhase.IN_CALL:
            self._publish(hint=_text(message.get("text"), MAX_HINT_CHARS))

    def _highlight(self, message: dict[str, Any]) -> None:
        if self.phase is not CallPhase.IN_CALL:
            return
        x, y = _fraction(message.get("x")), _fraction(message.get("y"))
        w, h = _fraction(message.get("w")), _fraction(message.get("h"))
        if w <= 0 or h <= 0:
            self._publish(highlight=None)  # an empty rectangle takes the highlight away
            return
        self._publish(highlight=Highlight(x, y, min(w, 1 - x), min(h, 1 - y)))

    def _ended(self, message: dict[str, Any]) -> None:
        reason = str(message.get("reason", "staff"))
        if self.phase is CallPhase.WAITING:
            self._close(reason)
            self._unavailable("no_staff")
        elif reason in ("staff_left", "console"):
            self._close(reason)
            self._failed(reason)
        else:
            self._close(reason, keep_signalling=True)
            self._to_rating()

    def _offer(self, message: dict[str, Any]) -> None:
        """The media offer is the link's business (it answers before handing this on)."""

    # -- internals -----------------------------------------------------------------------------
    def _close(self, reason: str, keep_signalling: bool = False) -> None:
        log_event(log, "video_call_ended", reason=reason)
        if keep_signalling:
            self.link.end_media()
        else:
            self.link.close()
        self.lifecycle.hold_idle(False)
        self.lifecycle.touch()

    def _idle(self) -> None:
        self._rated_call = ""
        self._publish(phase=CallPhase.IDLE, call_id="", position=0, estimate_s=0, staff_name="",
                      staff_badge="", hint="", highlight=None, muted=False, message="")

    def _to_rating(self) -> None:
        self._publish(phase=CallPhase.ENDED, hint="", highlight=None, muted=False)

    def _unavailable(self, reason: str, hours: str = "", hotline: str = "") -> None:
        self._publish(phase=CallPhase.UNAVAILABLE, message=_(UNAVAILABLE_TEXT[reason]),
                      hours=hours or self._hours, hotline=hotline or self._hotline, hint="",
                      highlight=None)

    def _failed(self, reason: str) -> None:
        self._publish(phase=CallPhase.FAILED, message=_(FAILED_TEXT[reason]), hint="",
                      highlight=None, hours=self._hours, hotline=self._hotline)


_HANDLERS: dict[str, Callable[[VideoCall, dict[str, Any]], None]] = {
    "queued": VideoCall._queued,
    "unavailable": VideoCall._unavailable_message,
    "accepted": VideoCall._accepted,
    "offer": VideoCall._offer,
    "hint": VideoCall._hint,
    "highlight": VideoCall._highlight,
    "ended": VideoCall._ended,
}


def screen_context(state: Any, service_id: str = "") -> ScreenContext:
    """Where the resident is, from the controller's UiState: the service and step, and the
    step's visible text (sent only when the resident agreed to share the screen). Ids follow
    the protocol's limits: 1-64 of ``[A-Za-z0-9_.:-]``; titles at most 128 characters."""
    view = getattr(state, "view", None)
    screen = _wire_id(str(getattr(state, "screen", "")), "home")
    if view is None or getattr(state, "screen", "") != "step":
        title = str(getattr(state, "service_title", ""))[:MAX_TITLE_CHARS]
        return ScreenContext(screen, title, screen, screen)
    parts = [view.title, view.body, view.error]
    parts += [f"{f.label}: {f.value}" for f in view.fields]
    parts += [o.label for o in view.options]
    parts += [a.label for a in view.actions]
    text = "\n".join(str(p) for p in parts if p)[:MAX_SCREEN_TEXT_CHARS]
    title = view.service_title or str(getattr(state, "service_title", ""))
    return ScreenContext(_wire_id(service_id, "service"), title[:MAX_TITLE_CHARS],
                         _wire_id(view.step_id, "step"), view.title[:MAX_TITLE_CHARS], text)


def _wire_id(value: str, fallback: str) -> str:
    """An id the console accepts (``[A-Za-z0-9_.:-]{1,64}``), else ``fallback``."""
    cleaned = "".join(ch for ch in value if ch.isascii() and (ch.isalnum() or ch in "_.:-"))
    return cleaned[:64] or fallback


def _text(value: Any, limit: int) -> str:
    """A short single-line text from the network (control characters and markup removed)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError("not text")
    cleaned = "".join(ch for ch in value if ch.isprintable() and ch not in "[]")
    return cleaned.strip()[:limit]


def _int(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("not a number")
    return max(low, min(high, int(value)))


def _fraction(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise TypeError("not a number")
    return max(0.0, min(1.0, float(value)))
