"""The kiosk of the 视频帮办 UI tests: the real composition (SDL offscreen) with video help on,
the simulated camera, and its console link pointed at a real aiortc staff peer
(kiosk.harness.video_staff.StaffConsole) that knows the terminal by ``token``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.harness.video_staff import StaffConsole
from tests.ui.conftest import RunningKiosk, start_kiosk, stop_kiosk


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


def video_fixtures(token: str, folder: str) -> tuple[Any, Any]:
    """The module-scoped ``staff`` and ``kiosk`` fixtures of a video UI test module (assign
    them to those names): one staff peer knowing ``token`` and one kiosk in ``folder``."""

    @pytest.fixture(scope="module")
    def staff() -> Iterator[StaffConsole]:
        console = StaffConsole(token).start()
        yield console
        console.stop()

    @pytest.fixture(scope="module")
    def kiosk(tmp_path_factory: pytest.TempPathFactory,
              staff: StaffConsole) -> Iterator[RunningKiosk]:
        running = start_video_kiosk(tmp_path_factory.mktemp(folder), staff, token)
        yield running
        stop_kiosk(running)

    return staff, kiosk
