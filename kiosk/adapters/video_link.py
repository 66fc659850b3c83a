"""视频帮办's link to the console: the WebSocket signalling client and the aiortc answerer.

One asyncio loop on its own daemon thread (never the UI thread) runs a call: it connects to
the console's ``/api/terminal/video`` (authenticated like the console link: the terminal's
bearer token from ``[console] token_file``, over TLS with the terminal's certificate when the
URL is https), sends the request, answers the staff browser's offer with the whole SDP (no
trickle), sends the camera's frames (shared through the camera driver's frame subscription:
one owner of the device) and keeps the staff member's newest decoded frame in `RemoteFrames`,
which the UI polls on the Kivy clock. Messages go to `kiosk.core.video_call.VideoCall` on the
UI thread through ``call_soon``. ``close()`` ends the call and drops every media buffer.

Protocol: /work/wt/VIDEO_PROTOCOL.md; decisions: docs/adr/0760, 0761.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import fractions
import json
import logging
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from aiortc import MediaStreamTrack

from kiosk.core.events import log_event

log = logging.getLogger(__name__)

#: The path of the terminal's signalling endpoint on the console.
VIDEO_PATH = "/api/terminal/video"
#: Connecting to the console gives up after this long ("console down").
CONNECT_TIMEOUT_SECONDS = 5.0
#: The biggest message accepted from the console (an SDP is a few kilobytes).
MAX_MESSAGE_BYTES = 256 * 1024
#: The resident's video sent to the helper.
SEND_SIZE = (640, 480)
SEND_FPS = 15
#: Close codes that mean "no video help from this console now": a terminal it does not know
#: (not enrolled, revoked) and a console process without the video hub.
REFUSED_CLOSE_CODES = frozenset({4401, 4503})
VIDEO_CLOCK_RATE = 90_000
#: At process end, how long the call's connection may take to close before the loop stops.
SHUTDOWN_WAIT_SECONDS = 3.0


@dataclass(frozen=True, slots=True)
class ConsoleEndpoint:
    """Where and as whom the terminal calls: the console's URL, the token, TLS."""

    url: str
    token: str
    ssl_context: ssl.SSLContext | None = None

    @property
    def headers(self) -> dict[str, str]:
        """The upgrade request's headers: the bearer token when there is one (http); over
        https with a client certificate none is needed."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    @property
    def video_url(self) -> str:
        """The WebSocket URL of the signalling endpoint."""
        base = self.url.rstrip("/")
        if base.startswith("https://"):
            base = "wss://" + base[len("https://"):]
        elif base.startswith("http://"):
            base = "ws://" + base[len("http://"):]
        return base + VIDEO_PATH


def endpoint_for(url: str, credentials: Any) -> ConsoleEndpoint | None:
    """The console endpoint for the console link's credentials
    (kiosk.ops.console_link.LinkCredentials): over https the terminal's client certificate is
    who it is (verified against the fleet CA, like the console link; no token), over plain http
    (development) the bearer token. None when there is no console or no credentials."""
    if not url or credentials is None:
        return None
    if url.lower().startswith("https://"):
        return ConsoleEndpoint(url, "", client_tls_context(credentials.cert, credentials.ca_file))
    return ConsoleEndpoint(url, credentials.token) if credentials.token else None


def client_tls_context(cert: tuple[str, str] | None, ca_file: str) -> ssl.SSLContext:
    """Verify the console against ``ca_file``; present the terminal's certificate."""
    context = ssl.create_default_context(cafile=ca_file or None)
    if cert is not None:
        context.load_cert_chain(cert[0], cert[1])
    return context


