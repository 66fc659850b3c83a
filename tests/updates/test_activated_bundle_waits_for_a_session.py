"""An activated bundle (an emergency rollback included) reached the screen of an idle terminal only
after the next resident's session ended, and the fleet still reported the old version. Now an
idle terminal loads the new catalogue after the poll that activated it, and reports it; a
terminal in session keeps its catalogue until the session ends."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from kiosk.boot.composition import build_kiosk
from kiosk.boot.settings import load_settings
from kiosk.core.session import Phase
from kiosk.core.tasks import InlineRunner
from kiosk.updates.repository import Audience
from tests.updates.conftest import SERVICES, TERMINAL_ID, Setup

DEVICES = ("idcard", "smartcard", "camera", "scanner", "receipt_printer", "document_printer")
POLL_SECONDS = 10.0  # the shortest poll interval the settings allow


def _wait(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.slow
def test_idle_terminal_shows_the_new_catalogue_within_one_poll(setup: Setup) -> None:
    root = setup.tmp / "trusted_root.json"
    root.write_bytes(setup.trusted_root)
    env = {"KIOSK__PATHS__DATA_DIR": str(setup.tmp / "kiosk-data"),
           "KIOSK__TERMINAL_ID": TERMINAL_ID,
           "KIOSK__UPDATES__REPO_URL": setup.server.url,
           "KIOSK__UPDATES__TRUSTED_ROOT": str(root),
           "KIOSK__UPDATES__POLL_INTERVAL_SECONDS": str(POLL_SECONDS),
           **{f"KIOSK__DEVICES__{name.upper()}": "none" for name in DEVICES}}
    setup.publish(1)
    parts = build_kiosk(load_settings(environ=env), InlineRunner())
    builtin = {e.service_id for e in parts.catalogue.entries()}
    assert len(builtin) > len(SERVICES) and parts.bundle_version == "builtin"
    try:
        parts.start_devices()   # the first poll runs at once
        assert _wait(lambda: parts.bundle_version == "1", POLL_SECONDS)
        assert parts.lifecycle.phase is Phase.ATTRACT  # no resident was needed
        assert {e.service_id for e in parts.catalogue.entries()} == set(SERVICES)
        report = parts.heartbeat.report()
        assert report.bundle_version == "1"
        assert "bundle 1 activated" in report.last_update["update_summary"]

        # A resident is in session: the next bundle (an emergency rollback to 1's content)
        # is staged, not switched under them.
        parts.lifecycle.start("touch")
        setup.repo.rollback(1, [Audience("all")])
        assert _wait(lambda: parts.updater.status()["staged"] == 2, 2 * POLL_SECONDS)
        assert parts.bundle_version == "1"
        parts.lifecycle.end("finished")  # the session ends: the switch happens at the wipe
        assert _wait(lambda: parts.bundle_version == "2", POLL_SECONDS)
        assert parts.heartbeat.report().bundle_version == "2"
    finally:
        parts.close()
