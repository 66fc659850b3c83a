"""Many frames through the pump (as over days of preview) do not grow memory, threads or open
files. Bounds on growth, not on time. A leak of every frame would be ~460 MB here."""

from __future__ import annotations

import gc

from drivers.camera import open_camera
from drivers.camera.face import FaceAnalyser
from tests.drivers.device_events import open_fds, os_threads, rss_bytes, wait_until

FRAMES = 2000
RSS_GROWTH_LIMIT_BYTES = 25 * 1024 * 1024


def test_rss_threads_and_files_stable_over_2000_frames() -> None:
    camera = open_camera("sim://camera", width=320, height=240, scene="face", pace_fps=0,
                         queue_size=4, emit_frames=True, reconnect_delay_s=0.02)
    sim = camera.simulator
    assert sim is not None
    analyser = FaceAnalyser()
    frame_events = 0

    def listener(event: object) -> None:
        nonlocal frame_events
        frame_events += 1  # frame events are not kept

    try:
        camera.start(listener)
        wait_until(lambda: camera.stats().frames >= 200)  # warm-up: codecs, pools, caches
        for _ in range(20):
            frame = camera.get(timeout_s=5)
            assert frame is not None
            analyser.analyse(frame.image)
        gc.collect()
        rss0, threads0, fds0 = rss_bytes(), os_threads(), open_fds()
        start = camera.stats().frames
        seq = 0
        while camera.stats().frames < start + FRAMES:
            frame = camera.wait_newer(seq, timeout_s=5)
            assert frame is not None
            seq = frame.seq
            if seq % 200 == 0:
                analyser.analyse(frame.image)  # consumers come and go
            if seq % 700 == 0:
                sim.unplug()  # and the camera drops now and then
                sim.replug()
        gc.collect()
        rss1, threads1, fds1 = rss_bytes(), os_threads(), open_fds()
        stats = camera.stats()
        assert stats.frames >= start + FRAMES
        assert stats.dropped >= FRAMES - 4 * 10  # the queue stayed bounded
        assert rss1 - rss0 < RSS_GROWTH_LIMIT_BYTES, f"RSS grew {(rss1 - rss0) / 1e6:.1f} MB"
        assert threads1 <= threads0
        assert fds1 <= fds0
        assert frame_events >= FRAMES
    finally:
        camera.stop()
        sim.close()
