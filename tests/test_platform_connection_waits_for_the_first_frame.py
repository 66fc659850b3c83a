"""Start-up drew the attract screen only after importing the HTTP stack and the wire models and
starting the demo's sandbox with its PKI. `kiosk run` now connects after the first frame
(kiosk/boot/deferred_platform.py, docs/adr/0815): nothing is connected while the parts are
built, a caller that needs the client before the connection is made gets it made at once,
cancelling before any connection starts none, and closing stops the sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from kiosk import REPO_ROOT
from kiosk.boot.composition import build_kiosk
from kiosk.boot.deferred_platform import THREAD_NAME, DeferredPlatform
from kiosk.boot.settings import load_settings
from kiosk.core.tasks import InlineRunner

OFF = {f"KIOSK__DEVICES__{name}": "none" for name in
       ("IDCARD", "SMARTCARD", "CAMERA", "SCANNER", "RECEIPT_PRINTER", "DOCUMENT_PRINTER")}


def _settings(tmp: Path) -> object:
    return load_settings(environ={"KIOSK__PATHS__DATA_DIR": str(tmp / "data"),
                                  "KIOSK__PLATFORM__DEMO_PORT": "0", **OFF})


def test_nothing_connects_until_asked_then_the_client_works(tmp_path: Path) -> None:
    parts = build_kiosk(_settings(tmp_path), InlineRunner(), defer_platform=True)
    try:
        assert parts.platform is not None and parts.platform.ready() is None
        assert parts.sandbox is None
        assert not any(t.name == THREAD_NAME for t in threading.enumerate())
        assert parts.client.cancel_calls("kiosk-work") == 0  # a wipe before: nothing to cancel
        assert parts.platform.ready() is None  # ... and it did not connect for that
        assert parts.client.health().status  # first use: connected here and now
        assert parts.sandbox is not None and parts.sandbox.url.startswith("https://127.0.0.1:")
        assert any(parts.sandbox.url in note for note in parts.startup_notes())
    finally:
        parts.close()
    assert parts.platform.ready() is not None


def test_connecting_after_the_first_frame_runs_on_its_own_thread(tmp_path: Path) -> None:
    parts = build_kiosk(_settings(tmp_path), InlineRunner(), defer_platform=True)
    seen: list[str] = []
    done = threading.Event()
    assert parts.platform is not None
    parts.platform.when_connected(lambda _c: (seen.append(threading.current_thread().name),
                                              done.set()))
    try:
        parts.connect_platform()
        assert done.wait(60), "the platform never connected"
        assert seen == [THREAD_NAME]
        assert parts.client.health().status
    finally:
        parts.close()


def test_a_connection_that_fails_fails_every_caller_plainly() -> None:
    def refuse() -> object:
        raise OSError("no route")

    platform = DeferredPlatform(refuse)
    for _ in range(2):
        with pytest.raises(OSError, match="no route"):
            platform.client.health()
    assert platform.client.cancel_calls() == 0
    platform.close()


def test_building_the_kiosk_loads_no_http_stack_nor_wire_models() -> None:
    script = textwrap.dedent("""
        import sys
        import kiosk.boot.launcher, kiosk.boot.composition, kiosk.boot.commands.run
        import kiosk.printing.service, kiosk.ops.outbox, kiosk.adapters.identity
        heavy = ("requests", "pydantic", "cryptography", "kiosk.platform.client",
                 "kiosk.platform.models", "kiosk.sandbox.server")
        print(sorted(m for m in heavy if m in sys.modules))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)), timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]", done.stdout
