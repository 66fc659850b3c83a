"""Camera URLs parse into typed sources; bad URLs are configuration errors; the simulator is
refused when simulators are not allowed."""

from __future__ import annotations

import pytest

from drivers.camera import CameraUrlError, SourceKind, open_camera, parse_camera_url


@pytest.mark.parametrize(("url", "kind", "target"), [
    ("opencv://0", SourceKind.INDEX, 0),
    ("opencv://2", SourceKind.INDEX, 2),
    ("opencv:///dev/video0", SourceKind.DEVICE, "/dev/video0"),
    ("opencv:///dev/v4l/by-id/usb-cam-video-index0", SourceKind.DEVICE,
     "/dev/v4l/by-id/usb-cam-video-index0"),
    ("opencv+file:///srv/demo/a.mp4", SourceKind.FILE, "/srv/demo/a.mp4"),
    ("opencv+rtsp://user:pw@10.0.0.5/stream1", SourceKind.STREAM, "rtsp://user:pw@10.0.0.5/stream1"),
    ("sim://camera", SourceKind.SIMULATOR, "camera"),
])
def test_valid_urls(url: str, kind: SourceKind, target: object) -> None:
    source = parse_camera_url(url)
    assert source.kind is kind
    assert source.target == target


def test_stream_description_hides_credentials() -> None:
    text = parse_camera_url("opencv+rtsp://user:secret@10.0.0.5/stream1").describe()
    assert "secret" not in text and "10.0.0.5" in text


@pytest.mark.parametrize("url", [
    "opencv://zero", "opencv://0/extra", "opencv:///etc/passwd", "opencv+file://host/a.mp4",
    "sim://scanner", "http://camera", "", "v4l2://0",
])
def test_invalid_urls(url: str) -> None:
    with pytest.raises(CameraUrlError):
        parse_camera_url(url)


def test_simulator_refused_in_production() -> None:
    with pytest.raises(CameraUrlError):
        open_camera("sim://camera", allow_simulator=False)


def test_simulator_camera_has_a_handle() -> None:
    camera = open_camera("sim://camera", width=320, height=240, scene="face")
    try:
        assert camera.simulator is not None
        assert camera.simulator.scene == "face"
        assert camera.simulator.target().endswith(".avi")
    finally:
        assert camera.simulator is not None
        camera.simulator.close()
