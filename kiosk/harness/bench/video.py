"""`kiosk bench video`: a 640x480 视频帮办 call on loopback, with figures against a floor
measured in the same run.

The staff side is `kiosk.harness.video_staff` in its own process (a real WebSocket console
stand-in and an aiortc offerer sending 30 fps synthetic frames with the send time painted in),
so the CPU measured is the kiosk's alone.

1. Floor: the kiosk's `VideoLink` (signalling + aiortc answerer + decode) with no Kivy: time
   from "accepted" to the first decoded frame, frames per second, CPU of this process, and the
   one-way latency read from the painted send time.
2. The kiosk: the whole app from the composition root in an SDL offscreen window, the call
   started by touches from a step; time from "accepted" to the first remote frame *drawn* on
   the kiosk, frames drawn per second, the kiosk process's CPU during the call, the latency at
   drawing. Goals (issue 19): first frame < 1.5 s, >= 15 fps, CPU < one core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

TOKEN = "bench-terminal-token"
WARM_UP_SECONDS = 3.0


class _Staff:
    """The staff process."""

    def __init__(self, fps: float) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.harness.video_staff", "--token", TOKEN,
             "--fps", str(fps)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline().strip())
        self.url = f"http://127.0.0.1:{self.port}"
        self.cpu_before = _child_cpu(self.proc.pid)

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait(5)


def _child_cpu(pid: int) -> float:
    """utime + stime of a process, in seconds (from /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _latency_ms(image: Any) -> float | None:
    from kiosk.harness.video_staff import TIME_BITS, now_us, read_code

    sent, count = read_code(image)
    if not count:
        return None
    delta = (now_us() - sent) % (1 << TIME_BITS)
    return delta / 1000.0 if delta < 5_000_000 else None


def floor(seconds: float, fps: float) -> dict[str, float]:
    """The aiortc loopback without Kivy: VideoLink alone."""
    from kiosk.adapters.video_link import ConsoleEndpoint, VideoLink

    staff = _Staff(fps)
    accepted = threading.Event()
    accepted_at = [0.0]

    def on_message(message: dict[str, Any]) -> None:
        if message.get("type") == "accepted":
            accepted_at[0] = time.monotonic()
            accepted.set()

    from drivers.camera import open_camera

    camera = open_camera("sim://camera", scene="face")
    camera.start(lambda _event: None)
    link = VideoLink(ConsoleEndpoint(staff.url, TOKEN), lambda: camera, lambda fn: fn())
    link.on_message = on_message
    try:
        link.open({"type": "request", "queue": "local", "service": "bench", "step": "bench",
                   "share_screen": False, "lang": "zh"})
        if not accepted.wait(15):
            raise RuntimeError("the staff process did not accept")
        deadline = time.monotonic() + 15
        while link.remote.empty and time.monotonic() < deadline:
            time.sleep(0.002)
        first = link.remote.first_at - accepted_at[0]
        time.sleep(WARM_UP_SECONDS)
        latencies: list[float] = []
        cpu0, wall0, got0 = time.process_time(), time.monotonic(), link.remote.received
        last = -1
        while time.monotonic() - wall0 < seconds:
            seq, image = link.remote.latest()
            if image is not None and seq != last:
                last = seq
                value = _latency_ms(image)
                if value is not None:
                    latencies.append(value)
            time.sleep(0.002)
        wall = time.monotonic() - wall0
        cpu = time.process_time() - cpu0
        frames = link.remote.received - got0
        link.send({"type": "end", "reason": "resident"})
        link.close()
    finally:
        link.shutdown()
        camera.stop()
        staff.close()
    return {"first_s": first, "fps": frames / wall, "cpu": cpu / wall,
            "latency_ms": statistics.median(latencies) if latencies else float("nan")}


def bare_kivy(seconds: float) -> dict[str, float]:
    """The Kivy floor, in its own process: a bare window streaming a texture
    (kiosk.harness.bench.bare_texture)."""
    import json

    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1",
               KIVY_NO_CONSOLELOG="1")
    env.pop("DISPLAY", None)
    done = subprocess.run([sys.executable, "-m", "kiosk.harness.bench.bare_texture",
                           str(seconds)], env=env, capture_output=True, text=True, timeout=120)
    line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "{}"
    figures: dict[str, float] = json.loads(line)
    return figures