class RemoteFrames:
    """The staff member's newest decoded frame, shared between the media thread and the UI;
    nothing older is kept. The media thread hands over the decoded frame as it is; the
    conversion to RGB happens in `latest()`, once, for the frames someone looks at only, and at
    the size they are drawn (PyAV's swscale scales and converts in one pass: the UI never
    scales or copies a picture in Python; docs/adr/0820)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._frame: Any = None  # the newest decoded frame not yet converted
        self._image: np.ndarray | None = None  # RGB, top row first
        self._seq = 0
        self._accepting = False
        self._last_at = 0.0
        self._interval = 0.0  # smoothed time between frames (0.0 = not known yet)
        #: Frames decoded since the call began; when the first arrived (0.0 = none yet).
        self.received = 0
        self.first_at = 0.0

    def begin(self) -> None:
        """A call's media starts: frames are taken from now on."""
        with self._lock:
            self._accepting = True

    def put(self, frame: Any) -> None:
        """A new decoded frame (media thread): an ``av.VideoFrame`` or an RGB array; ignored
        once cleared."""
        with self._lock:
            if not self._accepting:
                return
            now = self._clock()
            if self._last_at:
                gap = min(1.0, now - self._last_at)
                self._interval = gap if not self._interval else 0.9 * self._interval + 0.1 * gap
            self._last_at = now
            self._frame = frame
            self._seq += 1
            self.received += 1
            if not self.first_at:
                self.first_at = now

    @property
    def rate(self) -> float:
        """Frames per second the staff member's video arrives at (0.0 until known)."""
        with self._lock:
            return 1.0 / self._interval if self._interval > 0 else 0.0

    def latest(self, size: tuple[int, int] | None = None) -> tuple[int, np.ndarray | None]:
        """(sequence number, newest frame as RGB or None); a new frame is converted at most
        ``size`` (width, height) large, aspect kept, never enlarged."""
        with self._lock:
            frame, self._frame = self._frame, None
            seq, image = self._seq, self._image
        if frame is None:
            return seq, image
        image = frame if isinstance(frame, np.ndarray) else _to_rgb(frame, size)
        with self._lock:  # converted outside the lock: the media thread never waits for it
            if not self._accepting:
                return 0, None  # cleared meanwhile: nothing of the call is kept
            self._image = image
        return seq, image

    def clear(self) -> None:
        """Drop the frame and the counters and take no more (call ended, wipe)."""
        with self._lock:
            self._accepting = False
            self._frame = None
            self._image = None
            self._seq = 0
            self._last_at = 0.0
            self._interval = 0.0
            self.received = 0
            self.first_at = 0.0

    @property
    def empty(self) -> bool:
        """True when no frame is held."""
        with self._lock:
            return self._image is None and self._frame is None


