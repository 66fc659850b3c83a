"""A heartbeat storm from one terminal is answered with 429 and costs the console next to
nothing, so the other terminals' heartbeats go through: a call while the same terminal's
previous one is still in progress is refused before any database work (no statement at all), a
heartbeat too soon after the last costs one read and no write, and another terminal's
heartbeats are stored throughout. (Work is counted in SQL statements, not timed.)"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import event

from kiosk.console.app import create_app
from kiosk.console.db import utcnow
from kiosk.console.models import Terminal
from kiosk.console.server import ServerHandle, start_server
from kiosk.console.settings import ConsoleSettings
from tests.console.conftest import Clock
from tests.console.helpers import Console

BEAT: dict[str, Any] = {"app_version": "0.1.0",
                        "devices": {"printer": {"state": "ready", "supplies": "ok"}}}


@pytest.fixture
def served(tmp_path: os.PathLike[str]) -> Iterator[tuple[Console, ServerHandle, list[str]]]:
    clock = Clock()
    app = create_app(ConsoleSettings(database_url=f"sqlite:///{tmp_path}/c.db",
                                     heartbeat_min_interval_seconds=30.0), clock=clock)
    statements: list[str] = []
    # On SQLite the heartbeat's sessions use the same engine (in autocommit), so its
    # listener sees every statement.
    event.listen(app.state.engine, "before_cursor_execute",
                 lambda conn, cursor, sql, *rest: statements.append(sql))
    handle = start_server(app)
    try:
        yield Console(handle.url, app.state.sessions, clock, ""), handle, statements
    finally:
        handle.stop()


def _post(token: str, tid: str, url: str, data: Any = None, **kwargs: Any) -> requests.Response:
    return requests.post(f"{url}/api/v1/terminals/{tid}/heartbeat", timeout=30,
                         headers={"Authorization": f"Bearer {token}",
                                  "Content-Type": "application/json"},
                         data=data if data is not None else json.dumps(BEAT),
                         **kwargs)


def test_storm_refused_while_others_are_stored(
        served: tuple[Console, ServerHandle, list[str]]) -> None:
    console, handle, _ = served
    storm_token, calm_token = console.enrol("STORM"), console.enrol("CALM")
    assert _post(storm_token, "STORM", handle.url).status_code == 200
    stop = threading.Event()

    def storm() -> list[requests.Response]:
        answers = []
        while not stop.is_set():
            answers.append(_post(storm_token, "STORM", handle.url))
        return answers

    with ThreadPoolExecutor(8) as pool:
        storms = [pool.submit(storm) for _ in range(8)]
        calm = []
        for _ in range(5):  # the calm terminal's heartbeats, 31 s apart on the console's clock
            calm.append(_post(calm_token, "CALM", handle.url))
            console.clock.advance(31)  # type: ignore[attr-defined]
        stop.set()
        stormed = [a for f in storms for a in f.result()]
    assert [a.status_code for a in calm] == [200] * 5
    refused = [a for a in stormed if a.status_code == 429]
    assert len(refused) >= len(stormed) - 5  # at most one accepted per 31-s step
    assert {a.status_code for a in stormed} <= {200, 429}
    assert all(a.headers["Retry-After"] and a.json()["message"] for a in refused)
    with console.sessions() as db:
        calm_row = db.get(Terminal, "CALM")
        assert calm_row is not None and calm_row.last_heartbeat_at is not None


def test_a_call_while_the_previous_is_in_progress_costs_no_statement(
        served: tuple[Console, ServerHandle, list[str]]) -> None:
    console, handle, statements = served
    storm_token, calm_token = console.enrol("STORM"), console.enrol("CALM")
    release = threading.Event()
    started = threading.Event()

    def slow_body() -> Iterator[bytes]:  # the first call stays in progress until released
        yield b'{"app_version": "0.1.0",'
        started.set()
        release.wait(20)
        yield b' "devices": {}}'

    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(_post, storm_token, "STORM", handle.url, slow_body())
        assert started.wait(20)
        # The console may not have read the headers yet: retry until it has.
        for _ in range(200):
            before = len(statements)
            second = _post(storm_token, "STORM", handle.url)
            if second.status_code == 429:
                break
        assert second.status_code == 429
        assert "still being handled" in second.json()["message"]
        assert second.headers["Retry-After"] == "1"
        assert len(statements) == before  # refused before any database work
        other = _post(calm_token, "CALM", handle.url)
        assert other.status_code == 200  # another terminal is not held up
        release.set()
        assert first.result().status_code == 200
    statements.clear()
    too_soon = _post(storm_token, "STORM", handle.url)
    assert too_soon.status_code == 429 and too_soon.json()["message"] == "heartbeat too soon"
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("SELECT")
    statements.clear()
    console.clock.advance(31)  # type: ignore[attr-defined]
    assert _post(storm_token, "STORM", handle.url).status_code == 200
    assert [s.split()[0].upper() for s in statements] == ["SELECT", "UPDATE"]  # routine: 2


def test_a_routine_heartbeat_stores_what_changed_in_one_update(
        served: tuple[Console, ServerHandle, list[str]]) -> None:
    console, handle, statements = served
    token = console.enrol("T-1")
    assert _post(token, "T-1", handle.url).status_code == 200  # the first: not routine
    console.clock.advance(31)  # type: ignore[attr-defined]
    statements.clear()
    later = {**BEAT, "app_version": "0.2.0", "sessions": 12, "outbox_depth": 3,
             "cert_not_after": (utcnow() + timedelta(days=200)).isoformat(),
             "devices": {"printer": {"state": "busy", "supplies": "ok",
                                     "reason": "打印 110105199001011234"}}}
    assert _post(token, "T-1", handle.url, json.dumps(later)).status_code == 200
    assert [s.split()[0].upper() for s in statements] == ["SELECT", "UPDATE"]
    with console.sessions() as db:
        row = db.get(Terminal, "T-1")
        assert row is not None
        assert (row.app_version, row.sessions, row.outbox_depth) == ("0.2.0", 12, 3)
        assert row.devices["printer"]["state"] == "busy"
        assert "110105199001011234" not in row.devices["printer"]["reason"]  # masked
        assert row.cert_not_after is not None  # 200 days left: no alert, still routine
        assert row.last_heartbeat_at is not None and not row.degraded
