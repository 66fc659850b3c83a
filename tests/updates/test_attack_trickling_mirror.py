"""A mirror that trickles one byte per second (in the body, or in the response headers) never
holds a download past its deadline by more than a second, and never holds activation: the
download is refused, v1 keeps running, and `activate()` returns at once meanwhile.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler

import pytest

from kiosk.updates.httpserve import send_trickle
from kiosk.updates.state import OutcomeKind
from tests.updates.conftest import Setup, assert_unchanged

DEADLINE_SECONDS = 2.0
#: How late a download may end after its deadline (the issue's bound).
SLACK_SECONDS = 1.0


def _trickle_headers(data: bytes) -> Callable[[SimpleHTTPRequestHandler], None]:
    """Override: a status line, then a header one byte per second (the body never comes)."""
    def _send(handler: SimpleHTTPRequestHandler) -> None:
        try:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nX-Slow: " % len(data))
            handler.wfile.flush()
            for _ in range(60):
                handler.wfile.write(b"a")
                handler.wfile.flush()
                time.sleep(1.0)
        except (BrokenPipeError, ConnectionResetError):
            return
    return _send


def _one_byte_per_second(data: bytes) -> Callable[[SimpleHTTPRequestHandler], None]:
    return send_trickle(data, chunk_bytes=1, pause_seconds=1.0)


@pytest.mark.slow
@pytest.mark.parametrize("trickle", [_one_byte_per_second, _trickle_headers],
                         ids=["body", "headers"])
def test_trickling_mirror_is_cut_off_within_a_second_of_the_deadline(
        setup: Setup, update_log, trickle: Callable[[bytes],
                                                    Callable[[SimpleHTTPRequestHandler], None]]
) -> None:
    setup.publish(1)
    updater = setup.updater(download_deadline_seconds=DEADLINE_SECONDS)
    assert updater.poll().version == 1
    setup.publish(2)
    served = setup.repo.bundle_file(2)
    url_path = "/" + served.relative_to(setup.repo.repo_dir).as_posix()
    asked_at: list[float] = []
    inner = trickle(served.read_bytes())

    def _timed(handler: SimpleHTTPRequestHandler) -> None:
        asked_at.append(time.monotonic())
        inner(handler)
    setup.server.overrides[url_path] = _timed

    result: list[object] = []
    polling = threading.Thread(target=lambda: result.append(updater.poll()))
    polling.start()
    while not asked_at and polling.is_alive():
        time.sleep(0.05)
    # meanwhile a session ends: activation must not wait for the trickling download
    started = time.monotonic()
    updater.activate()
    activate_seconds = time.monotonic() - started
    polling.join(timeout=DEADLINE_SECONDS + 30)
    ended_at = time.monotonic()

    assert not polling.is_alive()
    outcome = result[0]
    assert outcome.kind == OutcomeKind.REJECTED and outcome.version == 2  # type: ignore[attr-defined]
    assert "DownloadDeadlineError" in outcome.reason  # type: ignore[attr-defined]
    assert asked_at, "the bundle was requested"
    late = ended_at - asked_at[0] - DEADLINE_SECONDS
    assert late <= SLACK_SECONDS, f"download ended {late:.2f} s after its deadline"
    assert activate_seconds < SLACK_SECONDS, "activate() waited for the download"
    assert_unchanged(updater, 1)
    assert update_log("update_rejected")
    print(f"\n{trickle.__name__}: cut off {late * 1000:.0f} ms after the {DEADLINE_SECONDS:g} s "
          f"deadline; activate() returned in {activate_seconds * 1000:.0f} ms")
