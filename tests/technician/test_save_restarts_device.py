"""Saving a device's settings rewrites the site file and reopens only that device, with the new
parameters, in the running hub (no app restart)."""

from __future__ import annotations

import time
from pathlib import Path

from kiosk.adapters.devices import DeviceHub
from kiosk.boot.settings import load_settings
from kiosk.technician.services import TechnicianServices


def test_camera_resolution_saved_and_applied(tmp_path: Path) -> None:
    env = {"KIOSK__PATHS__DATA_DIR": str(tmp_path / "data")}
    settings = load_settings(environ=env)
    hub = DeviceHub({"camera": "sim://camera", "scanner": "none"}, call_soon=lambda fn: fn())
    hub.start(lambda name, event: None)
    try:
        services = TechnicianServices(settings, hub, site_file=tmp_path / "site.toml",
                                      probe_ipp=False)
        result = services.save_device("camera", "sim://camera",
                                      {"camera_resolution": "1280x720"})
        assert result.ok, result.reason
        saved = load_settings(site_file=tmp_path / "site.toml", environ=env)
        assert saved.hardware.camera_resolution == "1280x720"
        camera = hub.get("camera")
        assert camera is not None
        deadline = time.monotonic() + 20
        while camera.resolution is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert camera.resolution == (1280, 720)
        refused = services.save_device("camera", "webcam0", {})
        assert not refused.ok and "devices.camera" in refused.reason
        assert hub.urls()["camera"] == "sim://camera"
    finally:
        hub.stop()
