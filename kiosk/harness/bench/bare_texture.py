"""A floor for `kiosk bench video`: a bare Kivy window (1920x1080, SDL offscreen, the kiosk's
window settings) that blits a new 640x480 RGB frame into one texture each loop and redraws;
prints frames per second and the process's CPU share as JSON. What any Kivy screen showing
video costs on this machine, without the kiosk, aiortc or a call."""

from __future__ import annotations

import json
import sys
import time

import numpy as np

from kiosk.ui.window import prepare


def main(seconds: float = 5.0) -> None:
    """Run the loop for ``seconds`` (after one second of warm-up) and print the figures."""
    prepare(1920, 1080)
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.graphics import Rectangle
    from kivy.graphics.texture import Texture
    from kivy.uix.widget import Widget

    EventLoop.ensure_window()
    widget = Widget(size=Window.size)
    texture = Texture.create(size=(640, 480), colorfmt="rgb")
    with widget.canvas:
        Rectangle(texture=texture, pos=(1400, 500), size=(480, 360))
    Window.add_widget(widget)
    frames = [np.full((480, 640, 3), i * 8 % 256, np.uint8) for i in range(32)]
    count = 0
    start = time.monotonic()
    cpu0 = 0.0
    measuring = False
    while True:
        now = time.monotonic()
        if not measuring and now - start >= 1.0:
            measuring, start, count, cpu0 = True, now, 0, time.process_time()
        if measuring and now - start >= seconds:
            break
        texture.blit_buffer(frames[count % 32].tobytes(), colorfmt="rgb", bufferfmt="ubyte")
        widget.canvas.ask_update()
        EventLoop.idle()
        count += 1
    wall = time.monotonic() - start
    print(json.dumps({"fps": count / wall, "cpu": (time.process_time() - cpu0) / wall}))


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 5.0)