def fit_size(source: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """The largest size with ``source``'s aspect inside ``box`` and not above ``source``,
    width and height even (and the RGB rows a multiple of 4 bytes: width a multiple of 4)."""
    sw, sh = source
    bw, bh = box
    if sw <= 0 or sh <= 0:
        return max(4, sw), max(2, sh)
    scale = min(1.0, bw / sw if bw > 0 else 1.0, bh / sh if bh > 0 else 1.0)
    width = max(4, int(sw * scale) // 4 * 4)
    height = max(2, int(sh * scale) // 2 * 2)
    return width, height


def _to_rgb(frame: Any, size: tuple[int, int] | None) -> np.ndarray:
    """An ``av.VideoFrame`` as an RGB array (top row first), scaled down into ``size``."""
    width, height = int(frame.width), int(frame.height)
    if size is not None:
        target = fit_size((width, height), size)
        if target != (width, height):
            frame = frame.reformat(width=target[0], height=target[1], format="rgb24")
            return frame.to_ndarray()
    image: np.ndarray = frame.to_ndarray(format="rgb24")
    return image


class VideoLink:
    """The kiosk side of one call at a time (kiosk.core.video_call.VideoLinkPort)."""

    def __init__(self, endpoint: ConsoleEndpoint | None, camera: Callable[[], Any],
                 call_soon: Callable[[Callable[[], None]], None],
                 ice_servers: tuple[str, ...] = ()) -> None:
        self._endpoint = endpoint
        self._camera = camera
        self._call_soon = call_soon
        self._ice_servers = ice_servers
        self.remote = RemoteFrames()
        #: Set by the composition root: VideoCall.on_message / on_link_lost.
        self.on_message: Callable[[dict[str, Any]], None] = lambda _m: None
        self.on_link_lost: Callable[[str], None] = lambda _r: None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._generation = 0
        self._outgoing: asyncio.Queue[dict[str, Any]] | None = None
        self._task: concurrent.futures.Future[None] | None = None
        self._media: _Media | None = None
        self._muted = False
        self._sharing = False  # screen pictures allowed in this call (until withdrawn)
        #: Frames sent to the helper in this call (tests, bench).
        self.frames_sent = 0
        #: Screen pictures sent on the data channel in this call (tests).
        self.screenshots_sent = 0

    # -- VideoLinkPort -------------------------------------------------------------------------
    def open(self, request: dict[str, Any]) -> None:
        """Connect and send ``request`` (returns at once; the call runs on the media thread)."""
        self.close()
        self._generation += 1
        generation = self._generation
        if self._endpoint is None:
            self._call_soon(lambda: self._lost(generation, "console_down"))
            return
        loop = self._ensure_loop()
        self.frames_sent = 0
        self.screenshots_sent = 0
        self._sharing = bool(request.get("share_screen"))
        self._task = asyncio.run_coroutine_threadsafe(self._run(request, generation), loop)

    def send(self, message: dict[str, Any]) -> None:
        """Queue ``message`` for the open connection; a 好差评 after the console closed the
        connection goes on a connection of its own; anything else is dropped."""
        loop, queue = self._loop, self._outgoing
        if loop is not None and queue is not None:
            loop.call_soon_threadsafe(queue.put_nowait, dict(message))
        elif message.get("type") == "rating" and self._endpoint is not None:
            asyncio.run_coroutine_threadsafe(self._send_once(dict(message)),
                                             self._ensure_loop())

    async def _send_once(self, message: dict[str, Any]) -> None:
        from websockets.asyncio.client import connect

        assert self._endpoint is not None
        endpoint = self._endpoint
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS):
                async with connect(endpoint.video_url, ssl=endpoint.ssl_context,
                                   additional_headers=endpoint.headers,
                                   open_timeout=None) as ws:
                    await ws.send(json.dumps(message, ensure_ascii=False))
        except Exception as exc:  # a lost rating is logged, never raised
            log_event(log, "video_rating_not_sent", logging.WARNING, error=type(exc).__name__)

    def send_screenshot(self, image: Any) -> bool:
        """A picture of the screens (kiosk.core.video_call.ScreenImage) for the helper's page:
        encoded as a small JPEG off the UI thread and sent in chunks on the data channel.
        False (nothing taken) when the resident withdrew, the data channel is not open yet or
        a picture is still on its way (docs/adr/0821)."""
        loop, media = self._loop, self._media
        if not self._sharing or loop is None or media is None or not media.can_send_screenshot:
            return False
        loop.call_soon_threadsafe(media.offer_screenshot, image)
        return True

    def stop_screenshots(self) -> None:
        """No more pictures in this call; the helper's page blanks the last one."""
        self._sharing = False
        loop, media = self._loop, self._media
        if loop is not None and media is not None:
            loop.call_soon_threadsafe(media.stop_screenshots)

    @property
    def has_audio(self) -> bool:
        """Whether the terminal sends sound: not yet (no microphone driver in drivers/), so
        the call shows no mute button (docs/adr/0761)."""
        return False

    def set_muted(self, muted: bool) -> None:
        """Stop sending the resident's sound (nothing is sent without a microphone)."""
        self._muted = muted

    def end_media(self) -> None:
        """The call is over: close the peer and drop the frames; the connection stays for the
        好差评 (sent with `send`, then `close`)."""
        self._sharing = False
        self.remote.clear()
        loop, media = self._loop, self._media
        if loop is not None and media is not None:
            loop.call_soon_threadsafe(lambda: asyncio.ensure_future(media.close()))

    def close(self) -> None:
        """End the call: the connection and peer close on the media thread (after anything
        queued to send, such as the "end" message); every media buffer is dropped now."""
        self._generation += 1
        self._sharing = False
        task, self._task = self._task, None
        loop, queue = self._loop, self._outgoing
        if task is not None and loop is not None and queue is not None:
            loop.call_soon_threadsafe(queue.put_nowait, {"type": "__close__"})
        self.remote.clear()

    def shutdown(self) -> None:
        """Stop the media thread (process end): the call's connection closes first."""
        task = self._task
        self.close()
        if task is not None:
            with contextlib.suppress(Exception):  # ended, failed or slow: the loop stops anyway
                task.result(timeout=SHUTDOWN_WAIT_SECONDS)
        loop, self._loop = self._loop, None
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5.0)

    # -- the media thread ----------------------------------------------------------------------
    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="kiosk-video", daemon=True)
            thread.start()
            self._loop, self._thread = loop, thread
        return self._loop

    def _deliver(self, generation: int, message: dict[str, Any]) -> None:
        def run() -> None:
            if generation == self._generation:
                self.on_message(message)
        self._call_soon(run)

    def _lost(self, generation: int, reason: str) -> None:
        if generation == self._generation:
            self.on_link_lost(reason)

    async def _run(self, request: dict[str, Any], generation: int) -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidHandshake

        assert self._endpoint is not None
        endpoint = self._endpoint
        outgoing: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._outgoing = outgoing
        media = _Media(self, generation)
        self._media = media
        reason = "console_down"
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS):
                ws = await connect(endpoint.video_url, ssl=endpoint.ssl_context,
                                   additional_headers=endpoint.headers,
                                   max_size=MAX_MESSAGE_BYTES, open_timeout=None)
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            log_event(log, "video_console_unreachable", logging.WARNING,
                      error=type(exc).__name__)
            self._call_soon(lambda: self._lost(generation, "console_down"))
            return
        sender = asyncio.ensure_future(self._send_loop(ws, outgoing))
        try:
            await ws.send(json.dumps(request, ensure_ascii=False))
            reason = "network"
            async for raw in ws:
                message = _parse(raw)
                if message is None:
                    continue
                if message.get("type") == "offer":
                    sdp = message.get("sdp")
                    if not isinstance(sdp, str) or not await media.answer(ws, sdp):
                        continue
                self._deliver(generation, message)
        except ConnectionClosed as exc:
            received = exc.rcvd
            if received is not None and received.code in REFUSED_CLOSE_CODES:
                reason = "console_down"
                log_event(log, "video_refused_by_console", logging.ERROR, code=received.code)
        except Exception as exc:  # the media thread survives anything; the call ends
            log_event(log, "video_call_failed", logging.WARNING, error=type(exc).__name__)
        finally:
            sender.cancel()
            await media.close()
            if self._media is media:
                self._media = None
            await ws.close()
            if self._outgoing is outgoing:
                self._outgoing = None
        self._call_soon(lambda: self._lost(generation, reason))

    async def _send_loop(self, ws: Any, outgoing: asyncio.Queue[dict[str, Any]]) -> None:
        while True:
            message = await outgoing.get()
            if message.get("type") == "__close__":
                await ws.close()
                return
            await ws.send(json.dumps(message, ensure_ascii=False))


