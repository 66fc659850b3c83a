"""A stand-in console for 视频帮办 tests and the bench: a real WebSocket server speaking the
terminal side of the protocol (/work/wt/VIDEO_PROTOCOL.md) and a real aiortc staff peer that
makes the offer, sends synthetic 640x480 frames with the frame number and the send time
painted in, and decodes the kiosk's frames.

It checks the terminal's bearer token (close code 4401 otherwise). ``mode``: "accept" (queue,
accept, offer), "no_staff" (answer ``unavailable``) or "hold" (queue and wait). Runs on its
own asyncio thread; the test calls its methods from any thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Painted code: one cell per bit of the send time in microseconds (mod 2**40) and the frame
#: number (mod 2**16), in a row of 8x8 cells at the top-left corner.
CELL_PX = 8
TIME_BITS = 40
COUNT_BITS = 16
STAFF_NAME = "王芳"
STAFF_BADGE = "B1024"


def paint_code(image: np.ndarray, sent_us: int, count: int) -> None:
    """Paint ``sent_us`` and ``count`` as black/white cells in the top rows of ``image``."""
    bits = [(sent_us >> i) & 1 for i in range(TIME_BITS)]
    bits += [(count >> i) & 1 for i in range(COUNT_BITS)]
    for i, bit in enumerate(bits):
        row, col = divmod(i, 56)
        y, x = row * CELL_PX, col * CELL_PX
        image[y:y + CELL_PX, x:x + CELL_PX] = 255 if bit else 0


def read_code(image: np.ndarray, painted: tuple[int, int] = (640, 480)) -> tuple[int, int]:
    """(sent_us, count) from a decoded frame painted by `paint_code` (cell centres); the frame
    may have been scaled from the ``painted`` size (the kiosk converts at the size it draws)."""
    sx, sy = image.shape[1] / painted[0], image.shape[0] / painted[1]
    reach = 1 if min(sx, sy) >= 0.75 else 0  # 3x3 around the centre, or the centre alone
    values = []
    for i in range(TIME_BITS + COUNT_BITS):
        row, col = divmod(i, 56)
        y = int((row * CELL_PX + CELL_PX / 2) * sy)
        x = int((col * CELL_PX + CELL_PX / 2) * sx)
        cell = image[y - reach:y + reach + 1, x - reach:x + reach + 1]
        values.append(1 if float(np.mean(cell)) > 127 else 0)
    sent = sum(bit << i for i, bit in enumerate(values[:TIME_BITS]))
    count = sum(bit << i for i, bit in enumerate(values[TIME_BITS:]))
    return sent, count


def now_us() -> int:
    """The painted clock: wall time in microseconds (mod 2**40), the same in every process."""
    return int(time.time() * 1_000_000) % (1 << TIME_BITS)


@dataclass
class StaffCall:
    """What the staff side saw of one call."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    frames_from_kiosk: int = 0
    kiosk_frame: np.ndarray | None = None
    offer_at: float = 0.0
    answered_at: float = 0.0
    connected: bool = False


