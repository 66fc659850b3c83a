"""The kiosk of the 视频帮办 UI tests: the real composition (SDL offscreen) with video help on,
the simulated camera, and its console link pointed at a real aiortc staff peer
(kiosk.harness.video_staff.StaffConsole) that knows the terminal by ``token``."""

from __future__ import annotations

from pathlib import Path

from kiosk.harness.video_staff import StaffConsole
from tests.ui.conftest import RunningKiosk, start_kiosk


def start_video_kiosk(tmp: Path, staff: StaffConsole, token: str) -> RunningKiosk:
    """Start the kiosk in ``tmp`` with video help reaching ``staff``; devices ready."""
    token_file = tmp / "console.token"
    token_file.write_text(token, encoding="utf-8")
    token_file.chmod(0o600)
    running = start_kiosk(tmp, {"KIOSK__VIDEO__ENABLED": "true",
                                "KIOSK__CONSOLE__URL": staff.url,
                                "KIOSK__CONSOLE__TOKEN_FILE": str(token_file),
                                "KIOSK__CONSOLE__INTERVAL_SECONDS": "3600",
                                "KIOSK__DEVICES__CAMERA": "sim://camera"})
    running.wait_devices_ready("idcard", "camera")
    return running
