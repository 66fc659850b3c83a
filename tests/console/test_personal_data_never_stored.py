"""Personal data has no way into the console: unknown fields are refused, and the free-text
fields a terminal does send (a device's reason, an event's detail, a command's outcome) are
masked before they are stored or shown."""

from __future__ import annotations

from sqlalchemy import select

from kiosk.console.models import Command, Terminal, TerminalEvent
from kiosk.platform.console_client import ConsoleClient, event
from tests.console.helpers import Console

ID = "110105199001011234"
PHONE = "13812345678"


def test_free_text_from_a_terminal_is_masked(console: Console) -> None:
    token = console.enrol("T-1")
    console.add_user("op1", "operator")
    client = ConsoleClient(console.url, "T-1", token)
    client.heartbeat({"app_version": "0.1.0", "devices": {
        "id_reader": {"state": "error", "supplies": "n/a", "reason": f"card {ID} stuck"}}})
    client.events([event("device_fault", "printer", f"job for {PHONE} jammed")])
    operator = console.login("op1")
    operator.post("/terminals/T-1/commands", {"kind": "diagnostics"})
    (command,) = client.heartbeat({"app_version": "0.1.0", "devices": {}})
    client.ack(command.id, False, f"upload failed while {ID} was on screen")

    page = operator.get("/terminals/T-1").text
    assert ID not in page and PHONE not in page
    assert "110105********1234" in page
    with console.sessions() as db:
        stored = [str(t.devices) for t in db.scalars(select(Terminal))]
        stored += [e.detail for e in db.scalars(select(TerminalEvent))]
        stored += [c.outcome for c in db.scalars(select(Command))]
    assert not any(ID in text or PHONE in text for text in stored)