def kiosk(seconds: float, fps: float) -> dict[str, float]:
    """The whole kiosk app (composition root, SDL offscreen), the call started by touches."""
    os.environ["SDL_VIDEODRIVER"] = "offscreen"
    os.environ.pop("DISPLAY", None)
    from kiosk.boot.resources import FONT_PATH
    from kiosk.ui.window import prepare, register_font

    prepare(1920, 1080)
    register_font(FONT_PATH)
    from kiosk.boot.composition import compose
    from kiosk.boot.logs import configure_logging
    from kiosk.boot.settings import load_settings
    from kiosk.core.video_call import CallPhase
    from kiosk.harness.tour import _identify
    from kiosk.harness.ui_driver import UiDriver, find_button

    staff = _Staff(fps)
    data = Path(tempfile.mkdtemp(prefix="kiosk-bench-video-"))
    token = data / "console.token"
    token.write_text(TOKEN, encoding="utf-8")
    token.chmod(0o600)
    settings = load_settings(environ={
        "KIOSK__PATHS__DATA_DIR": str(data), "KIOSK__DEVICES__SMARTCARD": "none",
        "KIOSK__VIDEO__ENABLED": "true", "KIOSK__CONSOLE__URL": staff.url,
        "KIOSK__CONSOLE__TOKEN_FILE": str(token), "KIOSK__CONSOLE__INTERVAL_SECONDS": "3600"})
    configure_logging(data / "log", "WARNING")
    composed = compose(settings)
    composed.start_devices()
    parts, app = composed.parts, composed.app
    driver = UiDriver(app)
    call = parts.video
    accepted_at = [0.0]

    def watch(state: Any) -> None:
        if state.phase is CallPhase.IN_CALL and not accepted_at[0]:
            accepted_at[0] = time.monotonic()
    call.subscribe(watch)
    try:
        driver.wait_for(lambda: parts.hub.usable("idcard") and parts.hub.usable("camera"), 60,
                        "devices ready")
        _identify(driver, parts)
        driver.tap(app.screens["home"].tile_buttons["social-insurance-payments"])
        driver.wait_for_screen("step_records")
        idle_pumps, idle0 = 0, time.monotonic()
        while time.monotonic() - idle0 < WARM_UP_SECONDS:
            driver.pump()
            idle_pumps += 1
        idle_hz = idle_pumps / (time.monotonic() - idle0)
        driver.tap(driver.current_screen().buttons["video_help"])
        driver.wait_for(lambda: call.phase is CallPhase.CONSENT, what="consent")
        driver.tap(find_button(app.video_layer.card, "同意并呼叫"))
        driver.wait_for(lambda: call.phase is CallPhase.IN_CALL, what="in call")
        remote = app.video_layer.panel.remote
        driver.wait_for(lambda: remote.frames_drawn > 0, 15, "first frame")
        first = remote.first_drawn_at - accepted_at[0]
        end = time.monotonic() + WARM_UP_SECONDS
        while time.monotonic() < end:
            driver.pump()
        latencies: list[float] = []
        cpu0, wall0, drawn0 = time.process_time(), time.monotonic(), remote.frames_drawn
        cache = app.video_layer.cache
        renders0 = cache.renders if cache is not None else 0
        staff_cpu0 = _child_cpu(staff.proc.pid)
        sent0 = parts.video_link.frames_sent
        decoded0 = parts.video_link.remote.received
        last = remote.frames_drawn
        pumps = 0
        while time.monotonic() - wall0 < seconds:
            driver.pump()  # the Kivy loop runs at its own pace (60 Hz max)
            pumps += 1
            if remote.frames_drawn != last and remote.last_image is not None:
                last = remote.frames_drawn
                value = _latency_ms(remote.last_image)
                if value is not None:
                    latencies.append(value)
        wall = time.monotonic() - wall0
        cpu = time.process_time() - cpu0
        result = {"first_s": first, "fps": (remote.frames_drawn - drawn0) / wall,
                  "cpu": cpu / wall,
                  "latency_ms": statistics.median(latencies) if latencies else float("nan"),
                  "sent_fps": (parts.video_link.frames_sent - sent0) / wall,
                  "decoded_fps": (parts.video_link.remote.received - decoded0) / wall,
                  "loop_hz": pumps / wall, "idle_hz": idle_hz,
                  "cpu_per_frame_ms": cpu * 1000 / max(1, remote.frames_drawn - drawn0),
                  "screen_renders": ((cache.renders - renders0) if cache is not None
                                     else float("nan")),
                  "staff_cpu": (_child_cpu(staff.proc.pid) - staff_cpu0) / wall}
        driver.tap(app.video_layer.panel.end_button)
        driver.wait_for(lambda: call.phase is CallPhase.ENDED, what="ended")
    finally:
        driver.close()
        composed.close()
        staff.close()
    return result


