"""A mirror that announces the whole bundle and hangs up halfway: the download fails as
unreachable (not an error of the poll), v1 keeps running, and the next poll gets v2.
"""

from __future__ import annotations

from http.server import SimpleHTTPRequestHandler

from kiosk.updates.state import CheckKind, OutcomeKind
from tests.updates.conftest import Setup, assert_unchanged


def test_hang_up_mid_download_is_retried_at_the_next_poll(setup: Setup) -> None:
    setup.publish(1)
    updater = setup.updater()
    assert updater.poll().version == 1
    setup.publish(2)
    served = setup.repo.bundle_file(2)
    url_path = "/" + served.relative_to(setup.repo.repo_dir).as_posix()
    data = served.read_bytes()

    def _half(handler: SimpleHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data[: len(data) // 2])
        handler.wfile.flush()
        handler.close_connection = True
    setup.server.overrides[url_path] = _half

    updater.poll()

    assert updater.heartbeat()["update_check"] == CheckKind.UNREACHABLE
    assert "download failed" in updater.heartbeat()["update_check_reason"]
    assert_unchanged(updater, 1)

    del setup.server.overrides[url_path]
    assert updater.poll().kind == OutcomeKind.ACTIVATED
    assert updater.active_bundle().version == 2  # type: ignore[union-attr]
