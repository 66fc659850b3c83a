"""The two WebSocket endpoints of 视频帮办 (docs/video-protocol.md).

`/api/terminal/video`: the terminal proves itself through the TerminalIdentity seam
(kiosk/console/terminal_auth.py), exactly like its other console calls; refused: close 4401.
`/staff/video/ws`: the console login cookie of a user whose role holds HELP_VIDEO, from a page
of this console (the Origin header must match: a cookie alone does not prove that the page is
ours); not logged in: close 4401, wrong role or foreign origin: close 4403.
A frame that is not a valid message closes the socket with 4400 (the call ends as a network
drop). A console process that does not run the hub closes with 4503, or, with
`--video-relay` on PostgreSQL, forwards the socket to the process that does (relay.py,
docs/adr/0751).
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any, cast

import psycopg
from fastapi import APIRouter, WebSocket
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import OperationalError
from starlette.requests import Request
from starlette.websockets import WebSocketDisconnect, WebSocketState

from kiosk.console import auth
from kiosk.console.models import User
from kiosk.console.roles import Permission, allows
from kiosk.console.routes.deps import SESSION_COOKIE
from kiosk.console.video import records
from kiosk.console.video.hub import SCREENSHOT_MIN_INTERVAL_S, Hub, StaffLink, TerminalLink
from kiosk.console.video.messages import (
    BadMessage,
    Screenshot,
    TakeNext,
    parse_staff,
    parse_terminal,
)
from kiosk.console.video.queue import parse_queues
from kiosk.console.video.relay import Relay

log = logging.getLogger(__name__)
router = APIRouter()

CLOSE_BAD_MESSAGE = 4400
CLOSE_REFUSED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_HUB = 4503
#: The database is unavailable (RFC 6455 "internal error"): the call cannot be recorded.
CLOSE_UNAVAILABLE = 1011


class SocketPeer:
    """A Starlette WebSocket as the hub's `Peer`: sends never raise (a gone peer's reader ends
    its link)."""

    def __init__(self, socket: WebSocket) -> None:
        self._socket = socket

    async def send(self, message: dict[str, Any]) -> None:
        """Send one JSON text frame unless the socket is gone."""
        if self._socket.application_state != WebSocketState.CONNECTED:
            return
        try:
            await self._socket.send_json(message)
        except (OSError, RuntimeError, WebSocketDisconnect) as exc:
            log.info("video: send to a closed socket dropped (%s)", type(exc).__name__)

    async def close(self, code: int) -> None:
        """Close the socket (once)."""
        if self._socket.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(OSError, RuntimeError):
                await self._socket.close(code)


async def _refuse(socket: WebSocket, code: int) -> None:
    await socket.accept()
    await socket.close(code)


async def _frames(socket: WebSocket) -> Any:
    """Text frames until the peer goes; a binary frame is a bad message."""
    while True:
        message = await socket.receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            raise BadMessage("binary frame")
        yield text


def _relay_of(socket: WebSocket) -> Relay | None:
    """The relay when this process forwards video sockets to a hub elsewhere, else None."""
    relay: Relay | None = socket.app.state.video_relay
    return relay if relay is not None and not relay.is_hub else None


def _serves_video(socket: WebSocket) -> bool:
    return socket.app.state.video_relay is not None or socket.app.state.settings.video_hub


@router.websocket("/api/terminal/video")
async def terminal_socket(socket: WebSocket) -> None:
    """A terminal's signalling socket."""
    app = socket.app
    hub: Hub = app.state.video_hub
    if not _serves_video(socket):
        await _refuse(socket, CLOSE_NOT_HUB)
        return

    def identify() -> tuple[str, str, str] | None:
        with app.state.sessions() as db:
            # The seam reads headers (and later the TLS peer) of the connection: a WebSocket
            # is the same HTTP connection object a Request is.
            found = app.state.identity.terminal_id(cast(Request, socket), db)
            if found is None:
                return None
            district, site = records.place(db, found)
            return found, district, site

    try:
        who = await run_in_threadpool(identify)
    except OperationalError as exc:
        log.error("video: database unavailable (%s)", type(exc.orig).__name__)
        await _refuse(socket, CLOSE_UNAVAILABLE)
        return
    if who is None:
        await _refuse(socket, CLOSE_REFUSED)
        return
    await socket.accept()
    peer = SocketPeer(socket)
    relay = _relay_of(socket)
    if relay is not None:
        await _relay_terminal(relay, socket, peer, who)
        return
    link = TerminalLink(who[0], who[1], who[2], peer)
    try:
        async for text in _frames(socket):
            await hub.terminal_message(link, parse_terminal(text))
    except BadMessage as exc:
        log.warning("video: terminal %s sent a bad frame (%s)", link.terminal_id, exc)
        await link.peer.close(CLOSE_BAD_MESSAGE)
    except WebSocketDisconnect:
        pass
    except OperationalError as exc:
        log.error("video: database unavailable (%s)", type(exc.orig).__name__)
        await link.peer.close(CLOSE_UNAVAILABLE)
    finally:
        with contextlib.suppress(OperationalError):
            await hub.terminal_gone(link)