def main(argv: list[str]) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(prog="kiosk bench video")
    parser.add_argument("--seconds", type=float, default=10.0, help="measuring window")
    parser.add_argument("--fps", type=float, default=30.0, help="the staff camera's rate")
    args = parser.parse_args(argv)
    base = floor(args.seconds, args.fps)
    bare = bare_kivy(args.seconds)
    full = kiosk(args.seconds, args.fps)
    print(f"video: a 640x480 call on loopback, staff sending {args.fps:.0f} fps; "
          f"{args.seconds:.0f} s window after {WARM_UP_SECONDS:.0f} s")
    print(f"{'':34}{'floor (no Kivy)':>18}{'kiosk':>12}{'ratio':>8}   goal")
    rows = (("accept -> first remote frame", "first_s", 1000, "ms", "< 1500 ms"),
            ("remote frames per second", "fps", 1, "fps", ">= 15 fps"),
            ("process CPU (share of one core)", "cpu", 100, "%", "< 100 %"),
            ("one-way latency (median)", "latency_ms", 1, "ms", ""))
    for label, key, scale, unit, goal in rows:
        a, b = base[key] * scale, full[key] * scale
        ratio = b / a if a else float("nan")
        print(f"  {label:<32}{a:>13.0f} {unit:<4}{b:>8.0f} {unit:<4}{ratio:>6.2f}x   {goal}")
    print(f"  kiosk: decoded {full['decoded_fps']:.1f} fps, Kivy loop {full['loop_hz']:.0f} Hz "
          f"(on the same step before the call: {full['idle_hz']:.0f} Hz); "
          f"frames sent to the staff member: {full['sent_fps']:.1f} fps; "
          f"staff process CPU {full['staff_cpu'] * 100:.0f} % (not counted above)")
    renders = full["screen_renders"]
    cached = (f"the step screen was drawn {renders:.0f} times in the window (cached)"
              if renders == renders else "the step screen is not cached")
    print(f"  kiosk CPU per drawn frame: {full['cpu_per_frame_ms']:.1f} ms "
          f"(of which the media floor: {base['cpu'] * 1000 / max(full['fps'], 0.1):.1f} ms); "
          f"{cached}")
    print(f"  Kivy floor: a bare 1920x1080 window streaming one 640x480 texture: "
          f"{bare.get('fps', 0):.0f} fps at {bare.get('cpu', 0) * 100:.0f} % CPU "
          f"(the kiosk draws {full['fps'] / bare['fps'] if bare.get('fps') else 0:.2f}x that)")
    load = os.getloadavg()[0]
    print(f"  machine load average during the run: {load:.1f} on {os.cpu_count()} cores")
    met = full["first_s"] < 1.5 and full["fps"] >= 15 and full["cpu"] < 1.0
    print(f"  goals {'met' if met else 'NOT met'}")
    return 0
