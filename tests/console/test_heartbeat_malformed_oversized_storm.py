"""Hostile or broken terminal input: garbage, wrong types, unknown fields (such as personal
data), oversized bodies, and a heartbeat storm each get a status code and a message, and the
stored state is untouched."""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests

from kiosk.console.app import create_app
from kiosk.console.models import Terminal, TerminalEvent
from kiosk.console.server import start_server
from kiosk.console.settings import ConsoleSettings
from kiosk.console.wire import MAX_BODY_BYTES
from tests.console.helpers import Console

GOOD: dict[str, Any] = {"app_version": "0.1.0", "bundle_version": "2026.11.1",
        "devices": {"printer": {"state": "ready", "supplies": "ok", "reason": ""}},
        "outbox_depth": 2, "sessions": 7, "ratings": 3,
        "last_update": {"outcome": "ok", "version": "2026.11.1", "at": ""}}

BAD_BODIES = {
    "not json": b"{heartbeat",
    "empty": b"",
    "a list": b"[]",
    "wrong type": b'{"app_version": "1", "outbox_depth": "many"}',
    "negative count": b'{"app_version": "1", "sessions": -1}',
    "unknown device state": b'{"app_version": "1", "devices": {"printer": {"state": "on fire"}}}',
    "personal field": b'{"app_version": "1", "resident_name": "\\u5f20\\u4e09"}',
    "device name with markup": b'{"app_version": "1", "devices": {"<b>x</b>": {"state": "ready"}}}',
    "long version": b'{"app_version": "' + b"9" * 100 + b'"}',
}


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_malformed_heartbeat_refused(console: Console, name: str) -> None:
    token = console.enrol("T-1")
    answer = requests.post(f"{console.url}/api/v1/terminals/T-1/heartbeat",
                           data=BAD_BODIES[name], timeout=10,
                           headers={"Authorization": f"Bearer {token}",
                                    "Content-Type": "application/json"})
    assert answer.status_code == 422, name
    assert answer.json()["error"] == "invalid" and answer.json()["message"]
    with console.sessions() as db:
        assert db.get(Terminal, "T-1").last_heartbeat_at is None  # type: ignore[union-attr]


def test_oversized_bodies_refused(console: Console) -> None:
    token = console.enrol("T-1")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    big = b'{"app_version": "1", "bundle_version": "' + b"a" * MAX_BODY_BYTES + b'"}'
    answer = requests.post(f"{console.url}/api/v1/terminals/T-1/heartbeat", data=big,
                           headers=headers, timeout=10)
    assert answer.status_code == 413 and answer.json()["message"]

    def chunks():  # no Content-Length: the limit holds while streaming too
        yield b'{"events": ['
        for _ in range(2000):
            yield b'{"kind": "paper_low", "device": "printer", "detail": "' + b"x" * 150 + b'"},'
        yield b"]}"

    streamed = requests.post(f"{console.url}/api/v1/terminals/T-1/events", data=chunks(),
                             headers=headers, timeout=10)
    assert streamed.status_code == 413
    too_many = {"events": [{"kind": "paper_low", "device": "printer"}] * 101}
    assert requests.post(f"{console.url}/api/v1/terminals/T-1/events", json=too_many,
                         headers=headers, timeout=10).status_code == 422
    with console.sessions() as db:
        assert db.query(TerminalEvent).count() == 0


def test_heartbeat_storm_gets_429_and_retry_after(tmp_path: os.PathLike[str]) -> None:
    app = create_app(ConsoleSettings(database_url=f"sqlite:///{tmp_path}/c.db",
                                     heartbeat_min_interval_seconds=30.0))
    handle = start_server(app)
    try:
        console = Console(handle.url, app.state.sessions, app.state.clock, "")
        token = console.enrol("T-1")
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        answers = [http.post(f"{handle.url}/api/v1/terminals/T-1/heartbeat", json=GOOD,
                             timeout=10) for _ in range(20)]
        assert answers[0].status_code == 200
        assert {a.status_code for a in answers[1:]} == {429}
        assert 1 <= int(answers[-1].headers["Retry-After"]) <= 31
    finally:
        handle.stop()


def test_event_storm_gets_429_and_keeps_what_fit(console: Console) -> None:
    token = console.enrol("T-1")
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    batch = {"events": [{"kind": "paper_low", "device": "printer"}] * 50}
    answers = [http.post(f"{console.url}/api/v1/terminals/T-1/events", json=batch, timeout=10)
               for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 429, 429]
    assert answers[-1].headers["Retry-After"] == "60"
    with console.sessions() as db:
        assert db.query(TerminalEvent).count() == 100
    console.clock.advance(61)  # type: ignore[attr-defined]
    assert http.post(f"{console.url}/api/v1/terminals/T-1/events", json=batch,
                     timeout=10).status_code == 200
