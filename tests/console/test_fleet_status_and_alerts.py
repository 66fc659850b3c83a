"""Status colours and alerts follow the reports, on SQLite and PostgreSQL: paper out turns a
terminal amber and raises one alert that resolves itself, a silent terminal goes offline and
gets an "offline" alert, out of service wins over degraded, personal data in an event's
detail is masked before it is stored."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kiosk.console import fleet
from kiosk.console.db import open_database, utcnow
from kiosk.console.models import Alert, Terminal, TerminalEvent
from kiosk.console.wire import EventIn, EventKind, HeartbeatIn


def _terminal(db, tid: str = "T-1") -> Terminal:  # type: ignore[no-untyped-def]
    t = Terminal(id=tid, district="海淀区", site="中关村街道", group_name="", token_hash=None,
                 revoked=False, enrolled_at=utcnow(), devices={}, last_update={},
                 app_version="", bundle_version="", outbox_depth=0, sessions=0, ratings=0,
                 out_of_service=False, out_of_service_message="")
    db.add(t)
    db.flush()
    return t


def _beat(printer: str = "ok", state: str = "ready", **extra: object) -> HeartbeatIn:
    return HeartbeatIn.model_validate({
        "app_version": "0.1.0", "devices": {
            "printer": {"state": state, "supplies": printer},
            "id_reader": {"state": "ready", "supplies": "n/a"}}, **extra})


def _open_alerts(db) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return sorted((a.kind, a.device) for a in db.scalars(
        select(Alert).where(Alert.state != "resolved")))


def test_paper_out_turns_amber_and_alert_resolves(db_url: str) -> None:
    engine, sessions = open_database(db_url)
    now = utcnow()
    try:
        with sessions() as db:
            t = _terminal(db)
            assert fleet.status_of(t, now) is fleet.Status.OFFLINE  # never heard from
            fleet.apply_heartbeat(db, t, _beat(), now)
            db.commit()
            assert fleet.status_of(t, now) is fleet.Status.ONLINE
            fleet.apply_events(db, t, [EventIn(kind=EventKind.PAPER_OUT, device="printer")], now)
            db.commit()
        with sessions() as db:
            t2 = db.get(Terminal, "T-1")
            assert t2 is not None
            t = t2
            assert fleet.status_of(t, now) is fleet.Status.DEGRADED
            assert _open_alerts(db) == [("paper_out", "printer")]
            fleet.apply_heartbeat(db, t, _beat("out"), now + timedelta(seconds=60))
            db.commit()
            assert _open_alerts(db) == [("paper_out", "printer")]  # still one, not two
            fleet.apply_heartbeat(db, t, _beat("ok"), now + timedelta(seconds=120))
            db.commit()
            assert _open_alerts(db) == []
            assert fleet.status_of(t, now + timedelta(seconds=120)) is fleet.Status.ONLINE
    finally:
        engine.dispose()


def test_silent_terminal_goes_offline_with_an_alert(db_url: str) -> None:
    engine, sessions = open_database(db_url)
    now = utcnow()
    try:
        with sessions() as db:
            t = _terminal(db)
            fleet.apply_heartbeat(db, t, _beat(), now)
            db.commit()
            later = now + timedelta(seconds=fleet.OFFLINE_AFTER_SECONDS + 1)
            assert fleet.status_of(t, later) is fleet.Status.OFFLINE
            assert fleet.sweep_offline(db, later) == 1
            assert fleet.sweep_offline(db, later) == 0  # idempotent
            db.commit()
            assert _open_alerts(db) == [("offline", "")]
            fleet.apply_heartbeat(db, t, _beat(), later)
            db.commit()
            assert _open_alerts(db) == []
    finally:
        engine.dispose()


def test_device_fault_update_failure_backlog_and_out_of_service(db_url: str) -> None:
    engine, sessions = open_database(db_url)
    now = utcnow()
    try:
        with sessions() as db:
            t = _terminal(db)
            fleet.apply_heartbeat(db, t, _beat(state="error", outbox_depth=900,
                                               last_update={"outcome": "failed"}), now)
            db.commit()
            assert _open_alerts(db) == [("device_fault", "printer"), ("outbox_backlog", ""),
                                        ("update_failed", "")]
            assert fleet.status_of(t, now) is fleet.Status.DEGRADED
            fleet.apply_heartbeat(db, t, _beat(state="error", out_of_service=True), now)
            assert fleet.status_of(t, now) is fleet.Status.OUT_OF_SERVICE
    finally:
        engine.dispose()


def test_event_detail_is_masked(db_url: str) -> None:
    engine, sessions = open_database(db_url)
    try:
        with sessions() as db:
            t = _terminal(db)
            fleet.apply_events(db, t, [EventIn(
                kind=EventKind.DEVICE_FAULT, device="id_reader",
                detail="card 110105199001011234 phone 13812345678 jammed")], utcnow())
            db.commit()
            stored = db.scalar(select(TerminalEvent.detail))
            assert stored is not None
            assert "110105199001011234" not in stored and "13812345678" not in stored
            assert "110105********1234" in stored
    finally:
        engine.dispose()


def test_fleet_filters_and_search(db_url: str) -> None:
    engine, sessions = open_database(db_url)
    now = utcnow()
    try:
        with sessions() as db:
            for tid, district in (("HD-01", "海淀区"), ("HD-02", "海淀区"), ("CY-01", "朝阳区")):
                t = _terminal(db, tid)
                t.district = district
                fleet.apply_heartbeat(db, t, _beat("out" if tid == "HD-02" else "ok"), now)
            db.commit()
            assert [r.terminal.id for r in fleet.fleet_rows(db, now, district="海淀区")] == [
                "HD-02", "HD-01"]  # the worst first
            assert [r.terminal.id for r in fleet.fleet_rows(db, now, status="degraded")] == [
                "HD-02"]
            assert [r.terminal.id for r in fleet.fleet_rows(db, now, query="cy-")] == ["CY-01"]
            assert fleet.districts_and_sites(db)[0] == sorted(["海淀区", "朝阳区"])
            view = fleet.fleet_view(db, now, limit=2)
            assert view.total == 3 and len(view.rows) == 2
            assert view.counts[fleet.Status.DEGRADED] == 1
            assert view.counts[fleet.Status.ONLINE] == 2
            assert view.rows[0].problems == ("缺纸（凭条打印机）",)
            later = now + timedelta(seconds=fleet.OFFLINE_AFTER_SECONDS + 1)
            assert fleet.fleet_view(db, later).counts[fleet.Status.OFFLINE] == 3
    finally:
        engine.dispose()


def test_start_stop_and_update_events_invent_no_device(db_url: str) -> None:
    engine, sessions = open_database(db_url)
    now = utcnow()
    try:
        with sessions() as db:
            t = _terminal(db)
            fleet.apply_heartbeat(db, t, _beat(), now)
            fleet.apply_events(db, t, [EventIn(kind=EventKind.STOPPED),
                                       EventIn(kind=EventKind.STARTED),
                                       EventIn(kind=EventKind.UPDATE_OUTCOME, detail="failed")],
                               now)
            db.commit()
            assert sorted(t.devices) == ["id_reader", "printer"]
            assert t.devices["printer"]["supplies"] == "ok"
            assert _open_alerts(db) == [("update_failed", "")]
            fleet.apply_events(db, t, [EventIn(kind=EventKind.PAPER_OUT)], now)
            assert t.devices["printer"]["supplies"] == "out"
    finally:
        engine.dispose()
