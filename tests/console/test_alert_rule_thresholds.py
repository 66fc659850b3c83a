"""Each alert rule follows its threshold, on SQLite and PostgreSQL: paper (low or only out),
offline after N minutes, outbox backlog N, certificate expiry N days before, the flapping
window. The defaults are the console's original ones."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.console import fleet
from kiosk.console.alert_rules import DEFAULT_RULES, AlertRules
from kiosk.console.db import open_database, utcnow
from kiosk.console.models import Alert, Terminal
from kiosk.console.wire import HeartbeatIn


@pytest.fixture
def db(db_url: str) -> Iterator[Session]:
    engine, sessions = open_database(db_url)
    try:
        with sessions() as session:
            yield session
    finally:
        engine.dispose()


def _terminal(db: Session, tid: str = "T-1") -> Terminal:
    t = Terminal(id=tid, district="海淀区", site="中关村街道", group_name="", token_hash=None,
                 revoked=False, enrolled_at=utcnow(), devices={}, last_update={},
                 app_version="", bundle_version="", outbox_depth=0, sessions=0, ratings=0,
                 out_of_service=False, out_of_service_message="")
    db.add(t)
    db.flush()
    return t


def _beat(paper: str = "ok", **extra: object) -> HeartbeatIn:
    return HeartbeatIn.model_validate({
        "app_version": "0.1.0", "devices": {"printer": {"state": "ready", "supplies": paper}},
        **extra})


def _live(db: Session) -> list[tuple[str, str]]:
    return sorted((a.kind, a.device) for a in db.scalars(
        select(Alert).where(Alert.state != "resolved")))


def _beat_at(db: Session, t: Terminal, beat: HeartbeatIn, at: datetime,
             rules: AlertRules) -> None:
    fleet.apply_heartbeat(db, t, beat, at, rules)
    db.commit()


def test_defaults_are_the_original_thresholds() -> None:
    assert AlertRules(paper_alert_at="low", offline_after_minutes=3,
                                       outbox_backlog=500, cert_expiry_days=30,
                                       flap_window_minutes=5) == DEFAULT_RULES
    assert fleet.OFFLINE_AFTER_SECONDS == 180 and fleet.FLAP_WINDOW_SECONDS == 300


def test_paper_low_alerts_only_when_the_rule_says_low(db: Session) -> None:
    now = utcnow()
    only_out = AlertRules(paper_alert_at="out")
    t = _terminal(db)
    _beat_at(db, t, _beat("low"), now, only_out)
    assert _live(db) == []
    assert fleet.status_of(t, now, only_out) is fleet.Status.ONLINE
    _beat_at(db, t, _beat("out"), now + timedelta(seconds=60), only_out)
    assert _live(db) == [("paper_out", "printer")]
    u = _terminal(db, "T-2")
    _beat_at(db, u, _beat("low"), now, DEFAULT_RULES)
    assert ("paper_low", "printer") in _live(db)
    assert fleet.status_of(u, now) is fleet.Status.DEGRADED


def test_offline_after_the_configured_minutes(db: Session) -> None:
    now = utcnow()
    rules = AlertRules(offline_after_minutes=10)
    t = _terminal(db)
    _beat_at(db, t, _beat(), now, rules)
    five = now + timedelta(minutes=5)
    assert fleet.status_of(t, five, rules) is fleet.Status.ONLINE
    assert fleet.sweep_offline(db, five, rules) == 0
    assert fleet.status_of(t, five) is fleet.Status.OFFLINE  # the default 3 minutes
    eleven = now + timedelta(minutes=11)
    assert fleet.sweep_offline(db, eleven, rules) == 1
    db.commit()
    assert _live(db) == [("offline", "")]
    assert fleet.fleet_view(db, five, rules=rules).counts[fleet.Status.ONLINE] == 1
    assert fleet.fleet_view(db, eleven, rules=rules).counts[fleet.Status.OFFLINE] == 1


def test_outbox_backlog_over_the_configured_count(db: Session) -> None:
    now = utcnow()
    rules = AlertRules(outbox_backlog=100)
    t = _terminal(db)
    _beat_at(db, t, _beat(outbox_depth=150), now, DEFAULT_RULES)
    assert _live(db) == []
    _beat_at(db, t, _beat(outbox_depth=150), now + timedelta(seconds=60), rules)
    assert _live(db) == [("outbox_backlog", "")]
    _beat_at(db, t, _beat(outbox_depth=100), now + timedelta(seconds=120), rules)
    assert _live(db) == []  # "more than" 100


def test_certificate_alert_fires_the_configured_days_before_its_end(db: Session) -> None:
    now = utcnow()
    ends = now + timedelta(days=20)
    beat = _beat(cert_not_after=ends.isoformat())
    ten_days = AlertRules(cert_expiry_days=10)
    t = _terminal(db)
    _beat_at(db, t, beat, now, ten_days)
    assert _live(db) == []
    assert t.cert_not_after is not None
    # The same heartbeat eleven days later is not routine any more: 9 days are left.
    later = now + timedelta(days=11)
    t.last_heartbeat_at = later - timedelta(seconds=60)
    db.commit()
    assert not fleet.is_routine(t, beat, later, ten_days)
    _beat_at(db, t, beat, later, ten_days)
    alert = db.scalars(select(Alert).where(Alert.kind == "cert_expiring")).one()
    assert alert.detail == ends.strftime("%Y-%m-%d") and alert.state == "open"
    assert "证书即将到期" in t.problems
    u = _terminal(db, "T-2")
    _beat_at(db, u, beat, now, DEFAULT_RULES)  # 20 days left, the default warns at 30
    assert db.scalars(select(Alert).where(Alert.terminal_id == "T-2")).one().kind \
        == "cert_expiring"


def test_cert_not_after_must_carry_its_time_zone() -> None:
    with pytest.raises(ValueError):
        _beat(cert_not_after="2027-01-01T00:00:00")


@pytest.mark.parametrize("window, reopened", [(1, False), (5, True), (0, False)])
def test_flapping_window(db: Session, window: int, reopened: bool) -> None:
    now = utcnow()
    rules = AlertRules(flap_window_minutes=window)
    t = _terminal(db)
    _beat_at(db, t, _beat("out"), now, rules)
    _beat_at(db, t, _beat("ok"), now + timedelta(seconds=60), rules)
    assert _live(db) == []
    _beat_at(db, t, _beat("out"), now + timedelta(seconds=180), rules)  # back 2 minutes later
    assert _live(db) == [("paper_out", "printer")]
    rows = db.scalars(select(Alert).where(Alert.kind == "paper_out")).all()
    assert len(rows) == (1 if reopened else 2)
