"""A terminal without valid credentials for itself is refused (401) and nothing is stored:
no token, a wrong token, another terminal's token, a revoked terminal, an unknown one."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from kiosk.console.models import Terminal, TerminalEvent
from tests.console.helpers import Console

BEAT: dict[str, Any] = {"app_version": "0.1.0",
                        "devices": {"printer": {"state": "ready", "supplies": "ok"}}}


def _beat(console: Console, terminal: str, headers: dict[str, str]) -> requests.Response:
    return requests.post(f"{console.url}/api/v1/terminals/{terminal}/heartbeat", json=BEAT,
                         headers=headers, timeout=10)


@pytest.mark.parametrize("console", ["sqlite", "postgresql"], indirect=True)
def test_refused_terminals(console: Console) -> None:
    token_a = console.enrol("T-A")
    token_b = console.enrol("T-B")
    cases = {
        "no token": ("T-A", {}),
        "not bearer": ("T-A", {"Authorization": f"Basic {token_a}"}),
        "wrong token": ("T-A", {"Authorization": "Bearer " + "x" * 43}),
        "other terminal's token": ("T-A", {"Authorization": f"Bearer {token_b}"}),
        "unknown terminal": ("T-Z", {"Authorization": f"Bearer {token_a}"}),
    }
    for name, (terminal, headers) in cases.items():
        answer = _beat(console, terminal, headers)
        assert answer.status_code == 401, name
        assert answer.json()["error"] == "terminal_refused"
    events = requests.post(f"{console.url}/api/v1/terminals/T-A/events",
                           json={"events": [{"kind": "paper_out", "device": "printer"}]},
                           headers={"Authorization": f"Bearer {token_b}"}, timeout=10)
    assert events.status_code == 401
    ack = requests.post(f"{console.url}/api/v1/terminals/T-A/commands/1/ack",
                        json={"ok": True}, headers={"Authorization": f"Bearer {token_b}"},
                        timeout=10)
    assert ack.status_code == 401
    garbage = requests.post(f"{console.url}/api/v1/terminals/T-A/heartbeat", data=b"{",
                            headers={"Authorization": "Bearer forged"}, timeout=10)
    assert garbage.status_code == 401  # identity is checked before the body is parsed
    with console.sessions() as db:
        assert db.get(Terminal, "T-A").last_heartbeat_at is None  # type: ignore[union-attr]
        assert db.query(TerminalEvent).count() == 0
    assert _beat(console, "T-A", {"Authorization": f"Bearer {token_a}"}).status_code == 200


def test_revoked_terminal_refused_until_rekeyed(console: Console) -> None:
    console.add_user("admin1", "admin")
    token = console.enrol("T-A")
    auth = {"Authorization": f"Bearer {token}"}
    assert _beat(console, "T-A", auth).status_code == 200
    admin = console.login("admin1")
    assert admin.post("/enrol/T-A/revoke").status_code == 200
    assert _beat(console, "T-A", auth).status_code == 401
    page = admin.post("/enrol/T-A/rekey")
    new_token = page.text.split('<pre id="enrolment-token">')[1].split("</pre>")[0].strip()
    assert _beat(console, "T-A", auth).status_code == 401  # the old token stays dead
    assert _beat(console, "T-A", {"Authorization": f"Bearer {new_token}"}).status_code == 200
    audit = admin.get("/audit").text
    assert "terminal_revoke" in audit and "terminal_rekey" in audit
    assert new_token not in audit
