"""Test clients of the 视频帮办 protocol (docs/video-protocol.md) over real WebSockets.

`TerminalPeer` stands in for a kiosk: it speaks the terminal side of the protocol and answers
the staff browser's offer with a real aiortc peer that sends a synthetic 640x480 video (a frame
counter painted in) and counts the frames it decodes. `StaffPeer` is the staff side without a
browser (for the fault tests; the browser journey uses the real page).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import numpy as np
from aiortc import RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from av import VideoFrame
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

TIMEOUT_S = 20.0


class CounterTrack(VideoStreamTrack):
    """A synthetic camera: a dark frame with a moving block, paced at 30 fps."""

    def __init__(self) -> None:
        super().__init__()
        self.n = 0

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        img = np.zeros((480, 640, 3), np.uint8)
        img[:, :, 2] = 80
        x = (self.n * 8) % 600
        img[400:440, x:x + 40] = (0, 200, 0)
        frame = VideoFrame.from_ndarray(img, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        self.n += 1
        return frame


class _Socket:
    """A WebSocket that keeps every message it received, to wait for one of a type."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.received: list[dict[str, Any]] = []
        self._seen = 0

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def expect(self, kind: str, timeout: float = TIMEOUT_S) -> dict[str, Any]:
        """The next message of `kind` (earlier messages of other kinds are kept, skipped)."""
        async def wait() -> dict[str, Any]:
            while True:
                for i in range(self._seen, len(self.received)):
                    if self.received[i]["type"] == kind:
                        self._seen = i + 1
                        return self.received[i]
                self.received.append(json.loads(await self.ws.recv()))

        return await asyncio.wait_for(wait(), timeout)

    async def closed_code(self, timeout: float = TIMEOUT_S) -> int | None:
        """Read until the console closes the socket; its close code."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    self.received.append(json.loads(await self.ws.recv()))
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None

    async def close(self) -> None:
        await self.ws.close()


class TerminalPeer(_Socket):
    """The kiosk's side: request help, answer the offer with aiortc, count decoded frames."""

    pc: RTCPeerConnection | None = None
    frames = 0
    counting: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, base_url: str, token: str) -> TerminalPeer:
        ws = await connect(base_url.replace("http", "ws", 1) + "/api/terminal/video",
                           additional_headers={"Authorization": f"Bearer {token}"},
                           open_timeout=TIMEOUT_S)
        return cls(ws)

    async def request(self, queue: str = "district:110105", share_screen: bool = True) -> None:
        await self.send({"type": "request", "queue": queue, "service": "social-insurance-cert",
                         "service_title": "社保参保证明", "step": "confirm",
                         "step_title": "确认打印", "share_screen": share_screen, "lang": "zh"})

    async def answer(self, offer: dict[str, Any]) -> None:
        """Answer an offer with a real aiortc peer (addTrack after setRemoteDescription)."""
        pc = RTCPeerConnection()
        self.pc = pc

        @pc.on("track")
        def on_track(track: Any) -> None:
            if track.kind == "video":
                self.counting = asyncio.ensure_future(self._count(track))

        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type="offer"))
        pc.addTrack(CounterTrack())
        await pc.setLocalDescription(await pc.createAnswer())
        await self.send({"type": "answer", "sdp": pc.localDescription.sdp})

    async def _count(self, track: Any) -> None:
        while True:
            try:
                await track.recv()
            except Exception:  # the track ended (MediaStreamError): stop counting
                return
            self.frames += 1

    async def wait_frames(self, count: int, timeout: float = 30.0) -> int:
        """Wait until `count` frames were decoded; returns the number decoded."""
        async with asyncio.timeout(timeout):
            while self.frames < count:
                await asyncio.sleep(0.1)
        return self.frames

    async def hang_up(self) -> None:
        if self.pc is not None:
            await self.pc.close()


class StaffPeer(_Socket):
    """The staff browser's socket without a browser (cookie and Origin like the page)."""

    @classmethod
    async def open(cls, base_url: str, cookie: str, queues: str = "",
                   origin: str | None = None) -> StaffPeer:
        query = f"?queues={queues}" if queues else ""
        ws = await connect(base_url.replace("http", "ws", 1) + "/staff/video/ws" + query,
                           additional_headers={"Cookie": f"console_session={cookie}"},
                           origin=origin or base_url,  # type: ignore[arg-type]
                           open_timeout=TIMEOUT_S)
        return cls(ws)