class StaffConsole:
    """The stand-in console and its staff member (see the module docstring)."""

    def __init__(self, token: str, mode: str = "accept", fps: float = 30.0,
                 size: tuple[int, int] = (640, 480)) -> None:
        self.token = token
        self.mode = mode
        self.fps = fps
        self.size = size
        self.call = StaffCall()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="staff-console",
                                        daemon=True)
        self._server: Any = None
        self._ws: Any = None
        self._pc: Any = None
        self._tasks: list[asyncio.Future[None]] = []
        self.accept_event = threading.Event()
        self.refused = 0

    @property
    def url(self) -> str:
        """The console's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StaffConsole:
        """Listen on a free port."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(10)
        return self

    def stop(self) -> None:
        """Close the peer and the server, stop the thread."""
        async def shut() -> None:
            if self._ws is not None:
                await self._ws.close()
            if self._pc is not None:
                await self._pc.close()
            if self._server is not None:
                self._server.close()
                await self._server.wait_closed()
        with contextlib.suppress(TimeoutError):  # a peer slow to close on a loaded machine
            asyncio.run_coroutine_threadsafe(shut(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    # -- what the staff member does ------------------------------------------------------------
    def send(self, message: dict[str, Any]) -> None:
        """Send one message to the terminal (hint, highlight, ended...)."""
        async def go() -> None:
            if self._ws is not None:
                await self._ws.send(json.dumps(message, ensure_ascii=False))
        asyncio.run_coroutine_threadsafe(go(), self._loop).result(5)

    def drop(self) -> None:
        """The network goes: close the peer and the socket without a word."""
        async def go() -> None:
            if self._pc is not None:
                await self._pc.close()
            if self._ws is not None:
                self._ws.transport.abort()  # no closing handshake: as a cable pulled
        asyncio.run_coroutine_threadsafe(go(), self._loop).result(5)

    def accept(self) -> None:
        """In "hold" mode: the staff member takes the call now."""
        async def go() -> None:
            if self._ws is not None:
                await self._accept(self._ws)
        asyncio.run_coroutine_threadsafe(go(), self._loop).result(15)

    # -- the server ----------------------------------------------------------------------------
    async def _listen(self) -> None:
        from websockets.asyncio.server import serve

        self._server = await serve(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _handle(self, ws: Any) -> None:
        header = ws.request.headers.get("Authorization", "")
        if ws.request.path != "/api/terminal/video" or header != f"Bearer {self.token}":
            self.refused += 1
            await ws.close(code=4401, reason="not enrolled")
            return
        self._ws = ws
        try:
            async for raw in ws:
                message = json.loads(raw)
                self.call.received.append(message)
                kind = message.get("type")
                if kind == "request":
                    self.call.requests.append(message)
                    await self._on_request(ws)
                elif kind == "answer" and self._pc is not None:
                    from aiortc import RTCSessionDescription

                    await self._pc.setRemoteDescription(
                        RTCSessionDescription(sdp=message["sdp"], type="answer"))
                    self.call.answered_at = time.monotonic()
                elif kind in ("end", "cancel") and self._pc is not None:
                    await self._pc.close()
                    self._pc = None
        except Exception:  # the terminal went away
            pass
        finally:
            if self._ws is ws:
                self._ws = None

    async def _on_request(self, ws: Any) -> None:
        if self.mode == "no_staff":
            await ws.send(json.dumps({"type": "unavailable", "reason": "no_staff",
                                      "hours": "工作日 9:00-17:00", "hotline": "12345"}))
            return
        await ws.send(json.dumps({"type": "queued", "call_id": "call-1", "position": 1,
                                  "estimate_s": 60}))
        if self.mode == "accept":
            await self._accept(ws)

    async def _accept(self, ws: Any) -> None:
        from aiortc import RTCPeerConnection

        await ws.send(json.dumps({"type": "accepted", "call_id": "call-1",
                                  "staff": {"name": STAFF_NAME, "badge": STAFF_BADGE}},
                                 ensure_ascii=False))
        self.accept_event.set()
        pc = RTCPeerConnection()
        self._pc = pc
        pc.addTransceiver(PaintedTrack(self.size, self.fps), direction="sendrecv")

        @pc.on("track")
        def on_track(track: Any) -> None:
            self._tasks.append(asyncio.ensure_future(self._pull(track)))

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            self.call.connected = pc.connectionState == "connected"

        await pc.setLocalDescription(await pc.createOffer())  # gathers every candidate
        self.call.offer_at = time.monotonic()
        await ws.send(json.dumps({"type": "offer", "sdp": pc.localDescription.sdp}))

    async def _pull(self, track: Any) -> None:
        try:
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    self.call.frames_from_kiosk += 1
                    self.call.kiosk_frame = frame.to_ndarray(format="bgr24")
        except Exception:  # the call ended
            return


def _track_base() -> type:
    from aiortc import MediaStreamTrack

    return MediaStreamTrack


class PaintedTrack(_track_base()):  # type: ignore[misc]
    """Synthetic staff video: a moving bar, the frame number and the send time painted in."""

    kind = "video"

    def __init__(self, size: tuple[int, int] = (640, 480), fps: float = 30.0) -> None:
        super().__init__()
        self._size = size
        self._period = 1.0 / fps
        self._start = 0.0
        self._next = 0.0
        self.count = 0

    async def recv(self) -> Any:
        """The next frame, paced at the frame rate."""
        from av import VideoFrame

        now = time.monotonic()
        if not self._start:
            self._start = self._next = now
        self._next += self._period
        if self._next > now:
            await asyncio.sleep(self._next - now)
        width, height = self._size
        image = np.full((height, width, 3), (40, 120, 200), np.uint8)
        x = (self.count * 8) % width
        image[height // 2:, x:x + 40] = (250, 250, 250)
        self.count += 1
        paint_code(image, now_us(), self.count)
        frame = VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts = int((time.monotonic() - self._start) * 90_000)
        frame.time_base = fractions.Fraction(1, 90_000)
        return frame


def main(argv: list[str] | None = None) -> int:
    """Run the stand-in console as a process (the bench keeps its CPU out of the kiosk's):
    prints the port, serves until standard input closes."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m kiosk.harness.video_staff")
    parser.add_argument("--token", required=True)
    parser.add_argument("--mode", default="accept", choices=("accept", "no_staff", "hold"))
    parser.add_argument("--fps", type=float, default=30.0)
    args = parser.parse_args(argv)
    console = StaffConsole(args.token, mode=args.mode, fps=args.fps).start()
    print(console.port, flush=True)
    try:
        sys.stdin.read()
    finally:
        console.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
