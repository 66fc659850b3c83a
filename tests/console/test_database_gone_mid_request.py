"""The database vanishes while the console runs: people get a page in Chinese saying nothing
was saved, terminals get 503 with a message (their outbox keeps the report), no traceback."""

from __future__ import annotations

import psycopg
import pytest
import requests

from kiosk.platform.console_client import ConsoleClient, ConsoleError
from tests.console.helpers import Console


@pytest.mark.parametrize("console", ["postgresql"], indirect=True)
def test_database_dropped_under_the_console(console: Console, pg_server: str) -> None:
    console.add_user("op1", "operator")
    token = console.enrol("T-1")
    browser = console.login("op1")
    client = ConsoleClient(console.url, "T-1", token)
    assert client.heartbeat({"app_version": "0.1.0"}) == []

    name = console.database_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')

    page = browser.get("/fleet")
    assert page.status_code == 503
    assert "数据库暂时不可用" in page.text and "没有保存" in page.text
    assert "Traceback" not in page.text
    with pytest.raises(ConsoleError) as failed:
        client.heartbeat({"app_version": "0.1.0"})
    assert failed.value.kind == "server_error" and failed.value.status == 503
    answer = requests.post(f"{console.url}/api/v1/terminals/T-1/events", timeout=10,
                           json={"events": [{"kind": "paper_out"}]},
                           headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 503 and answer.json()["message"]
