"""Several console processes on one PostgreSQL: one runs the hub, the others relay their video
sockets to it over LISTEN/NOTIFY (docs/adr/0751; `kiosk console --video-relay`).

The hub is the process holding a PostgreSQL advisory lock; the others retry every few seconds
and take over when it goes. A relaying process ("edge") keeps its sockets, authenticates them
itself (the same checks as the hub), checks every frame, and forwards events to the channel
`video_hub`: a socket opened (with the identity), a frame, a socket gone. The hub answers on
the edge's own channel: send this message, close with this code. Payloads over NOTIFY's limit
(8000 bytes: SDPs with many candidates, screenshots) go in numbered chunks. One sending
connection per process keeps each process's messages in order. The hub says it is alive every
few seconds; an edge that hears nothing closes its video sockets with 4503, and the clients
reconnect (to the next hub).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from psycopg import sql

from kiosk.console.video.hub import Hub, Peer, StaffLink, TerminalLink
from kiosk.console.video.messages import BadMessage, parse_staff, parse_terminal

log = logging.getLogger(__name__)

HUB_CHANNEL = "video_hub"
ALIVE_CHANNEL = "video_alive"
#: The advisory lock whose holder is the hub (any constant shared by the processes).
HUB_LOCK_KEY = 0x5649_4445  # "VIDE"
#: How often a non-hub tries the lock, and the hub says it is alive.
ELECTION_INTERVAL_S = 2.0
#: An edge that has not heard the hub for this long closes its video sockets with 4503.
HUB_SILENCE_S = 8.0
#: Characters of JSON text per NOTIFY (ASCII-escaped; well under the 8000-byte limit even when
#: the chunk itself is escaped again).
CHUNK_CHARS = 3000
CLOSE_HUB_GONE = 4503


def psycopg_url(url: str) -> str:
    """A SQLAlchemy URL (postgresql+psycopg://...) as libpq wants it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class Bus:
    """LISTEN/NOTIFY with JSON objects of any size (chunked), in order per sending process."""

    def __init__(self, url: str) -> None:
        self._url = psycopg_url(url)
        self._listen: psycopg.AsyncConnection[Any] | None = None
        self._send: psycopg.AsyncConnection[Any] | None = None
        self._send_lock = asyncio.Lock()
        self._channels: set[str] = set()
        self._wanted: set[str] = set()
        self._parts: dict[str, list[str | None]] = {}
        self._ids = itertools.count()
        self._prefix = secrets.token_hex(4)

    async def open(self) -> None:
        """Connect (two connections: one listens, one sends)."""
        await self.close()
        self._channels.clear()
        self._parts.clear()
        self._listen = await psycopg.AsyncConnection.connect(self._url, autocommit=True)
        self._send = await psycopg.AsyncConnection.connect(self._url, autocommit=True)

    async def close(self) -> None:
        """Disconnect."""
        for conn in (self._listen, self._send):
            if conn is not None:
                with contextlib.suppress(psycopg.Error):
                    await conn.close()

    def listen(self, channel: str) -> None:
        """Start listening on `channel` (takes effect within a second)."""
        self._wanted.add(channel)

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        """Send `message` to whoever listens on `channel` (chunked when large)."""
        text = json.dumps(message, ensure_ascii=True, separators=(",", ":"))
        if len(text) <= CHUNK_CHARS:
            payloads = ["0" + text]
        else:
            chunk_id = f"{self._prefix}{next(self._ids)}"
            pieces = [text[i:i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)]
            payloads = ["1" + json.dumps({"id": chunk_id, "i": i, "n": len(pieces), "d": p})
                        for i, p in enumerate(pieces)]
        assert self._send is not None
        async with self._send_lock:
            for payload in payloads:
                await self._send.execute("SELECT pg_notify(%s, %s)", (channel, payload))

    async def run(self, handle: Callable[[str, dict[str, Any]], Awaitable[None]]) -> None:
        """Deliver every message to `handle(channel, message)`, one at a time, for ever."""
        assert self._listen is not None
        while True:
            for channel in self._wanted - self._channels:
                await self._listen.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                self._channels.add(channel)
            async for note in self._listen.notifies(timeout=1.0):
                message = self._assemble(note.payload)
                if message is None:
                    continue
                try:
                    await handle(note.channel, message)
                except (BadMessage, KeyError, TypeError, ValueError) as exc:
                    log.warning("video relay: message refused (%s)", type(exc).__name__)
                if self._wanted - self._channels:
                    break

    def _assemble(self, payload: str) -> dict[str, Any] | None:
        if payload.startswith("0"):
            found = json.loads(payload[1:])
            return found if isinstance(found, dict) else None
        part = json.loads(payload[1:])
        slots = self._parts.setdefault(part["id"], [None] * int(part["n"]))
        slots[int(part["i"])] = part["d"]
        if any(s is None for s in slots):
            return None
        del self._parts[part["id"]]
        found = json.loads("".join(s for s in slots if s is not None))
        return found if isinstance(found, dict) else None


class RemotePeer:
    """A socket held by an edge process, as the hub's `Peer`."""

    def __init__(self, bus: Bus, channel: str, conn: str) -> None:
        self._bus, self.channel, self._conn = bus, channel, conn

    async def send(self, message: dict[str, Any]) -> None:
        """Ask the edge to send `message` on its socket (never raises, like any `Peer`)."""
        await self._publish({"e": "send", "c": self._conn, "m": message})

    async def close(self, code: int) -> None:
        """Ask the edge to close its socket."""
        await self._publish({"e": "close", "c": self._conn, "code": code})

    async def _publish(self, message: dict[str, Any]) -> None:
        try:
            await self._bus.publish(self.channel, message)
        except psycopg.Error as exc:
            log.warning("video relay: a message to a relayed socket was lost (%s)",
                        type(exc).__name__)


class Relay:
    """This process's part: the hub when it holds the lock, an edge otherwise."""

    def __init__(self, url: str, hub: Hub, monotonic: Callable[[], float] = time.monotonic
                 ) -> None:
        self._url = psycopg_url(url)
        self.hub = hub
        self.bus = Bus(url)
        self.channel = f"video_edge_{secrets.token_hex(6)}"
        self.is_hub = False
        self._monotonic = monotonic
        self._lock_conn: psycopg.AsyncConnection[Any] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._local: dict[str, Peer] = {}  # edge: conn id -> local socket
        self._remote: dict[str, TerminalLink | StaffLink] = {}  # hub: conn id -> link
        self._heard_hub = monotonic()
        self._heard_edges: dict[str, float] = {}
        self._hub_id = ""
        self._conn_ids = itertools.count()

    async def start(self) -> None:
        """Connect, try to become the hub, listen."""
        await self.bus.open()
        self.bus.listen(self.channel)
        self.bus.listen(ALIVE_CHANNEL)
        self._lock_conn = await psycopg.AsyncConnection.connect(self._url, autocommit=True)
        await self._try_lock()
        self._tasks = [asyncio.create_task(self._listen_forever()),
                       asyncio.create_task(self._elect_forever())]

    async def _listen_forever(self) -> None:
        """Deliver relay messages; after a lost database connection, connect again."""
        while True:
            try:
                await self.bus.run(self._on_message)
            except psycopg.Error as exc:
                log.warning("video relay: listening failed (%s); reconnecting",
                            type(exc).__name__)
                await asyncio.sleep(ELECTION_INTERVAL_S)
                with contextlib.suppress(psycopg.Error):
                    await self.bus.open()

    async def stop(self) -> None:
        """Stop relaying; the lock goes with the connection."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, psycopg.Error):
                await task
        if self._lock_conn is not None:
            with contextlib.suppress(psycopg.Error):
                await self._lock_conn.close()
        await self.bus.close()

    async def _try_lock(self) -> None:
        assert self._lock_conn is not None
        cursor = await self._lock_conn.execute("SELECT pg_try_advisory_lock(%s)",
                                               (HUB_LOCK_KEY,))
        row = await cursor.fetchone()
        if row and row[0]:
            self.is_hub = True
            self.bus.listen(HUB_CHANNEL)
            await self.hub.start()
            log.info("video: this console process is the hub")
            await self._close_relayed("this process took over as the hub")

    async def _elect_forever(self) -> None:
        while True:
            await asyncio.sleep(ELECTION_INTERVAL_S)
            try:
                if self.is_hub:
                    await self.bus.publish(ALIVE_CHANNEL, {"e": "alive", "hub": self.channel})
                    await self._drop_silent_edges()
                    continue
                await self.bus.publish(HUB_CHANNEL, {"e": "edge_alive", "c": "",
                                                     "reply": self.channel})
                await self._try_lock()
                if self._monotonic() - self._heard_hub > HUB_SILENCE_S and not self.is_hub:
                    await self._close_relayed("the hub is silent")
            except psycopg.Error as exc:
                log.warning("video relay: database trouble (%s)", type(exc).__name__)

    async def _close_relayed(self, why: str) -> None:
        """The hub these sockets were relayed to is gone: close them (4503) so the clients
        connect again and reach the hub there is now."""
        if self._local:
            log.warning("video: %s; closing %d relayed sockets", why, len(self._local))
        for peer in list(self._local.values()):
            await peer.close(CLOSE_HUB_GONE)

    async def _drop_silent_edges(self) -> None:
        """Sockets of an edge process that stopped talking (it died) are gone."""
        now = self._monotonic()
        for conn, link in list(self._remote.items()):
            channel = getattr(link.peer, "channel", "")
            if now - self._heard_edges.get(channel, now) > HUB_SILENCE_S:
                await self._hub_event("gone", conn, {})

    # ----------------------------------------------------------------- edge side
    def attach(self, peer: Peer) -> str:
        """A local socket to relay; its connection id."""
        conn = f"{self.channel}:{next(self._conn_ids)}"
        self._local[conn] = peer
        return conn

    def detach(self, conn: str) -> None:
        """The local socket is gone."""
        self._local.pop(conn, None)

    async def to_hub(self, conn: str, event: str, **fields: Any) -> None:
        """Forward an event of a local socket to the hub."""
        await self.bus.publish(HUB_CHANNEL, {"e": event, "c": conn, "reply": self.channel,
                                             **fields})

    # ----------------------------------------------------------------- both
    async def _on_message(self, channel: str, message: dict[str, Any]) -> None:
        kind = message["e"]
        if channel == ALIVE_CHANNEL:
            self._heard_hub = self._monotonic()
            hub_id = str(message.get("hub", ""))
            if self._hub_id and hub_id != self._hub_id and not self.is_hub:
                await self._close_relayed("another process is the hub now")
            self._hub_id = hub_id
        elif channel == self.channel:
            peer = self._local.get(str(message["c"]))
            if peer is None:
                return
            if kind == "send" and isinstance(message["m"], dict):
                await peer.send(message["m"])
            elif kind == "close":
                await peer.close(int(message["code"]))
        elif channel == HUB_CHANNEL and self.is_hub:
            await self._hub_event(kind, str(message["c"]), message)

    async def _hub_event(self, kind: str, conn: str, message: dict[str, Any]) -> None:
        hub = self.hub
        link = self._remote.get(conn)
        if "reply" in message:
            self._heard_edges[str(message["reply"])] = self._monotonic()
        if kind == "edge_alive":
            return
        if kind == "t_open":
            self._remote[conn] = TerminalLink(
                str(message["terminal_id"]), str(message["district"]), str(message["site"]),
                RemotePeer(self.bus, str(message["reply"]), conn))
        elif kind == "s_open":
            queues = message["queues"]
            staff = StaffLink(int(message["user_id"]), str(message["username"]),
                              str(message["name"]), str(message["badge"]),
                              frozenset(queues) if isinstance(queues, list) else None,
                              RemotePeer(self.bus, str(message["reply"]), conn))
            self._remote[conn] = staff
            hub.add_staff(staff)
            await hub.staff_joined(staff)
        elif isinstance(link, TerminalLink) and kind == "t_frame":
            await hub.terminal_message(link, parse_terminal(str(message["text"])))
        elif isinstance(link, StaffLink) and kind == "s_frame":
            await hub.staff_message(link, parse_staff(str(message["text"])))
        elif isinstance(link, TerminalLink) and kind == "gone":
            del self._remote[conn]
            await hub.terminal_gone(link)
        elif isinstance(link, StaffLink) and kind == "gone":
            del self._remote[conn]
            await hub.staff_gone(link)
