"""The signalling hub of one console process: terminals and staff browsers meet here.

State lives in this process only (sockets cannot move between processes); the database holds
the record of every call (records.py), so any process can list them. How several console
processes share the service is in docs/adr/0751-video-hub-one-process.md.

All methods run on the server's event loop; each one changes the state before it awaits
anything (the database, a send), so two events never see a half-made change.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from kiosk.console.models import User
from kiosk.console.settings import ConsoleSettings
from kiosk.console.video import queue, records
from kiosk.console.video.hours import StaffHours, hours_for
from kiosk.console.video.messages import (
    Answer,
    Cancel,
    Highlight,
    Hint,
    Offer,
    Rating,
    Request,
    Screen,
    Screenshot,
    StaffEnd,
    TakeNext,
    TerminalEnd,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
#: Screenshots closer together than this are dropped (the protocol allows 1 per second).
SCREENSHOT_MIN_INTERVAL_S = 0.9

BUSY = "您正在通话中，请先结束当前通话再接听下一位。"
NOTHING_WAITING = "当前没有排队的群众。"
NOT_YOURS = "找不到您接听的这通电话，可能已经结束。"


class Peer(Protocol):
    """One end of a WebSocket, as the hub uses it."""

    async def send(self, message: dict[str, Any]) -> None:
        """Send one message; a gone peer is not an error (its reader ends the link)."""

    async def close(self, code: int) -> None:
        """Close the socket."""


@dataclass(eq=False)
class TerminalLink:
    """A connected terminal."""

    terminal_id: str
    district: str
    site: str
    peer: Peer
    call: Call | None = None


@dataclass(eq=False)
class StaffLink:
    """A connected staff browser (one user may have several; one call per user)."""

    user_id: int
    username: str
    name: str
    badge: str
    queues: frozenset[str] | None
    peer: Peer
    call: Call | None = None


@dataclass(eq=False)
class Call:
    """A call from its request to its end."""

    id: str
    terminal: TerminalLink
    request: Request
    waiting_since: float
    staff: StaffLink | None = None
    screen: dict[str, Any] = field(default_factory=dict)
    last_screenshot: float = 0.0
    accepted_since: float = 0.0
    ended: bool = False
    #: The (position, estimate) last sent to the terminal.
    told: tuple[int, int] = (0, 0)

    @property
    def queue(self) -> str:
        """The queue the resident asked for."""
        return self.request.queue


class Hub:
    """Queues, calls and the routing of messages between terminals and staff."""

    def __init__(self, sessions: sessionmaker[Session], settings: ConsoleSettings,
                 clock: Callable[[], datetime], monotonic: Callable[[], float] = time.monotonic
                 ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock
        self._monotonic = monotonic
        self.waiting: dict[str, Call] = {}
        self.staff: list[StaffLink] = []
        self.handle_seconds = settings.video_default_handle_seconds

    # ----------------------------------------------------------------- database, in a thread
    async def _db(self, work: Callable[[Session], T]) -> T:
        def run() -> T:
            with self._sessions() as db:
                result = work(db)
                db.commit()
                return result

        return await asyncio.to_thread(run)

    async def start(self) -> None:
        """Close the records a previous run left open; learn the recent handling time."""
        moment = self._clock()
        orphans = await self._db(lambda db: records.end_orphans(db, moment))
        if orphans:
            log.warning("video: %d calls left open by a previous run closed", orphans)
        default = self._settings.video_default_handle_seconds
        self.handle_seconds = await self._db(
            lambda db: records.average_handle_seconds(db, default))

    async def stop(self) -> None:
        """The console is stopping: every live call and waiting resident is told."""
        calls = list(self.waiting.values()) + [s.call for s in self.staff if s.call]
        for call in calls:
            await self._finish(call, "console", terminal_reason="console", staff_reason="")

    # ----------------------------------------------------------------- terminal side
    async def terminal_message(self, link: TerminalLink, message: Any) -> None:
        """Route one parsed message from a terminal."""
        call = link.call
        if isinstance(message, Request):
            await self._request(link, message)
        elif isinstance(message, Rating):
            score = message.score
            stored = await self._db(lambda db: records.rate(db, message.call_id,
                                                            link.terminal_id, score))
            if not stored:
                log.info("video: rating for an unknown or unanswered call ignored")
        elif call is None:
            return
        elif isinstance(message, Cancel):
            await self._finish(call, "cancelled" if call.staff is None else "resident",
                               terminal_reason="", staff_reason="resident")
        elif isinstance(message, TerminalEnd):
            await self._finish(call, message.reason, terminal_reason="",
                               staff_reason=message.reason)
        elif isinstance(message, Answer):
            if call.staff is not None:
                await call.staff.peer.send({"type": "answer", "call_id": call.id,
                                            "sdp": message.sdp})
        elif isinstance(message, Screen):
            # fields the terminal left out (a service title on a step change) stay as they
            # were; the text is only ever this message's own, and only if shared
            sent = message.model_dump(exclude_unset=True, exclude_none=True)
            screen = {**call.screen, **sent, "type": "screen"}
            screen.pop("text", None)
            if call.request.share_screen and "text" in sent:
                screen["text"] = sent["text"]
            call.screen = screen
            if call.staff is not None:
                await call.staff.peer.send({**screen, "call_id": call.id})
        elif isinstance(message, Screenshot):
            now = self._monotonic()
            if (call.request.share_screen and call.staff is not None
                    and now - call.last_screenshot >= SCREENSHOT_MIN_INTERVAL_S):
                call.last_screenshot = now
                await call.staff.peer.send({"type": "screenshot", "call_id": call.id,
                                            "png_b64": message.png_b64})

    async def terminal_gone(self, link: TerminalLink) -> None:
        """The terminal's socket closed: its call ends as a network drop."""
        if link.call is not None:
            await self._finish(link.call, "network", terminal_reason="", staff_reason="network")

    def _hours(self, queue_id: str) -> StaffHours:
        """The staff hours of the queue ``queue_id`` (its own, or the console's)."""
        return hours_for(queue_id, self._settings.video_hours,
                         self._settings.video_queue_hours)

    async def _request(self, link: TerminalLink, request: Request) -> None:
        if link.call is not None:
            log.info("video: a second request on a live call ignored")
            return
        call_id = secrets.token_hex(16)
        moment = self._clock()
        reason = ""
        hours = self._hours(request.queue)
        if not hours.open_at(moment):
            reason = "outside_hours"
        elif not any(queue.serves(s.queues, request.queue) for s in self.staff):
            reason = "no_staff"
        if reason:
            await self._db(lambda db: records.open_call(db, call_id, link.terminal_id, request,
                                                        moment, unavailable=reason))
            await link.peer.send({"type": "unavailable", "reason": reason,
                                  "hours": hours.label,
                                  "hotline": self._settings.video_hotline})
            return
        call = Call(call_id, link, request, self._monotonic(),
                    screen={"type": "screen", "service": request.service,
                            "service_title": request.service_title, "step": request.step,
                            "step_title": request.step_title})
        link.call = call
        self.waiting[call_id] = call
        await self._db(lambda db: records.open_call(db, call_id, link.terminal_id, request,
                                                    moment))
        await self._tell_positions()
        await self._broadcast_queue()

    # ----------------------------------------------------------------- staff side
    def add_staff(self, link: StaffLink) -> None:
        """A staff browser connected."""
        self.staff.append(link)

    async def staff_joined(self, link: StaffLink) -> None:
        """Show the new browser the queue; waiting estimates change with one more person."""
        await link.peer.send(self._queue_message(link))
        await self._tell_positions()

    async def staff_message(self, link: StaffLink, message: Any) -> None:
        """Route one parsed message from a staff browser."""
        if isinstance(message, TakeNext):
            await self._take_next(link)
            return
        if isinstance(message, StaffEnd):
            await self._staff_end(link, message)
            return
        call = link.call
        if call is None or call.id != message.call_id or call.ended:
            await link.peer.send({"type": "error", "message": NOT_YOURS})
            return
        if isinstance(message, Offer):
            await call.terminal.peer.send({"type": "offer", "sdp": message.sdp})
        elif isinstance(message, Hint):
            await call.terminal.peer.send({"type": "hint", "text": message.text})
        elif isinstance(message, Highlight):
            await call.terminal.peer.send({"type": "highlight", "x": message.x, "y": message.y,
                                           "w": message.w, "h": message.h})

    async def staff_gone(self, link: StaffLink) -> None:
        """A staff browser closed: their call ends ("staff_left"); residents waiting in a queue
        nobody serves any more hear that no one is available."""
        if link in self.staff:
            self.staff.remove(link)
        if link.call is not None:
            await self._finish(link.call, "staff_left", terminal_reason="staff_left",
                               staff_reason="")
        orphaned = [c for c in self.waiting.values()
                    if not any(queue.serves(s.queues, c.queue) for s in self.staff)]
        for call in orphaned:
            await call.terminal.peer.send({"type": "unavailable", "reason": "no_staff",
                                           "hours": self._hours(call.queue).label,
                                           "hotline": self._settings.video_hotline})
            await self._finish(call, "no_staff", terminal_reason="", staff_reason="")
        await self._tell_positions()
        await self._broadcast_queue()

    def _busy(self, link: StaffLink) -> bool:
        return any(s.call is not None for s in self.staff if s.user_id == link.user_id)

    async def _take_next(self, link: StaffLink) -> None:
        if self._busy(link):
            await link.peer.send({"type": "error", "message": BUSY})
            return
        call = next((c for c in self.waiting.values() if queue.serves(link.queues, c.queue)),
                    None)
        if call is None:
            await link.peer.send({"type": "error", "message": NOTHING_WAITING})
            return
        del self.waiting[call.id]
        call.staff = link
        call.accepted_since = self._monotonic()
        link.call = call
        moment = self._clock()
        user = User(id=link.user_id, username=link.username)
        await self._db(lambda db: records.accept(db, call.id, user, moment))
        if call.ended:  # the terminal went while the row was written
            return
        await call.terminal.peer.send({"type": "accepted", "call_id": call.id,
                                       "staff": {"name": link.name, "badge": link.badge}})
        await link.peer.send({
            "type": "call", "call_id": call.id, "terminal": call.terminal.terminal_id,
            "site": call.terminal.site, "district": call.terminal.district,
            "queue": call.queue, "service_title": call.request.service_title,
            "step_title": call.request.step_title, "share_screen": call.request.share_screen,
            "ice_servers": list(self._settings.video_ice_servers)})
        await link.peer.send({**call.screen, "call_id": call.id})
        await self._tell_positions()
        await self._broadcast_queue()

    async def _staff_end(self, link: StaffLink, message: StaffEnd) -> None:
        call = link.call
        if call is not None and call.id == message.call_id and not call.ended:
            await self._finish(call, "staff", terminal_reason="staff", staff_reason="")
        user_id = link.user_id
        saved = await self._db(lambda db: records.set_outcome(
            db, message.call_id, user_id, message.outcome, message.note))
        if saved:
            await link.peer.send({"type": "saved", "call_id": message.call_id})
        else:
            await link.peer.send({"type": "error", "message": NOT_YOURS})

    # ----------------------------------------------------------------- common
    async def _finish(self, call: Call, reason: str, terminal_reason: str,
                      staff_reason: str) -> None:
        """End `call` once: unlink it, tell whoever must hear, write the end to its row."""
        if call.ended:
            return
        call.ended = True
        self.waiting.pop(call.id, None)
        if call.terminal.call is call:
            call.terminal.call = None
        staff = call.staff
        if staff is not None and staff.call is call:
            staff.call = None
        moment = self._clock()
        # people first: a database that fails the write below must not leave anyone waiting
        if terminal_reason:
            await call.terminal.peer.send({"type": "ended", "reason": terminal_reason})
        if staff is not None and staff_reason:
            await staff.peer.send({"type": "ended", "call_id": call.id, "reason": staff_reason})
        if staff is not None:
            self.handle_seconds = 0.8 * self.handle_seconds + 0.2 * max(
                self._monotonic() - call.accepted_since, 1.0)
        if staff is None:
            await self._tell_positions()
            await self._broadcast_queue()
        await self._db(lambda db: records.end(db, call.id, reason, moment))

    def _queue_message(self, link: StaffLink) -> dict[str, Any]:
        now = self._monotonic()
        return {"type": "queue", "staff_online": len({s.user_id for s in self.staff}),
                "waiting": [{"call_id": c.id, "terminal": c.terminal.terminal_id,
                             "site": c.terminal.site, "district": c.terminal.district,
                             "queue": c.queue, "service_title": c.request.service_title,
                             "step_title": c.screen.get("step_title", c.request.step_title),
                             "waiting_s": int(now - c.waiting_since)}
                            for c in self.waiting.values() if queue.serves(link.queues, c.queue)]}

    async def _broadcast_queue(self) -> None:
        for link in list(self.staff):
            await link.peer.send(self._queue_message(link))

    async def _tell_positions(self) -> None:
        calls = list(self.waiting.values())
        for call, position in zip(calls, queue.positions(c.queue for c in calls), strict=True):
            serving = sum(queue.serves(s.queues, call.queue) for s in self.staff)
            told = (position, queue.estimate_seconds(position, self.handle_seconds, serving))
            if told != call.told:
                call.told = told
                await call.terminal.peer.send({"type": "queued", "call_id": call.id,
                                               "position": told[0], "estimate_s": told[1]})