async def _relay_terminal(relay: Relay, socket: WebSocket, peer: SocketPeer,
                          who: tuple[str, str, str]) -> None:
    """Forward a terminal's socket to the hub process (frames checked here too)."""
    conn = relay.attach(peer)
    last_screenshot = 0.0
    try:
        await relay.to_hub(conn, "t_open", terminal_id=who[0], district=who[1], site=who[2])
        async for text in _frames(socket):
            message = parse_terminal(text)
            if isinstance(message, Screenshot):
                now = time.monotonic()
                if now - last_screenshot < SCREENSHOT_MIN_INTERVAL_S:
                    continue
                last_screenshot = now
            await relay.to_hub(conn, "t_frame", text=text)
    except BadMessage as exc:
        log.warning("video: terminal %s sent a bad frame (%s)", who[0], exc)
        await peer.close(CLOSE_BAD_MESSAGE)
    except WebSocketDisconnect:
        pass
    except psycopg.Error as exc:
        log.warning("video: relay to the hub failed (%s)", type(exc).__name__)
        await peer.close(CLOSE_NOT_HUB)
    finally:
        relay.detach(conn)
        with contextlib.suppress(psycopg.Error):
            await relay.to_hub(conn, "gone")


def _same_origin(socket: WebSocket) -> bool:
    origin = socket.headers.get("origin", "")
    host = socket.headers.get("host", "")
    return bool(host) and origin in (f"http://{host}", f"https://{host}")


@router.websocket("/staff/video/ws")
async def staff_socket(socket: WebSocket) -> None:
    """A staff browser's signalling socket."""
    app = socket.app
    hub: Hub = app.state.video_hub
    if not _serves_video(socket):
        await _refuse(socket, CLOSE_NOT_HUB)
        return

    def identify() -> User | None:
        with app.state.sessions() as db:
            found = auth.resume_session(db, socket.cookies.get(SESSION_COOKIE),
                                        app.state.clock())
            db.commit()
            return found[1] if found else None

    try:
        user = await run_in_threadpool(identify)
    except OperationalError as exc:
        log.error("video: database unavailable (%s)", type(exc.orig).__name__)
        await _refuse(socket, CLOSE_UNAVAILABLE)
        return
    if user is None:
        await _refuse(socket, CLOSE_REFUSED)
        return
    if not allows(user.role, Permission.HELP_VIDEO) or not _same_origin(socket):
        await _refuse(socket, CLOSE_FORBIDDEN)
        return
    await socket.accept()
    queues = parse_queues(socket.query_params.get("queues", "")[:500])
    link = StaffLink(user.id, user.username, user.display_name or user.username, user.badge,
                     queues, SocketPeer(socket))
    relay = _relay_of(socket)
    conn = ""
    if relay is None:
        hub.add_staff(link)
    else:
        conn = relay.attach(link.peer)
    try:
        if relay is None:
            await hub.staff_joined(link)
        else:
            await relay.to_hub(conn, "s_open", user_id=link.user_id, username=link.username,
                               name=link.name, badge=link.badge,
                               queues=sorted(queues) if queues is not None else None)
        async for text in _frames(socket):
            message = parse_staff(text)
            if isinstance(message, TakeNext):
                # each new call re-checks the login: a disabled user or an expired session
                # takes no more calls (and taking calls keeps the session alive)
                again = await run_in_threadpool(identify)
                if again is None or not allows(again.role, Permission.HELP_VIDEO):
                    await link.peer.close(CLOSE_REFUSED)
                    break
            if relay is None:
                await hub.staff_message(link, message)
            else:
                await relay.to_hub(conn, "s_frame", text=text)
    except BadMessage as exc:
        log.warning("video: staff %s sent a bad frame (%s)", link.username, exc)
        await link.peer.close(CLOSE_BAD_MESSAGE)
    except WebSocketDisconnect:
        pass
    except psycopg.Error as exc:
        log.warning("video: relay to the hub failed (%s)", type(exc).__name__)
        await link.peer.close(CLOSE_NOT_HUB)
    except OperationalError as exc:
        log.error("video: database unavailable (%s)", type(exc.orig).__name__)
        await link.peer.close(CLOSE_UNAVAILABLE)
    finally:
        if relay is None:
            with contextlib.suppress(OperationalError):
                await hub.staff_gone(link)
        else:
            relay.detach(conn)
            with contextlib.suppress(psycopg.Error):
                await relay.to_hub(conn, "gone")
