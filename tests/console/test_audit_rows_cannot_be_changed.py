"""The audit log is append-only: the ORM refuses, the database refuses, no route changes it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kiosk.console import audit
from kiosk.console.db import open_database, utcnow
from kiosk.console.models import AuditEntry, AuditLogIsAppendOnly
from tests.console.helpers import Console


def _one_entry(db_url: str):  # type: ignore[no-untyped-def]
    engine, sessions = open_database(db_url)
    with sessions() as db:
        entry = audit.record(db, at=utcnow(), actor="zhang", role="admin", action="user_create",
                             target="li", source_ip="10.0.0.5", new_role="viewer")
        db.commit()
        entry_id = entry.id
    return engine, sessions, entry_id


def test_orm_refuses_update_and_delete(db_url: str) -> None:
    engine, sessions, entry_id = _one_entry(db_url)
    try:
        with sessions() as db:
            entry = db.get(AuditEntry, entry_id)
            assert entry is not None
            entry.actor = "someone-else"
            with pytest.raises(AuditLogIsAppendOnly):
                db.commit()
        with sessions() as db:
            entry = db.get(AuditEntry, entry_id)
            db.delete(entry)
            with pytest.raises(AuditLogIsAppendOnly):
                db.commit()
        with sessions() as db:
            kept = db.get(AuditEntry, entry_id)
            assert kept is not None and kept.actor == "zhang"
    finally:
        engine.dispose()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET actor = 'x'",
    "DELETE FROM audit_log",
])
def test_database_refuses_update_and_delete(db_url: str, statement: str) -> None:
    engine, sessions, entry_id = _one_entry(db_url)
    try:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
        with sessions() as db:
            kept = db.get(AuditEntry, entry_id)
            assert kept is not None and kept.actor == "zhang"
    finally:
        engine.dispose()


def test_no_route_changes_or_removes_audit_rows(console: Console) -> None:
    console.add_user("admin1", "admin")
    browser = console.login("admin1")
    for method in ("delete", "put", "patch", "post"):
        response = browser.http.request(method, f"{console.url}/audit",
                                        data={"csrf_token": browser.csrf}, timeout=10)
        assert response.status_code == 405, method
    page = browser.get("/audit")
    assert "login" in page.text and "admin1" in page.text