class _Media:
    """One call's peer connection: the answer, the camera track out, the helper's video in."""

    def __init__(self, link: VideoLink, generation: int) -> None:
        self._link = link
        self._generation = generation
        self._pc: Any = None
        self._tasks: list[asyncio.Task[None]] = []
        self._camera_track: CameraTrack | None = None
        self._channel: Any = None  # the staff page's "screen" data channel
        self._shot: Any = None  # the newest picture waiting to be sent
        self._shot_task: asyncio.Task[None] | None = None
        self._shot_seq = 0

    async def answer(self, ws: Any, sdp: str) -> bool:
        """Answer the staff browser's offer with the whole SDP; False if it is unusable."""
        from aiortc import (
            RTCConfiguration,
            RTCIceServer,
            RTCPeerConnection,
            RTCSessionDescription,
        )

        await self.close()
        self._link.remote.begin()
        servers = [RTCIceServer(urls=url) for url in self._link._ice_servers]
        pc = RTCPeerConnection(RTCConfiguration(iceServers=servers or None))
        self._pc = pc

        @pc.on("track")
        def on_track(track: Any) -> None:
            self._tasks.append(asyncio.ensure_future(self._pull(track)))

        @pc.on("datachannel")
        def on_channel(channel: Any) -> None:
            from kiosk.adapters.screen_share import CHANNEL_LABEL

            if channel.label == CHANNEL_LABEL:
                self._channel = channel

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState == "failed" and self._pc is pc:
                await ws.close()

        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
            if any(t.kind == "video" for t in pc.getTransceivers()):
                self._camera_track = CameraTrack(self._link._camera, self._link)
                pc.addTrack(self._camera_track)
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as exc:  # a malformed offer: refused, the call goes on waiting
            log_event(log, "video_offer_refused", logging.WARNING, error=type(exc).__name__)
            await self.close()
            return False
        await ws.send(json.dumps({"type": "answer", "sdp": pc.localDescription.sdp}))
        return True

    async def _pull(self, track: Any) -> None:
        from aiortc.mediastreams import MediaStreamError

        remote = self._link.remote
        try:
            while True:
                frame = await track.recv()
                if track.kind != "video" or self._generation != self._link._generation:
                    continue
                remote.put(frame)  # converted when drawn (RemoteFrames.latest)
        except (MediaStreamError, asyncio.CancelledError):
            return

    @property
    def can_send_screenshot(self) -> bool:
        """True when the staff page's data channel is open and no picture is on its way."""
        channel, task = self._channel, self._shot_task
        return (channel is not None and channel.readyState == "open"
                and (task is None or task.done()) and self._shot is None)

    def offer_screenshot(self, image: Any) -> None:
        """Send ``image`` unless one is being sent (then it waits, replacing an older one)."""
        if not self._link._sharing or self._generation != self._link._generation:
            return
        self._shot = image
        if self._shot_task is None or self._shot_task.done():
            self._shot_task = asyncio.ensure_future(self._send_shots())

    def stop_screenshots(self) -> None:
        """Drop the waiting picture, stop the one being sent, blank the helper's copy."""
        from kiosk.adapters.screen_share import SHARE_OFF

        self._shot = None
        if self._shot_task is not None:
            self._shot_task.cancel()
            self._shot_task = None
        channel = self._channel
        if channel is not None and channel.readyState == "open":
            channel.send(SHARE_OFF)

    async def _send_shots(self) -> None:
        from kiosk.adapters.screen_share import encode_jpeg, messages

        link = self._link
        while self._shot is not None:
            image, self._shot = self._shot, None
            try:
                jpeg = await asyncio.get_running_loop().run_in_executor(
                    None, encode_jpeg, image.rgba, image.width, image.height)
            except ValueError as exc:
                log_event(log, "video_screenshot_dropped", logging.WARNING, reason=str(exc))
                continue
            channel = self._channel
            # withdrawn or ended while encoding: the picture is dropped, never sent
            if (not link._sharing or self._generation != link._generation or channel is None
                    or channel.readyState != "open"):
                return
            self._shot_seq += 1
            for message in messages(jpeg, self._shot_seq):
                channel.send(message)
            link.screenshots_sent += 1
            await asyncio.sleep(0)  # let the transport take them before the next picture

    async def close(self) -> None:
        """Close the peer and forget the tracks."""
        self._shot = None
        if self._shot_task is not None:
            self._shot_task.cancel()
            self._shot_task = None
        self._channel = None
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        if self._camera_track is not None:
            self._camera_track.stop()
            self._camera_track = None
        pc, self._pc = self._pc, None
        if pc is not None:
            await pc.close()


