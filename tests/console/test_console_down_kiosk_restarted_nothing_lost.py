"""Nothing the terminal owes the console is lost while the console is down, even across a
restart of the kiosk process, and nothing arrives twice (docs/adr/0701).

A real kiosk process (`console_kiosk_runner`, demo devices, mutual TLS) reports to a console
that is not running: its printer runs out of paper and is refilled, it stops (clean, as on
SIGTERM), a second process on the same data folder starts and the paper runs out again. Then the
console comes up: every event arrives once (2 started, 1 stopped, 2 paper_out, 1 paper_ok), the
queue in the outbox's database is empty. A batch resent with the same ids is stored once."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from kiosk.console import delivery
from kiosk.console.db import utcnow
from kiosk.console.models import TerminalEvent, UsageRecord
from kiosk.platform.console_client import ConsoleClient, event
from tests.console.kiosk_process import KioskProcess, kiosk_env
from tests.console.mtls import fleet_ca, free_port, tls_console

TERMINAL = "BJ-XC-0007"
WAIT_SECONDS = 60.0


def _wait(predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _queued(data: Path) -> Counter[str]:
    """What waits in the kiosk's outbox database for the console, by event kind."""
    path = data / "outbox.sqlite3"
    if not path.exists():
        return Counter()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        try:
            rows = db.execute("SELECT kind, body FROM console_queue").fetchall()
        except sqlite3.OperationalError:
            return Counter()
    import json

    return Counter(json.loads(body).get("kind", kind) if kind == "event" else kind
                   for kind, body in rows)


def _events(sessions: object) -> Counter[str]:
    with sessions() as db:  # type: ignore[operator]
        return Counter(db.scalars(select(TerminalEvent.kind).where(
            TerminalEvent.terminal_id == TERMINAL)))


@pytest.mark.slow
def test_outage_and_restart_lose_nothing_and_double_nothing(tmp_path: Path) -> None:
    ca = fleet_ca(tmp_path)
    creds = ca.enrol(TERMINAL, tmp_path / "terminal")
    port = free_port()  # the console will listen here later; nothing does now
    env = kiosk_env(tmp_path / "kiosk", TERMINAL, f"https://127.0.0.1:{port}", creds)
    data = tmp_path / "kiosk" / "data"

    first = KioskProcess(env, size="800x600")
    try:
        first.send("paper out", "paper out")
        _wait(lambda: _queued(data)["paper_out"] == 1, "paper_out queued")
        first.send("paper ok", "paper ok")
        _wait(lambda: _queued(data)["paper_ok"] == 1, "paper_ok queued")
        assert first.stop() == 0
    finally:
        first.kill()
    assert _queued(data)["stopped"] == 1  # the console was down: it waits on disk

    second = KioskProcess(env, size="800x600")
    try:
        second.send("paper out", "paper out")
        _wait(lambda: _queued(data)["paper_out"] == 2, "second paper_out queued")
        with tls_console(tmp_path, port=port) as fleet:
            fleet.console.enrol(TERMINAL, district="西城区", site="德胜街道便民服务中心")
            want = Counter({"started": 2, "stopped": 1, "paper_out": 2, "paper_ok": 1})
            _wait(lambda: _events(fleet.console.sessions) == want, f"events {want}")
            _wait(lambda: sum(_queued(data).values()) == 0, "the queue emptied")
            assert second.stop() == 0
            want["stopped"] += 1
            _wait(lambda: _events(fleet.console.sessions) == want, "the second stop")
            time.sleep(2)  # a few more rounds would show a resend
            assert _events(fleet.console.sessions) == want
    finally:
        second.kill()


def test_a_resent_batch_is_stored_once(tmp_path: Path) -> None:
    # the client's connections close before the console stops: an idle TLS connection left
    # open holds uvicorn's shutdown (ServerHandle.stop gives up after 15 s)
    with tls_console(tmp_path) as fleet, requests.Session() as http:
        fleet.console.enrol(TERMINAL)
        creds = fleet.certificate(TERMINAL)
        client = ConsoleClient(fleet.url, TERMINAL, session=http,
                               cert=(str(creds.cert_file), str(creds.key_file)),
                               ca_file=str(creds.ca_file))
        batch = [{**event("paper_out", "printer"), "id": "a1" * 16},
                 {**event("paper_ok", "printer"), "id": "b2" * 16}]
        assert client.events(batch) == 2
        assert client.events(batch) == 0  # the answer was lost; the terminal sends again
        assert client.events([batch[1], {**event("paper_low", "printer"),
                                         "id": "c3" * 16}]) == 1
        usage = [{"kind": "session", "occurred_at": "2026-12-01T01:00:00+00:00",
                  "id": "d4" * 16}]
        assert client.usage(usage) == 1
        assert client.usage(usage) == 0
        with fleet.console.sessions() as db:
            kinds = sorted(db.scalars(select(TerminalEvent.kind)))
            assert kinds == ["paper_low", "paper_ok", "paper_out"]
            assert len(list(db.scalars(select(UsageRecord.id)))) == 1
        with fleet.console.sessions() as db:  # the sweep forgets ids after 90 days
            assert delivery.prune(db, utcnow() + timedelta(days=89)) == 0
            assert delivery.prune(db, utcnow() + timedelta(days=91)) == 4
            db.commit()
        ids = [{**event("paper_out", "printer"), "id": "NOT-HEX"}]
        # (no `as refused`: a kept traceback would keep the answer's connection open)
        with pytest.raises(Exception, match="invalid"):
            client.events(ids)

