"""Error mapping of the client: closed kinds, plain messages, nonsense answers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.platform import ErrorKind, PlatformClient, PlatformError
from kiosk.platform.errors import DEFAULT_MESSAGES, kind_for_status


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, ErrorKind.INVALID),
        (401, ErrorKind.REJECTED),
        (403, ErrorKind.REJECTED),
        (404, ErrorKind.NOT_FOUND),
        (408, ErrorKind.TIMEOUT),
        (409, ErrorKind.INVALID),
        (413, ErrorKind.INVALID),
        (422, ErrorKind.INVALID),
        (429, ErrorKind.UNAVAILABLE),
        (500, ErrorKind.SERVER_ERROR),
        (502, ErrorKind.UNAVAILABLE),
        (503, ErrorKind.UNAVAILABLE),
        (504, ErrorKind.TIMEOUT),
        (599, ErrorKind.SERVER_ERROR),
    ],
)
def test_status_to_kind(status: int, kind: ErrorKind) -> None:
    assert kind_for_status(status) is kind


def test_every_kind_has_a_chinese_message() -> None:
    assert set(DEFAULT_MESSAGES) == set(ErrorKind)
    for kind in ErrorKind:
        error = PlatformError(kind)
        assert error.message == DEFAULT_MESSAGES[kind] and "请" in error.message
        assert str(error) == kind.value


class _Nonsense(BaseHTTPRequestHandler):
    """Answers 200 with HTML on /html, 200 with JSON of the wrong shape elsewhere."""

    def do_GET(self) -> None:
        body = b"<html>proxy login</html>" if self.path.startswith("/html") else b'{"x": 1}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def nonsense() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Nonsense)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_html_answer_is_a_server_error(nonsense: str) -> None:
    with (
        PlatformClient(nonsense + "/html", retries=0) as client,
        pytest.raises(PlatformError) as caught,
    ):
        client.health()
    assert caught.value.kind is ErrorKind.SERVER_ERROR and caught.value.code == "bad_json"


def test_wrong_shape_is_a_server_error(nonsense: str) -> None:
    with PlatformClient(nonsense, retries=0) as client, pytest.raises(PlatformError) as caught:
        client.terminals()
    assert caught.value.kind is ErrorKind.SERVER_ERROR
    assert caught.value.code == "bad_answer:terminals"


def test_empty_path_segment_is_refused_before_sending(nonsense: str) -> None:
    with PlatformClient(nonsense, retries=0) as client, pytest.raises(PlatformError) as caught:
        client.profile("")
    assert caught.value.kind is ErrorKind.INVALID