def _parse(raw: Any) -> dict[str, Any] | None:
    """One JSON object from the console, or None (logged) for anything else."""
    if not isinstance(raw, str):
        return None
    try:
        message = json.loads(raw)
    except ValueError:
        log_event(log, "video_message_not_json", logging.WARNING)
        return None
    return message if isinstance(message, dict) and isinstance(message.get("type"), str) \
        else None


class CameraTrack(MediaStreamTrack):  # type: ignore[misc]
    """The resident's camera as an outgoing video track: frames come from the camera driver's
    frame subscription (no second capture); black frames while there is no camera."""

    kind = "video"

    def __init__(self, camera: Callable[[], Any], link: VideoLink | None = None,
                 size: tuple[int, int] = SEND_SIZE, fps: int = SEND_FPS) -> None:
        super().__init__()
        self._link = link
        self._size = size
        self._period = 1.0 / fps
        self._latest: np.ndarray | None = None
        self._start = 0.0
        self._next = 0.0
        device = camera()
        subscribe = getattr(device, "subscribe_frames", None)
        self._unsubscribe: Callable[[], None] | None = (
            subscribe(self._on_frame) if callable(subscribe) else None)

    def _on_frame(self, frame: Any) -> None:
        self._latest = frame.image  # pump thread: hand over the reference, nothing more

    async def recv(self) -> Any:
        """The next frame at the send rate (the newest camera image, scaled)."""
        import cv2
        from av import VideoFrame

        now = time.monotonic()
        if not self._start:
            self._start = self._next = now
        self._next += self._period
        if self._next > now:
            await asyncio.sleep(self._next - now)
        image = self._latest
        width, height = self._size
        if image is None:
            image = np.zeros((height, width, 3), np.uint8)
        elif (image.shape[1], image.shape[0]) != self._size:
            image = cv2.resize(image, self._size, interpolation=cv2.INTER_AREA)
        frame = VideoFrame.from_ndarray(np.ascontiguousarray(image, dtype=np.uint8),
                                        format="bgr24")
        frame.pts = int((time.monotonic() - self._start) * VIDEO_CLOCK_RATE)
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK_RATE)
        if self._link is not None:
            self._link.frames_sent += 1
        return frame

    def stop(self) -> None:
        """Stop sending; leave the camera's subscribers; drop the last image."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._latest = None
        super().stop()
